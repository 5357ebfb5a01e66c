// docker pull: manifest, config and layers over the Distribution API, each layer
// checked against its digest and its diff_id, stored once, then unpacked once into
// the guest's content store. Yields Docker's progress messages on the way.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { GuestAgent } from "../../link/agent-api.ts";
import type { Registries } from "../distribution/registries.ts";
import { RegistryError, sha256Digest, type Credentials } from "../distribution/registry-client.ts";
import { ApiError } from "../errors.ts";
import { Channel } from "../channel.ts";
import type { ImageConfig, ImageStore, LayerRecord } from "./image-store.ts";
import { progress, shortDigest, type ProgressMessage } from "./progress.ts";
import { familiarName, familiarString, withDefaultTag, type Reference } from "./reference.ts";

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface PullContext {
  store: ImageStore;
  registries: Registries;
  agent?: GuestAgent;
  creds?: Credentials;
}

/** The platform this daemon runs: the guest is i386. */
export const PLATFORM = { os: "linux", architecture: "386" };

export async function* pull(refIn: Reference, ctx: PullContext): AsyncGenerator<ProgressMessage, string> {
  const ref = withDefaultTag(refIn);
  const client = ctx.registries.client(ref, ctx.creds);
  const repo = ctx.registries.repoPath(ref);
  // Docker names the repository as the registry knows it: library/busybox.
  const shown = ref.domain === "docker.io" ? ref.path : familiarName(ref);
  yield { status: `Pulling from ${shown}`, id: ref.tag ?? ref.digest };

  let manifest = await client.getManifest(repo, ref.digest ?? ref.tag!).catch((e: unknown) => {
    throw pullError(ref, e);
  });
  if (!manifest) throw new ApiError(404, ref.domain === "docker.io" && (await client.listTags(repo)) === null ? denied(ref) : `manifest for ${familiarString(ref)} not found: manifest unknown: manifest unknown`);
  const topDigest = manifest.digest;
  let body = JSON.parse(new TextDecoder().decode(manifest.bytes));
  if (Array.isArray(body.manifests)) {
    const pick = (body.manifests as Descriptor[]).find((m) => m.platform?.os === PLATFORM.os && m.platform?.architecture === PLATFORM.architecture);
    if (!pick) throw new ApiError(404, `no matching manifest for linux/386 in the manifest list entries`);
    manifest = await client.getManifest(repo, pick.digest);
    if (!manifest) throw new ApiError(404, `manifest ${pick.digest} not found`);
    body = JSON.parse(new TextDecoder().decode(manifest.bytes));
  }
  const configDesc = body.config as Descriptor;
  const layerDescs = body.layers as Descriptor[];
  if (!configDesc || !Array.isArray(layerDescs)) throw new ApiError(500, `unsupported manifest for ${familiarString(ref)}`);

  const imageId = configDesc.digest;
  const existing = ctx.store.get(imageId);
  let configBytes: Uint8Array;
  let config: ImageConfig;
  if (existing) {
    configBytes = existing.configBytes;
    config = existing.config;
  } else {
    const res = await client.getBlob(repo, configDesc.digest);
    configBytes = new Uint8Array(await res.arrayBuffer());
    if ((await sha256Digest(configBytes)) !== configDesc.digest) throw new ApiError(500, `image config verification failed for digest ${configDesc.digest}`);
    config = JSON.parse(new TextDecoder().decode(configBytes));
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== layerDescs.length) throw new ApiError(500, `the image config lists ${diffIds.length} layers, the manifest ${layerDescs.length}`);

  const layers: LayerRecord[] = [];
  for (const [i, d] of layerDescs.entries()) {
    const id = shortDigest(d.digest);
    const known = existing?.layers[i] ?? ctx.store.list().flatMap((im) => im.layers).find((l) => l.digest === d.digest);
    if (known && (await ctx.store.hasBlob(d.digest))) {
      yield { status: "Already exists", progressDetail: {}, id };
      layers.push(known);
      continue;
    }
    yield { status: "Pulling fs layer", progressDetail: {}, id };
    const res = await client.getBlob(repo, d.digest);
    if (!res.body) throw new ApiError(500, `empty blob ${d.digest}`);
    const total = Number(res.headers.get("content-length") ?? d.size);
    let got = 0;
    let lastShown = 0;
    const hash = sha256.create();
    const live = new Channel<ProgressMessage>();
    const writing = ctx.store
      .writeBlob(d.digest, streamOf(res.body), (chunk) => {
        hash.update(chunk);
        got += chunk.length;
        if (got - lastShown > 256 * 1024 || got === total) {
          lastShown = got;
          live.push(progress("Downloading", id, got, total));
        }
      })
      .finally(() => live.close());
    yield* live;
    await writing;
    yield { status: "Verifying Checksum", progressDetail: {}, id };
    if (`sha256:${bytesToHex(hash.digest())}` !== d.digest) throw new ApiError(500, `filesystem layer verification failed for digest ${d.digest}`);
    yield { status: "Download complete", progressDetail: {}, id };
    const unpacked = await unpackedDigest(await ctx.store.readBlob(d.digest), d.mediaType);
    if (unpacked.diffId !== diffIds[i]) throw new ApiError(500, `layer ${d.digest}: its content is ${unpacked.diffId}, the config says ${diffIds[i]}`);
    layers.push({ digest: d.digest, mediaType: d.mediaType, size: got, diffId: diffIds[i], unpackedSize: unpacked.size });
  }

  // Unpack into the guest, once per layer: what containerd's snapshotter does.
  if (ctx.agent) {
    for (const l of layers) {
      const id = shortDigest(l.digest);
      if (await ctx.agent.hasLayer(l.diffId)) continue;
      yield progress("Extracting", id, 0, l.size);
      await ctx.agent.putLayer(l.diffId, streamOf(await ctx.store.readBlob(l.digest)));
      yield progress("Extracting", id, l.size, l.size);
      yield { status: "Pull complete", progressDetail: {}, id };
    }
  }

  const before = ref.tag ? ctx.store.resolve(familiarString(ref)) : undefined;
  await ctx.store.add(configBytes, config, imageId, layers);
  if (ref.tag) await ctx.store.tag(imageId, ref);
  await ctx.store.addDigest(imageId, ref, topDigest);
  yield { status: `Digest: ${topDigest}` };
  const upToDate = before?.id === imageId;
  yield { status: `Status: ${upToDate ? "Image is up to date" : "Downloaded newer image"} for ${familiarString(ref)}` };
  return imageId;
}

function denied(ref: Reference, why = "denied: requested access to the resource is denied"): string {
  return `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${why}`;
}

/**
 * dockerd's translatePullError: a registry that denies access, or does not know the
 * repository, reads as "pull access denied"; anything else (a refused token, a
 * network error) is passed on as it is.
 */
function pullError(ref: Reference, e: unknown): ApiError {
  if (ref.domain === "docker.io" && e instanceof ApiError && e.status === 401) return new ApiError(404, denied(ref));
  if (e instanceof RegistryError && ["DENIED", "NAME_UNKNOWN", "MANIFEST_UNKNOWN"].includes(e.code)) return new ApiError(404, denied(ref, e.message));
  if (e instanceof ApiError) return e;
  return new ApiError(500, e instanceof Error ? e.message : String(e));
}

/** sha256 and size of the uncompressed tar: the layer's diff_id. */
async function unpackedDigest(blob: ReadableStream<Uint8Array>, mediaType: string): Promise<{ diffId: string; size: number }> {
  const gz = mediaType.endsWith("gzip") || mediaType.endsWith(".tar.gzip");
  const stream = gz ? blob.pipeThrough(new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>) : blob;
  const hash = sha256.create();
  let size = 0;
  for await (const chunk of streamOf(stream)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { diffId: `sha256:${bytesToHex(hash.digest())}`, size };
}

export async function* streamOf(s: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = s.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

// docker push: each layer blob the registry lacks, the config, then a manifest that
// names them, with Docker's progress messages.
import type { Registries } from "../distribution/registries.ts";
import { sha256Digest, type Credentials } from "../distribution/registry-client.ts";
import { concatBytes } from "../bytes.ts";
import type { Image, ImageStore } from "./image-store.ts";
import { progress, shortDigest, type ProgressMessage } from "./progress.ts";
import { streamOf } from "./pull.ts";
import { withDefaultTag, type Reference } from "./reference.ts";

export const MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
const CONFIG_V1 = "application/vnd.docker.container.image.v1+json";

export async function* push(refIn: Reference, image: Image, ctx: { store: ImageStore; registries: Registries; creds?: Credentials }): AsyncGenerator<ProgressMessage> {
  const ref = withDefaultTag(refIn);
  const client = ctx.registries.client(ref, ctx.creds);
  const repo = ctx.registries.repoPath(ref);
  yield { status: `The push refers to repository [${ref.domain}/${ref.path}]` };
  // Docker lists layers top-down.
  const layers = [...image.layers].reverse();
  for (const l of layers) yield { status: "Preparing", progressDetail: {}, id: shortDigest(l.diffId) };
  for (const l of layers) {
    const id = shortDigest(l.diffId);
    if (await client.hasBlob(repo, l.digest)) {
      yield { status: "Layer already exists", progressDetail: {}, id };
      continue;
    }
    const parts: Uint8Array[] = [];
    for await (const c of streamOf(await ctx.store.readBlob(l.digest))) parts.push(c);
    const bytes = concatBytes(parts);
    yield progress("Pushing", id, 0, bytes.length);
    await client.pushBlob(repo, l.digest, bytes);
    yield progress("Pushing", id, bytes.length, bytes.length);
    yield { status: "Pushed", progressDetail: {}, id };
  }
  const configDigest = image.id;
  if (!(await client.hasBlob(repo, configDigest))) await client.pushBlob(repo, configDigest, image.configBytes);
  const manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_V2,
    config: { mediaType: CONFIG_V1, size: image.configBytes.length, digest: configDigest },
    layers: image.layers.map((l) => ({ mediaType: l.mediaType.includes("docker") ? l.mediaType : l.mediaType.replace("application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip"), size: l.size, digest: l.digest })),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest, null, 3));
  const digest = await client.putManifest(repo, ref.tag!, bytes, MANIFEST_V2);
  if (digest !== (await sha256Digest(bytes))) throw new Error(`the registry stored the manifest as ${digest}, not as sent`);
  await ctx.store.addDigest(image.id, ref, digest);
  yield { status: `${ref.tag}: digest: ${digest} size: ${bytes.length}` };
  yield { progressDetail: {}, aux: { Tag: ref.tag, Digest: digest, Size: bytes.length } };
}

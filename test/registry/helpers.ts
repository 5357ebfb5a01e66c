// Shared pieces of the registry tests: a server on a free port in a temp
// dir, and small clients for the push steps.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRegistry, type RunningRegistry } from "../../cli/registry.ts";

export const ociManifest = "application/vnd.oci.image.manifest.v1+json";
export const ociIndex = "application/vnd.oci.image.index.v1+json";

/** Bytes that fetch accepts as a body. */
export type Bytes = Uint8Array<ArrayBuffer>;
export const utf8 = (s: string): Bytes => new TextEncoder().encode(s) as Bytes;

export function sha256(data: Uint8Array | string): string {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

export async function tempDir(prefix = "slipway-registry-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface TestServer extends RunningRegistry {
  dir: string;
  /** fetch against the server; `path` starts with /v2/. */
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startTestServer(opts: { dir?: string; images?: string | null } = {}): Promise<TestServer> {
  const dir = opts.dir ?? (await tempDir());
  const running = await startRegistry({ dir, images: opts.images ?? null });
  return {
    ...running,
    dir,
    api: (path, init) => fetch(running.url + path, init),
    async stop() {
      await running.close();
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The JSON error body's first code. */
export async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { errors: Array<{ code: string }> };
  return body.errors[0].code;
}

type Api = (path: string, init?: RequestInit) => Promise<Response>;

/** Pushes a blob with POST then PUT; returns its digest. */
export async function pushBlob(api: Api, name: string, data: Bytes | string): Promise<string> {
  const bytes = typeof data === "string" ? utf8(data) : data;
  const digest = sha256(bytes);
  const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
  if (start.status !== 202) throw new Error(`POST upload: ${start.status}`);
  const loc = start.headers.get("location")!;
  const sep = loc.includes("?") ? "&" : "?";
  const put = await api(`${loc}${sep}digest=${digest}`, { method: "PUT", body: bytes, headers: { "Content-Type": "application/octet-stream" } });
  if (put.status !== 201) throw new Error(`PUT upload: ${put.status} ${await put.text()}`);
  return digest;
}

export interface TestImage {
  config: Bytes;
  layer: Bytes;
  manifest: Bytes;
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
}

/** A small image (config, one random layer, OCI manifest) not yet pushed. */
export function makeImage(layerSize = 1000, extra: Record<string, unknown> = {}): TestImage {
  const layer = new Uint8Array(randomBytes(layerSize));
  const config = utf8(JSON.stringify({ architecture: "386", os: "linux", rootfs: { type: "layers", diff_ids: [sha256(layer)] } }));
  const manifestObj = {
    schemaVersion: 2,
    mediaType: ociManifest,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.byteLength },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha256(layer), size: layer.byteLength }],
    ...extra,
  };
  // Odd whitespace on purpose: the registry must keep the bytes exactly.
  const manifest = utf8(JSON.stringify(manifestObj, null, 3) + "\n");
  return { config, layer, manifest, manifestDigest: sha256(manifest), configDigest: sha256(config), layerDigest: sha256(layer) };
}

/** Pushes an image's blobs and its manifest under `ref`. */
export async function pushImage(api: Api, name: string, ref: string, img: TestImage): Promise<Response> {
  await pushBlob(api, name, img.config);
  await pushBlob(api, name, img.layer);
  return api(`/v2/${name}/manifests/${ref}`, { method: "PUT", body: img.manifest, headers: { "Content-Type": ociManifest } });
}

// --- base images ---------------------------------------------------------------

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { mkdir, writeFile } from "node:fs/promises";

export const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

let built: Promise<string> | null = null;

/**
 * Builds the base images into a temp dir (once per test process), so the
 * tests check what the sources make now, not a stale build/images.
 */
export function buildImages(): Promise<string> {
  built ??= (async () => {
    const out = await tempDir("slipway-images-");
    await run("bash", [join(repoRoot, "kernel-image/images/build.sh"), out], { maxBuffer: 16 << 20 });
    process.on("exit", () => {
      // best effort; the temp dir is small
      import("node:fs").then((fs) => fs.rmSync(out, { recursive: true, force: true })).catch(() => {});
    });
    return out;
  })();
  return built;
}

/** Writes `img` as an OCI layout at dir/name, tagged `tag`, and lists it in dir/images.json. */
export async function writeLayout(dir: string, name: string, img: TestImage, tag = "latest", names = [name]): Promise<void> {
  const layout = join(dir, name);
  await mkdir(join(layout, "blobs", "sha256"), { recursive: true });
  for (const b of [img.config, img.layer, img.manifest]) await writeFile(join(layout, "blobs", "sha256", sha256(b).slice(7)), b);
  await writeFile(join(layout, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  const index = {
    schemaVersion: 2,
    mediaType: ociIndex,
    manifests: [{ mediaType: ociManifest, digest: img.manifestDigest, size: img.manifest.byteLength, annotations: { "org.opencontainers.image.ref.name": tag } }],
  };
  await writeFile(join(layout, "index.json"), JSON.stringify(index));
  await writeFile(join(dir, "images.json"), JSON.stringify(names));
}

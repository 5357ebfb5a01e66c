// Loads the built guest (build/guest) from disk, for Node: the CLI, the daemon, the tests.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GuestAssets, GuestManifest } from "../vm/guest-assets.ts";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const guestDir = join(repoRoot, "build", "guest");

export function v86WasmPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("v86")), "v86.wasm");
}

export function loadGuestAssets(dir = guestDir): GuestAssets {
  let manifest: GuestManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  } catch {
    throw new Error(`no built guest in ${dir}: run \`npm run build:guest\``);
  }
  const read = (name: string) => {
    const b = readFileSync(join(dir, name));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  const f = manifest.files;
  return {
    manifest,
    bios: read(f.bios.name),
    vgaBios: read(f.vgaBios.name),
    bzImage: read(f.bzImage.name),
    initrd: read(f.initrd.name),
    state: f.state ? read(f.state.name) : undefined,
  };
}

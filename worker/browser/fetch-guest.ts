// Downloads everything the guest needs at once: its files and v86.wasm, compiled while it streams.
import type { GuestAssets, GuestManifest } from "../vm/guest-assets.ts";

export interface Downloads {
  assets: Promise<GuestAssets>;
  wasm: Promise<WebAssembly.Module>;
}

export function fetchGuest(manifest: GuestManifest, guestUrl: string, wasmUrl: string, opts: { withState: boolean }): Downloads {
  const f = manifest.files;
  // The hash in the query keeps a browser cache from pairing an old file with a new manifest.
  const get = (entry: { name: string; sha256: string }) => fetchBuffer(new URL(`${entry.name}?v=${entry.sha256.slice(0, 16)}`, guestUrl).href);
  const parts = [get(f.bios), get(f.vgaBios), get(f.bzImage), get(f.initrd), opts.withState && f.state ? get(f.state) : Promise.resolve(undefined)] as const;
  const assets = Promise.all(parts).then(([bios, vgaBios, bzImage, initrd, state]) => ({ manifest, bios, vgaBios, bzImage, initrd, state }));
  return { assets, wasm: compileWasm(wasmUrl) };
}

async function fetchBuffer(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not download ${new URL(url).pathname}: HTTP ${res.status} ${res.statusText}`);
  return res.arrayBuffer();
}

async function compileWasm(url: string): Promise<WebAssembly.Module> {
  const res = fetch(url);
  try {
    return await WebAssembly.compileStreaming(res);
  } catch {
    // Streaming needs the server to say application/wasm; not every static host does.
    const r = await fetch(url);
    if (!r.ok) throw new Error(`could not download v86.wasm: HTTP ${r.status} ${r.statusText}`);
    return WebAssembly.compile(await r.arrayBuffer());
  }
}

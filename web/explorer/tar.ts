// Just enough of tar to list an image's files: docker save's outer archive and each layer
// (plain or gzip). ustar and GNU long names; pax path records.
export interface TarEntry {
  path: string;
  type: "file" | "dir" | "link" | "symlink" | "other";
  size: number;
  data: Uint8Array;
}

const dec = new TextDecoder();

export async function maybeGunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function readTar(bytes: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  let longName: string | undefined;
  for (let o = 0; o + 512 <= bytes.length; ) {
    const h = bytes.subarray(o, o + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number) => dec.decode(h.subarray(a, a + n)).replace(/\0.*$/s, "");
    const size = parseInt(str(124, 12).trim() || "0", 8);
    const flag = String.fromCharCode(h[156] || 48);
    const prefix = str(345, 155);
    let path = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    longName = undefined;
    const data = bytes.subarray(o + 512, o + 512 + size);
    o += 512 + Math.ceil(size / 512) * 512;
    if (flag === "L") {
      longName = dec.decode(data).replace(/\0.*$/s, "");
      continue;
    }
    if (flag === "x") {
      const m = /\d+ path=([^\n]*)\n/.exec(dec.decode(data));
      if (m) longName = m[1];
      continue;
    }
    if (flag === "g") continue;
    path = path.replace(/^\.\//, "").replace(/\/$/, "");
    const type = flag === "0" || flag === "\0" || flag === "7" ? "file" : flag === "5" ? "dir" : flag === "1" ? "link" : flag === "2" ? "symlink" : "other";
    if (path) out.push({ path, type, size, data });
  }
  return out;
}

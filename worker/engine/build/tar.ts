// Tar, read and written as Docker's archive package does (ustar headers, PAX records
// for long names). Small and ours rather than tar-stream: that one is built on Node
// streams and Buffer, and the engine runs in a web worker; layer tars must also be
// byte-for-byte reproducible (same files, same diff_id) for the build cache.
import { concatBytes } from "../bytes.ts";

export type EntryType = "file" | "link" | "symlink" | "char" | "block" | "dir" | "fifo";

export interface TarHeader {
  /** Relative path, no leading "./" or "/"; directories without the trailing slash. */
  name: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkname?: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
}

export interface TarEntry {
  header: TarHeader;
  data: Uint8Array;
}

const TYPE_FLAG: Record<EntryType, string> = { file: "0", link: "1", symlink: "2", char: "3", block: "4", dir: "5", fifo: "6" };
const FLAG_TYPE: Record<string, EntryType> = { "0": "file", "\0": "file", "7": "file", "1": "link", "2": "symlink", "3": "char", "4": "block", "5": "dir", "6": "fifo" };

const enc = new TextEncoder();
const dec = new TextDecoder();

/** "./a/b/" → "a/b"; "/" and "." → "". */
export function cleanName(name: string): string {
  const parts: string[] = [];
  for (const p of name.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return parts.join("/");
}

function readString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return dec.decode(b.subarray(off, end));
}

function readNumber(b: Uint8Array, off: number, len: number): number {
  if (b[off] & 0x80) {
    // GNU base-256 for values that do not fit in octal.
    let n = b[off] & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + b[off + i];
    return n;
  }
  const s = readString(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    let sp = i;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = parseInt(dec.decode(data.subarray(i, sp)), 10);
    if (!len) break;
    const rec = dec.decode(data.subarray(sp + 1, i + len - 1));
    const eq = rec.indexOf("=");
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Reads entries from a tar byte stream, each file's content in one piece. */
export async function* readTar(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<TarEntry> {
  const buf = new ByteQueue();
  const it = source instanceof Uint8Array ? single(source) : source;
  const iter = it[Symbol.asyncIterator]();
  let ended = false;
  const need = async (n: number): Promise<boolean> => {
    while (buf.length < n && !ended) {
      const r = await iter.next();
      if (r.done) ended = true;
      else buf.push(r.value);
    }
    return buf.length >= n;
  };
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    if (!(await need(512))) return;
    const h = buf.take(512);
    if (h.every((x) => x === 0)) return;
    const flag = String.fromCharCode(h[156]);
    const size = pax.size ? Number(pax.size) : readNumber(h, 124, 12);
    const padded = Math.ceil(size / 512) * 512;
    // A last entry whose data is whole but whose padding and end blocks are missing is
    // taken: the CLI sends that for `docker build -f` from outside the context (its
    // ReplaceFileTarWrapper closes the pipe before the tar writer), and dockerd accepts it.
    if (!(await need(padded)) && buf.length < size) throw new Error("unexpected EOF in tar archive");
    const body = buf.take(Math.min(padded, buf.length)).subarray(0, size);
    if (flag === "x") {
      pax = { ...pax, ...parsePax(body) };
      continue;
    }
    if (flag === "g") continue;
    if (flag === "L") {
      longName = readString(body, 0, body.length);
      continue;
    }
    if (flag === "K") {
      longLink = readString(body, 0, body.length);
      continue;
    }
    const magic = readString(h, 257, 6);
    const prefix = magic.startsWith("ustar") ? readString(h, 345, 155) : "";
    let name = pax.path ?? longName ?? (prefix ? `${prefix}/${readString(h, 0, 100)}` : readString(h, 0, 100));
    const type = FLAG_TYPE[flag] ?? (name.endsWith("/") ? "dir" : "file");
    name = cleanName(name);
    const header: TarHeader = {
      name,
      type: type === "file" && name.endsWith("/") ? "dir" : type,
      mode: readNumber(h, 100, 8) & 0o7777,
      uid: pax.uid ? Number(pax.uid) : readNumber(h, 108, 8),
      gid: pax.gid ? Number(pax.gid) : readNumber(h, 116, 8),
      size: type === "file" ? size : 0,
      mtime: pax.mtime ? Math.floor(Number(pax.mtime)) : readNumber(h, 136, 12),
      linkname: pax.linkpath ?? longLink ?? (readString(h, 157, 100) || undefined),
      uname: readString(h, 265, 32) || undefined,
      gname: readString(h, 297, 32) || undefined,
      devmajor: readNumber(h, 329, 8),
      devminor: readNumber(h, 337, 8),
    };
    pax = {};
    longName = longLink = undefined;
    yield { header, data: body };
  }
}

async function* single(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

class ByteQueue {
  private parts: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): void {
    if (b.length) {
      this.parts.push(b);
      this.length += b.length;
    }
  }
  take(n: number): Uint8Array {
    if (this.parts[0]?.length >= n) {
      const p = this.parts[0];
      const out = p.subarray(0, n);
      if (p.length === n) this.parts.shift();
      else this.parts[0] = p.subarray(n);
      this.length -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const p = this.parts[0];
      const k = Math.min(p.length, n - o);
      out.set(p.subarray(0, k), o);
      o += k;
      if (k === p.length) this.parts.shift();
      else this.parts[0] = p.subarray(k);
    }
    this.length -= n;
    return out;
  }
}

function writeString(b: Uint8Array, off: number, len: number, s: string): void {
  b.set(enc.encode(s).subarray(0, len), off);
}

function writeOctal(b: Uint8Array, off: number, len: number, n: number): void {
  writeString(b, off, len, n.toString(8).padStart(len - 1, "0"));
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = enc.encode(body).length;
  len += String(len).length;
  if (String(len).length !== String(len - String(len).length).length) len++;
  return `${len}${body}`;
}

function rawHeader(h: TarHeader, name: string, linkname: string, flag: string, size: number): Uint8Array {
  const b = new Uint8Array(512);
  writeString(b, 0, 100, name);
  writeOctal(b, 100, 8, h.mode & 0o7777);
  writeOctal(b, 108, 8, h.uid);
  writeOctal(b, 116, 8, h.gid);
  writeOctal(b, 124, 12, size);
  writeOctal(b, 136, 12, Math.max(0, Math.floor(h.mtime)));
  b.fill(0x20, 148, 156);
  b[156] = flag.charCodeAt(0);
  writeString(b, 157, 100, linkname);
  writeString(b, 257, 6, "ustar\0");
  writeString(b, 263, 2, "00");
  writeString(b, 265, 32, h.uname ?? "");
  writeString(b, 297, 32, h.gname ?? "");
  writeOctal(b, 329, 8, h.devmajor ?? 0);
  writeOctal(b, 337, 8, h.devminor ?? 0);
  let sum = 0;
  for (const x of b) sum += x;
  writeString(b, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return b;
}

/** One entry's header bytes (with a PAX header first when a name is too long) and its padded data. */
export function tarEntry(h: TarHeader, data?: Uint8Array): Uint8Array[] {
  const name = h.type === "dir" && h.name ? `${h.name}/` : h.name;
  const link = h.linkname ?? "";
  const size = h.type === "file" ? (data?.length ?? h.size) : 0;
  const out: Uint8Array[] = [];
  if (enc.encode(name).length > 100 || enc.encode(link).length > 100) {
    let rec = "";
    if (enc.encode(name).length > 100) rec += paxRecord("path", name);
    if (enc.encode(link).length > 100) rec += paxRecord("linkpath", link);
    const body = enc.encode(rec);
    const paxName = `PaxHeaders.0/${name.split("/").filter(Boolean).pop() ?? ""}`.slice(0, 99);
    out.push(rawHeader({ ...h, mode: 0o644 }, paxName, "", "x", body.length), pad(body));
  }
  out.push(rawHeader(h, name.slice(0, 100), link.slice(0, 100), TYPE_FLAG[h.type], size));
  if (size && data) out.push(pad(data));
  return out;
}

function pad(data: Uint8Array): Uint8Array {
  const rem = data.length % 512;
  if (!rem) return data;
  const out = new Uint8Array(data.length + 512 - rem);
  out.set(data);
  return out;
}

/** The two zero blocks that end an archive. */
export const TAR_END = new Uint8Array(1024);

/** A whole archive in memory. */
export function writeTar(entries: TarEntry[]): Uint8Array {
  const parts = entries.flatMap((e) => tarEntry(e.header, e.data));
  parts.push(TAR_END);
  return concatBytes(parts);
}

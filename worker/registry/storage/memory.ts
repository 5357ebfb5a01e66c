// A storage driver in a Map: for tests, and for a registry that need not
// outlive its page. Same rules as the others (see driver.ts).
import { checkPath, PathNotFoundError, StorageFullError, type FileInfo, type StorageDriver } from "./driver.ts";
import { gather, rangeStream } from "./whole-file.ts";

interface Entry {
  data: Uint8Array;
  modTime: number;
}

export class MemoryDriver implements StorageDriver {
  readonly name = "memory";
  private files = new Map<string, Entry>();

  /** `quota` bytes, if given, makes writes past it fail as a full store would. */
  constructor(private readonly quota = Infinity) {}

  async getContent(path: string): Promise<Uint8Array> {
    checkPath(path);
    const e = this.files.get(path);
    if (!e) throw new PathNotFoundError(path, this.name);
    return e.data.slice();
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    checkPath(path);
    this.reserve(content.byteLength - (this.files.get(path)?.data.byteLength ?? 0));
    this.files.set(path, { data: content.slice(), modTime: Date.now() });
  }

  async reader(path: string, offset = 0, length?: number): Promise<ReadableStream<Uint8Array>> {
    return rangeStream(await this.getContent(path), offset, length);
  }

  async writeStream(path: string, body: AsyncIterable<Uint8Array>, onChunk?: (chunk: Uint8Array) => void): Promise<number> {
    checkPath(path);
    const data = await gather(body, onChunk);
    const size = data.byteLength;
    await this.putContent(path, data);
    return size;
  }

  async stat(path: string): Promise<FileInfo> {
    checkPath(path);
    const e = this.files.get(path);
    if (e) return { path, size: e.data.byteLength, modTime: e.modTime, isDir: false };
    const under = this.under(path);
    if (!under.length) throw new PathNotFoundError(path, this.name);
    return { path, size: 0, modTime: Math.max(...under.map((p) => this.files.get(p)!.modTime)), isDir: true };
  }

  async list(path: string): Promise<string[]> {
    checkPath(path);
    const prefix = path === "/" ? "/" : path + "/";
    const children = new Set<string>();
    for (const p of this.under(path)) children.add(prefix + p.slice(prefix.length).split("/")[0]);
    if (!children.size) throw new PathNotFoundError(path, this.name);
    return [...children].sort();
  }

  async move(source: string, dest: string): Promise<void> {
    checkPath(source);
    checkPath(dest);
    const e = this.files.get(source);
    if (e) {
      this.files.delete(source);
      this.deleteTree(dest);
      this.files.set(dest, e);
      return;
    }
    const under = this.under(source);
    if (!under.length) throw new PathNotFoundError(source, this.name);
    this.deleteTree(dest);
    for (const p of under) {
      this.files.set(dest + p.slice(source.length), this.files.get(p)!);
      this.files.delete(p);
    }
  }

  async delete(path: string): Promise<void> {
    checkPath(path);
    if (!this.deleteTree(path)) throw new PathNotFoundError(path, this.name);
  }

  private deleteTree(path: string): boolean {
    let found = this.files.delete(path);
    for (const p of this.under(path)) found = this.files.delete(p) || found;
    return found;
  }

  private under(path: string): string[] {
    const prefix = path === "/" ? "/" : path + "/";
    return [...this.files.keys()].filter((p) => p.startsWith(prefix));
  }

  private reserve(bytes: number): void {
    let used = 0;
    for (const e of this.files.values()) used += e.data.byteLength;
    if (used + bytes > this.quota) {
      throw new StorageFullError(this.name);
    }
  }
}


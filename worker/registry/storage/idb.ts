// The storage driver on IndexedDB, for the browser, through idb-keyval.
//
// One object store maps each file's path to { data, modTime }. Directories
// are implicit: a key range over "path/" finds what lives below. Every
// operation is one IndexedDB transaction, and transactions are atomic: a
// tab closed mid-write rolls the write back, so a move (how uploads become
// blobs) is all or nothing.
import { createStore, promisifyRequest, type UseStore } from "idb-keyval";
import { checkPath, PathNotFoundError, StorageFullError, type FileInfo, type StorageDriver } from "./driver.ts";
import { gather, rangeStream } from "./whole-file.ts";

interface Entry {
  data: Uint8Array;
  modTime: number;
}

/** Keys strictly below a directory ("/a" → "/a/" up to "/a/\uffff"). */
function below(path: string): IDBKeyRange {
  const prefix = path === "/" ? "/" : path + "/";
  return IDBKeyRange.bound(prefix, prefix + "\uffff", false, false);
}

export class IdbDriver implements StorageDriver {
  readonly name = "idb";
  private readonly store: UseStore;

  constructor(dbName = "slipway-registry", storeName = "files") {
    this.store = createStore(dbName, storeName);
  }

  /** Runs one transaction; a full quota surfaces as StorageFullError. */
  private async tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => Promise<T>): Promise<T> {
    try {
      return await this.store(mode, fn);
    } catch (e) {
      const name = (e as DOMException)?.name;
      if (name === "QuotaExceededError") throw new StorageFullError(this.name, e);
      throw e;
    }
  }

  /** Waits for a write transaction to commit, so the data is durable when we answer. */
  private done(s: IDBObjectStore): Promise<void> {
    return promisifyRequest(s.transaction) as Promise<void>;
  }

  async getContent(path: string): Promise<Uint8Array> {
    checkPath(path);
    const e = await this.tx("readonly", (s) => promisifyRequest(s.get(path) as IDBRequest<Entry | undefined>));
    if (!e) throw new PathNotFoundError(path, this.name);
    return e.data;
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    checkPath(path);
    // A copy: IndexedDB clones the value anyway, and the caller's buffer may be a view into a larger one.
    const entry: Entry = { data: content.slice(), modTime: Date.now() };
    await this.tx("readwrite", (s) => {
      s.put(entry, path);
      return this.done(s);
    });
  }

  async reader(path: string, offset = 0, length?: number): Promise<ReadableStream<Uint8Array>> {
    return rangeStream(await this.getContent(path), offset, length);
  }

  async writeStream(path: string, body: AsyncIterable<Uint8Array>, onChunk?: (chunk: Uint8Array) => void): Promise<number> {
    checkPath(path);
    // IndexedDB writes a value whole: gather the stream, then put it in one transaction.
    const data = await gather(body, onChunk);
    const size = data.byteLength;
    const entry: Entry = { data, modTime: Date.now() };
    await this.tx("readwrite", (s) => {
      s.put(entry, path);
      return this.done(s);
    });
    return size;
  }

  async stat(path: string): Promise<FileInfo> {
    checkPath(path);
    const [e, n] = await this.tx("readonly", (s) =>
      Promise.all([promisifyRequest(s.get(path) as IDBRequest<Entry | undefined>), promisifyRequest(s.count(below(path)))]),
    );
    if (e) return { path, size: e.data.byteLength, modTime: e.modTime, isDir: false };
    if (!n) throw new PathNotFoundError(path, this.name);
    return { path, size: 0, modTime: 0, isDir: true };
  }

  async list(path: string): Promise<string[]> {
    checkPath(path);
    const keys = (await this.tx("readonly", (s) => promisifyRequest(s.getAllKeys(below(path))))) as string[];
    const prefix = path === "/" ? "/" : path + "/";
    const children = new Set<string>();
    for (const k of keys) children.add(prefix + k.slice(prefix.length).split("/")[0]);
    if (!children.size) throw new PathNotFoundError(path, this.name);
    return [...children].sort();
  }

  async move(source: string, dest: string): Promise<void> {
    checkPath(source);
    checkPath(dest);
    // All in one readwrite transaction: requests chain in callbacks (not
    // awaits) so the transaction stays active until the last one.
    const found = await this.tx("readwrite", (s) => {
      let moved = false;
      const removeDest = () => {
        s.delete(dest);
        s.delete(below(dest));
      };
      const file = s.get(source);
      file.onsuccess = () => {
        if (file.result !== undefined) {
          moved = true;
          removeDest();
          s.put(file.result, dest);
          s.delete(source);
          return;
        }
        const cursor = s.openCursor(below(source));
        let cleared = false;
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c) return;
          if (!cleared) {
            removeDest();
            cleared = true;
          }
          moved = true;
          s.put(c.value, dest + (c.key as string).slice(source.length));
          c.delete();
          c.continue();
        };
      };
      return this.done(s).then(() => moved);
    });
    if (!found) throw new PathNotFoundError(source, this.name);
  }

  async delete(path: string): Promise<void> {
    checkPath(path);
    const found = await this.tx("readwrite", (s) => {
      let hit = false;
      const file = s.count(path);
      const dir = s.count(below(path));
      file.onsuccess = dir.onsuccess = () => {
        if (file.readyState !== "done" || dir.readyState !== "done") return;
        hit = file.result + dir.result > 0;
        s.delete(path);
        s.delete(below(path));
      };
      return this.done(s).then(() => hit);
    });
    if (!found) throw new PathNotFoundError(path, this.name);
  }
}

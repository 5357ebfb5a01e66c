// The storage driver: the one seam between the registry and where bytes live.
//
// Modelled on distribution's StorageDriver (registry/storage/driver): a tiny
// filesystem-like API over slash-separated paths. Everything the registry
// knows (blobs, manifests, tags, uploads) is laid out as paths on top of it,
// so one registry runs on IndexedDB in the browser and on files in Node.
//
// Paths are absolute ("/docker/registry/v2/blobs/..."), use "/" only, and
// have no "." or ".." segments. Directories are implicit: a directory exists
// while some file lives under it.

/** What `stat` returns. */
export interface FileInfo {
  path: string;
  /** Bytes, for a file; 0 for a directory. */
  size: number;
  /** Milliseconds since the epoch. */
  modTime: number;
  isDir: boolean;
}

export interface StorageDriver {
  /** A short name for messages ("fs", "idb", "memory"). */
  readonly name: string;

  /** The whole content of a file. Throws PathNotFoundError. */
  getContent(path: string): Promise<Uint8Array>;

  /**
   * Writes a whole file atomically: readers see the old content or the new,
   * never a mix, and a crash (or a tab reload) leaves one or the other.
   */
  putContent(path: string, content: Uint8Array): Promise<void>;

  /** Streams a file from `offset`, `length` bytes (default: to the end). Throws PathNotFoundError. */
  reader(path: string, offset?: number, length?: number): Promise<ReadableStream<Uint8Array>>;

  /**
   * Streams `body` into a new file, atomically as putContent: the file
   * appears whole when the stream ends, or not at all if it fails. Each chunk
   * is passed to `onChunk` on its way (the registry hashes it there).
   * Returns the number of bytes written.
   */
  writeStream(path: string, body: AsyncIterable<Uint8Array>, onChunk?: (chunk: Uint8Array) => void): Promise<number>;

  /** Size and kind of a path. Throws PathNotFoundError. */
  stat(path: string): Promise<FileInfo>;

  /** The direct children of a directory, as full paths, sorted. Throws PathNotFoundError. */
  list(path: string): Promise<string[]>;

  /** Renames a file or a directory atomically, replacing what was at `dest`. Throws PathNotFoundError. */
  move(source: string, dest: string): Promise<void>;

  /** Removes a file or a whole directory. Throws PathNotFoundError. */
  delete(path: string): Promise<void>;
}

/** The path (file or directory) does not exist. */
export class PathNotFoundError extends Error {
  constructor(readonly path: string, readonly driver: string) {
    super(`${driver}: path not found: ${path}`);
    this.name = "PathNotFoundError";
  }
}

/** The backing store refused a write because it is full (browser quota, full disk). */
export class StorageFullError extends Error {
  constructor(readonly driver: string, cause?: unknown) {
    super(`${driver}: storage is full (${cause instanceof Error ? cause.message : "quota exceeded"})`);
    this.name = "StorageFullError";
  }
}

/** A path that breaks the rules above. */
export class InvalidPathError extends Error {
  constructor(readonly path: string) {
    super(`invalid storage path: ${JSON.stringify(path)}`);
    this.name = "InvalidPathError";
  }
}

const pathRe = /^(\/[A-Za-z0-9._:@+=-]+)+$/;

/** Checks a path against the rules every driver shares. "/" is the root. */
export function checkPath(path: string): void {
  if (path === "/") return;
  if (!pathRe.test(path) || path.split("/").some((s) => s === "." || s === "..")) throw new InvalidPathError(path);
}

/** True if the path exists (file or directory). */
export async function exists(driver: StorageDriver, path: string): Promise<boolean> {
  try {
    await driver.stat(path);
    return true;
  } catch (e) {
    if (e instanceof PathNotFoundError) return false;
    throw e;
  }
}

/** getContent that answers null for a missing path. */
export async function getOrNull(driver: StorageDriver, path: string): Promise<Uint8Array | null> {
  try {
    return await driver.getContent(path);
  } catch (e) {
    if (e instanceof PathNotFoundError) return null;
    throw e;
  }
}

/** list that answers [] for a missing directory. */
export async function listOrEmpty(driver: StorageDriver, path: string): Promise<string[]> {
  try {
    return await driver.list(path);
  } catch (e) {
    if (e instanceof PathNotFoundError) return [];
    throw e;
  }
}

/** delete that ignores a missing path. */
export async function deleteIfExists(driver: StorageDriver, path: string): Promise<void> {
  try {
    await driver.delete(path);
  } catch (e) {
    if (!(e instanceof PathNotFoundError)) throw e;
  }
}

/** The last segment of a path. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Turns a ReadableStream into an async iterable (Node's web streams are iterable; Safari's are not). */
export async function* iterate(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value && value.byteLength) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

// The storage driver contract, as a list of checks any driver must pass.
//
// A plain function of a driver factory, with its own tiny assertions and no
// node: imports, so the same suite runs under node:test (driver.test.ts)
// and in a browser against IndexedDB.
import { PathNotFoundError, StorageFullError, type StorageDriver } from "../../worker/registry/storage/driver.ts";

export interface DriverCase {
  name: string;
  run(): Promise<void>;
}

/** How a test gets a fresh, empty driver. */
export type DriverFactory = () => Promise<StorageDriver>;

class CheckFailed extends Error {}

function check(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new CheckFailed(msg);
}

function eq<T>(actual: T, expected: T, msg: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new CheckFailed(`${msg}: got ${a}, want ${e}`);
}

async function rejectsWith(p: Promise<unknown>, type: new (...a: any[]) => Error, msg: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (e instanceof type) return;
    throw new CheckFailed(`${msg}: threw ${(e as Error)?.name}: ${(e as Error)?.message}, want ${type.name}`);
  }
  throw new CheckFailed(`${msg}: did not throw, want ${type.name}`);
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function readAll(s: ReadableStream<Uint8Array>): Promise<string> {
  const r = s.getReader();
  let out = "";
  const d = new TextDecoder();
  for (;;) {
    const { done, value } = await r.read();
    if (done) return out + d.decode();
    out += d.decode(value, { stream: true });
  }
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield enc(p);
}

async function* failing(after: string): AsyncGenerator<Uint8Array> {
  yield enc(after);
  throw new Error("connection reset");
}

export function driverSuite(make: DriverFactory): DriverCase[] {
  const cases: DriverCase[] = [];
  const test = (name: string, fn: (d: StorageDriver) => Promise<void>) => cases.push({ name, run: async () => fn(await make()) });

  test("putContent then getContent round-trips bytes", async (d) => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    await d.putContent("/a/b/c", bytes);
    eq([...(await d.getContent("/a/b/c"))], [...bytes], "content");
  });

  test("putContent replaces a file whole", async (d) => {
    await d.putContent("/f", enc("first version, long"));
    await d.putContent("/f", enc("second"));
    eq(dec(await d.getContent("/f")), "second", "content");
  });

  test("a missing path is PathNotFoundError everywhere", async (d) => {
    await rejectsWith(d.getContent("/nope"), PathNotFoundError, "getContent");
    await rejectsWith(d.stat("/nope"), PathNotFoundError, "stat");
    await rejectsWith(d.list("/nope"), PathNotFoundError, "list");
    await rejectsWith(d.reader("/nope"), PathNotFoundError, "reader");
    await rejectsWith(d.delete("/nope"), PathNotFoundError, "delete");
    await rejectsWith(d.move("/nope", "/other"), PathNotFoundError, "move");
  });

  test("stat tells files from directories", async (d) => {
    await d.putContent("/dir/file", enc("12345"));
    const f = await d.stat("/dir/file");
    eq([f.isDir, f.size], [false, 5], "file");
    check(f.modTime > 0, "file modTime");
    const dir = await d.stat("/dir");
    eq(dir.isDir, true, "dir");
  });

  test("list gives direct children as full sorted paths", async (d) => {
    await d.putContent("/r/b/x", enc("1"));
    await d.putContent("/r/a", enc("2"));
    await d.putContent("/r/b/y/z", enc("3"));
    await d.putContent("/rr", enc("not a child of /r"));
    eq(await d.list("/r"), ["/r/a", "/r/b"], "children of /r");
    eq(await d.list("/r/b"), ["/r/b/x", "/r/b/y"], "children of /r/b");
    eq(await d.list("/"), ["/r", "/rr"], "children of /");
  });

  test("reader streams from an offset, for a length", async (d) => {
    await d.putContent("/blob", enc("0123456789"));
    eq(await readAll(await d.reader("/blob")), "0123456789", "whole");
    eq(await readAll(await d.reader("/blob", 3)), "3456789", "from 3");
    eq(await readAll(await d.reader("/blob", 2, 4)), "2345", "2..5");
    eq(await readAll(await d.reader("/blob", 10)), "", "at the end");
  });

  test("writeStream writes all chunks and reports each", async (d) => {
    const seen: string[] = [];
    const n = await d.writeStream("/up/data", chunks("abc", "def", "g"), (c) => seen.push(dec(c)));
    eq(n, 7, "size");
    eq(seen, ["abc", "def", "g"], "chunks seen");
    eq(dec(await d.getContent("/up/data")), "abcdefg", "content");
  });

  test("a failed writeStream leaves nothing behind", async (d) => {
    await d.putContent("/keep", enc("old"));
    let threw = false;
    try {
      await d.writeStream("/keep", failing("partial"));
    } catch {
      threw = true;
    }
    check(threw, "the stream's error reaches the caller");
    eq(dec(await d.getContent("/keep")), "old", "the old content is intact");
    try {
      await d.writeStream("/new/file", failing("partial"));
    } catch {
      // expected
    }
    await rejectsWith(d.stat("/new/file"), PathNotFoundError, "no half-written file");
  });

  test("move renames a file, replacing the destination", async (d) => {
    await d.putContent("/src", enc("new"));
    await d.putContent("/dst/x", enc("old"));
    await d.move("/src", "/dst/x");
    eq(dec(await d.getContent("/dst/x")), "new", "moved");
    await rejectsWith(d.stat("/src"), PathNotFoundError, "source gone");
  });

  test("move renames a directory tree", async (d) => {
    await d.putContent("/t/a", enc("1"));
    await d.putContent("/t/sub/b", enc("2"));
    await d.putContent("/u/old", enc("replaced"));
    await d.move("/t", "/u");
    eq(dec(await d.getContent("/u/a")), "1", "a");
    eq(dec(await d.getContent("/u/sub/b")), "2", "sub/b");
    await rejectsWith(d.stat("/u/old"), PathNotFoundError, "destination replaced");
    await rejectsWith(d.stat("/t"), PathNotFoundError, "source gone");
  });

  test("delete removes a file, or a whole tree, and empty parents vanish", async (d) => {
    await d.putContent("/x/y/z", enc("1"));
    await d.putContent("/x/w", enc("2"));
    await d.delete("/x/y");
    await rejectsWith(d.stat("/x/y/z"), PathNotFoundError, "tree gone");
    eq(await d.list("/x"), ["/x/w"], "sibling kept");
    await d.delete("/x/w");
    await rejectsWith(d.stat("/x"), PathNotFoundError, "empty parent gone");
  });

  test("paths are checked", async (d) => {
    for (const bad of ["relative", "/a/../b", "/a//b", "/a/./b", "/a/"]) {
      let threw = false;
      try {
        await d.putContent(bad, enc("x"));
      } catch {
        threw = true;
      }
      check(threw, `refused ${bad}`);
    }
  });

  test("large content survives (4 MiB)", async (d) => {
    const big = new Uint8Array(4 << 20);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff;
    async function* parts() {
      for (let i = 0; i < big.length; i += 1 << 20) yield big.subarray(i, i + (1 << 20));
    }
    eq(await d.writeStream("/big", parts()), big.length, "size");
    const back = await d.getContent("/big");
    eq(back.length, big.length, "length");
    check(back.every((v, i) => v === big[i]), "bytes");
  });

  return cases;
}

/** Checks that a driver made with a small quota fails writes past it with StorageFullError. */
export function quotaCase(makeFull: () => Promise<StorageDriver>): DriverCase {
  return {
    name: "a full store surfaces as StorageFullError and keeps what it had",
    async run() {
      const d = await makeFull();
      await d.putContent("/small", enc("ok"));
      await rejectsWith(d.putContent("/huge", new Uint8Array(1 << 20)), StorageFullError, "putContent");
      await rejectsWith(d.stat("/huge"), PathNotFoundError, "nothing written");
      eq(dec(await d.getContent("/small")), "ok", "earlier data intact");
    },
  };
}

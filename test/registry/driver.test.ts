// The storage driver suite (driver-suite.ts) against each driver Node can run:
// memory, files, and IndexedDB through fake-indexeddb (the browser tests run
// the same suite against the real thing).
import "fake-indexeddb/auto";
import { describe, it, after } from "node:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { driverSuite, quotaCase } from "./driver-suite.ts";
import { MemoryDriver } from "../../worker/registry/storage/memory.ts";
import { FsDriver } from "../../worker/registry/storage/fs.ts";
import { IdbDriver } from "../../worker/registry/storage/idb.ts";

describe("storage driver: memory", () => {
  for (const c of driverSuite(async () => new MemoryDriver())) it(c.name, c.run);
  const q = quotaCase(async () => new MemoryDriver(1000));
  it(q.name, q.run);
});

describe("storage driver: fs", () => {
  const dirs: string[] = [];
  after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const make = async () => {
    const dir = await mkdtemp(join(tmpdir(), "slipway-fs-driver-"));
    dirs.push(dir);
    return new FsDriver(dir);
  };
  for (const c of driverSuite(make)) it(c.name, c.run);
});

describe("storage driver: idb (fake-indexeddb)", () => {
  let n = 0;
  for (const c of driverSuite(async () => new IdbDriver(`slipway-test-${process.pid}-${n++}`))) it(c.name, c.run);
});

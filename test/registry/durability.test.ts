// What happens to stored data when things go wrong: a reload (a new
// registry on the same storage) in the middle of a push, and a full store.
// Run in-process through handle(Request), on each driver Node can run.
import "fake-indexeddb/auto";
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRegistry, type Registry } from "../../worker/registry/registry.ts";
import type { StorageDriver } from "../../worker/registry/storage/driver.ts";
import { MemoryDriver } from "../../worker/registry/storage/memory.ts";
import { FsDriver } from "../../worker/registry/storage/fs.ts";
import { IdbDriver } from "../../worker/registry/storage/idb.ts";
import { makeImage, pushBlob, ociManifest, errorCode, type Bytes } from "./helpers.ts";

const base = "http://registry.test";

function client(reg: Registry) {
  return (path: string, init?: RequestInit) => reg.handle(new Request(base + path, init));
}

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** Each driver kind, as a factory for "the same storage, opened again". */
const kinds: Array<[string, () => Promise<() => StorageDriver>]> = [
  [
    "memory",
    async () => {
      const d = new MemoryDriver();
      return () => d;
    },
  ],
  [
    "fs",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "slipway-durability-"));
      dirs.push(dir);
      return () => new FsDriver(dir);
    },
  ],
  [
    "idb",
    async () => {
      const name = `slipway-durability-${Math.random()}`;
      return () => new IdbDriver(name);
    },
  ],
];

for (const [kind, open] of kinds) {
  describe(`reload in the middle of a push (${kind})`, () => {
    it("leaves no half-written image, and the upload can go on", async () => {
      const storage = await open();
      const img = makeImage(50_000);
      const name = "my/app";

      // Before the reload: config pushed whole, layer half uploaded, no manifest yet.
      const before = client(createRegistry({ driver: storage() }));
      await pushBlob(before, name, img.config);
      const start = await before(`/v2/${name}/blobs/uploads/`, { method: "POST" });
      const loc = start.headers.get("location")!;
      const half = img.layer.byteLength / 2;
      const patch = await before(loc, { method: "PATCH", body: img.layer.slice(0, half), headers: { "Content-Range": `0-${half - 1}` } });
      assert.equal(patch.status, 202);

      // The reload: a new registry on the same storage, nothing kept in memory.
      const afterReload = client(createRegistry({ driver: storage() }));
      assert.equal(await errorCode(await afterReload(`/v2/${name}/tags/list`)), "NAME_UNKNOWN");
      assert.deepEqual(await (await afterReload("/v2/_catalog")).json(), { repositories: [] });
      assert.equal((await afterReload(`/v2/${name}/blobs/${img.layerDigest}`, { method: "HEAD" })).status, 404);
      const early = await afterReload(`/v2/${name}/manifests/v1`, { method: "PUT", body: img.manifest, headers: { "Content-Type": ociManifest } });
      assert.equal(await errorCode(early), "MANIFEST_BLOB_UNKNOWN");

      // The client resumes where the registry says the upload stands.
      const status = await afterReload(loc);
      assert.equal(status.headers.get("range"), `0-${half - 1}`);
      const put = await afterReload(`${loc}?digest=${img.layerDigest}`, {
        method: "PUT",
        body: img.layer.slice(half),
        headers: { "Content-Range": `${half}-${img.layer.byteLength - 1}` },
      });
      assert.equal(put.status, 201);
      const ok = await afterReload(`/v2/${name}/manifests/v1`, { method: "PUT", body: img.manifest, headers: { "Content-Type": ociManifest } });
      assert.equal(ok.status, 201);
      const layer = await afterReload(`/v2/${name}/blobs/${img.layerDigest}`);
      assert.deepEqual(new Uint8Array(await layer.arrayBuffer()), img.layer);
    });
  });
}

describe("a full store", () => {
  it("answers 507 DENIED with a clear message and stores nothing", async () => {
    const driver = new MemoryDriver(40_000);
    const api = client(createRegistry({ driver }));
    const small = await pushBlob(api, "q/app", "fits");
    const big = new Uint8Array(60_000).fill(7) as Bytes;
    const { createHash } = await import("node:crypto");
    const d = "sha256:" + createHash("sha256").update(big).digest("hex");
    const res = await api(`/v2/q/app/blobs/uploads/?digest=${d}`, { method: "POST", body: big });
    assert.equal(res.status, 507);
    const body = (await res.json()) as { errors: Array<{ code: string; message: string }> };
    assert.equal(body.errors[0].code, "DENIED");
    assert.match(body.errors[0].message, /storage full/);
    assert.equal((await api(`/v2/q/app/blobs/${d}`, { method: "HEAD" })).status, 404);
    assert.equal(await (await api(`/v2/q/app/blobs/${small}`)).text(), "fits");
    // Nothing half-written is taking up the space: a push that fits still works.
    await pushBlob(api, "q/app", new Uint8Array(30_000).fill(1) as Bytes);
  });
});

// The built-in "Docker Hub": the registry pre-filled from the base-image
// layouts, lazily, and without ever overriding what a user pushed.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createRegistry, type Registry } from "../../worker/registry/registry.ts";
import { FsDriver } from "../../worker/registry/storage/fs.ts";
import { dirSource, nodeHasher } from "../../worker/node/registry-node.ts";
import { buildImages, tempDir, makeImage, pushImage, writeLayout, sha256, ociManifest } from "./helpers.ts";

const base = "http://hub.test";
const client = (reg: Registry) => (path: string, init?: RequestInit) => reg.handle(new Request(base + path, init));
const open = (dir: string, images: string) => createRegistry({ driver: new FsDriver(dir), seed: dirSource(images), hasher: nodeHasher });

/** Every blob file the registry stores, by digest. */
async function storedBlobs(dir: string): Promise<string[]> {
  const root = join(dir, "docker/registry/v2/blobs/sha256");
  const out: string[] = [];
  for (const pre of await readdir(root)) for (const hex of await readdir(join(root, pre))) out.push(hex);
  return out.sort();
}

let images: string;
const dirs: string[] = [];
const dir = async () => {
  const d = await tempDir();
  dirs.push(d);
  return d;
};

before(async () => {
  images = await buildImages();
});
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("seeding the base images", () => {
  it("seeds lazily, on the first request for an image", async () => {
    const reg = open(await dir(), images);
    assert.deepEqual(await reg.store.repositories(), [], "nothing before a request");
    const api = client(reg);
    const index = JSON.parse(await readFile(join(images, "hello-world/index.json"), "utf8"));
    const want = index.manifests[0].digest as string;
    const res = await api("/v2/hello-world/manifests/latest", { headers: { Accept: ociManifest } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("docker-content-digest"), want);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(await readFile(join(images, "hello-world/blobs/sha256", want.slice(7)))));
    assert.deepEqual(await reg.store.repositories(), ["hello-world"], "only what was asked for");
    const cat = await (await api("/v2/_catalog")).json();
    assert.deepEqual(cat, { repositories: ["busybox", "docker/getting-started", "hello-world"] });
  });

  it("stores a layer shared by two images once", async () => {
    const d = await dir();
    const reg = open(d, images);
    await reg.seed();
    const want = new Set<string>();
    for (const name of ["busybox", "hello-world", "docker/getting-started"]) {
      for (const f of await readdir(join(images, name, "blobs/sha256"))) want.add(f);
    }
    assert.deepEqual(await storedBlobs(d), [...want].sort());
    const gs = await (await client(reg)("/v2/docker/getting-started/manifests/latest")).json();
    const bb = await (await client(reg)("/v2/busybox/manifests/latest")).json();
    assert.equal(gs.layers[0].digest, bb.layers[0].digest, "getting-started is built on busybox's layer");
  });

  it("re-seeding keeps a user's push and duplicates nothing", async () => {
    const d = await dir();
    const first = open(d, images);
    await first.seed();
    const mine = makeImage();
    assert.equal((await pushImage(client(first), "busybox", "latest", mine)).status, 201);
    const blobs = await storedBlobs(d);

    const again = open(d, images); // a reload: seeding runs again
    await again.seed();
    const api = client(again);
    const res = await api("/v2/busybox/manifests/latest");
    assert.equal(res.headers.get("docker-content-digest"), mine.manifestDigest, "the user's busybox:latest survives");
    assert.equal((await api("/v2/hello-world/manifests/latest")).status, 200);
    assert.deepEqual(await storedBlobs(d), blobs, "no blob added twice");
  });

  it("a new build moves the tags it owns, and only those", async () => {
    const layouts = await tempDir("slipway-layouts-");
    dirs.push(layouts);
    const d = await dir();
    const v1 = makeImage();
    await writeLayout(layouts, "hello-world", v1);
    await writeLayout(layouts, "tool", v1, "latest", ["hello-world", "tool"]);
    await open(d, layouts).seed();

    // The user re-points tool:latest; then the base images are rebuilt.
    const own = makeImage();
    assert.equal((await pushImage(client(open(d, layouts)), "tool", "latest", own)).status, 201);
    const v2 = makeImage();
    await rm(layouts, { recursive: true });
    await writeLayout(layouts, "hello-world", v2);
    await writeLayout(layouts, "tool", v2, "latest", ["hello-world", "tool"]);

    const api = client(open(d, layouts));
    assert.equal((await api("/v2/hello-world/manifests/latest")).headers.get("docker-content-digest"), v2.manifestDigest);
    assert.equal((await api("/v2/tool/manifests/latest")).headers.get("docker-content-digest"), own.manifestDigest);
    assert.equal((await api(`/v2/hello-world/manifests/${v1.manifestDigest}`)).status, 200, "the old one is still there by digest");
  });

  it("refuses a layout blob that does not match its digest", async () => {
    const layouts = await tempDir("slipway-layouts-");
    dirs.push(layouts);
    const img = makeImage();
    await writeLayout(layouts, "broken", img);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(layouts, "broken/blobs/sha256", sha256(img.layer).slice(7)), "corrupt");
    const reg = open(await dir(), layouts);
    const res = await client(reg)("/v2/broken/manifests/latest");
    assert.equal(res.status, 404);
    assert.deepEqual(await reg.store.repositories(), []);
  });
});

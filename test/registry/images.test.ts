// The base images as built by kernel-image/images/build.sh: reproducible,
// with gzip layers and a real config.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { buildImages, tempDir, run, repoRoot, sha256 } from "./helpers.ts";

const bases = ["busybox", "hello-world", "docker/getting-started"];
let images: string;
let second: string;

async function blob(layout: string, digest: string): Promise<Buffer> {
  return readFile(join(layout, "blobs/sha256", digest.slice(7)));
}

before(async () => {
  images = await buildImages();
  second = await tempDir("slipway-images-again-");
  await run("bash", [join(repoRoot, "kernel-image/images/build.sh"), second], { maxBuffer: 16 << 20 });
});
after(() => rm(second, { recursive: true, force: true }));

describe("base images", () => {
  it("lists every image in images.json", async () => {
    assert.deepEqual(JSON.parse(await readFile(join(images, "images.json"), "utf8")), bases);
  });

  it("builds reproducibly: a second build has the same digests", async () => {
    for (const name of bases) {
      const a = await readFile(join(images, name, "index.json"), "utf8");
      const b = await readFile(join(second, name, "index.json"), "utf8");
      assert.equal(a, b, name);
    }
  });

  for (const name of bases) {
    it(`${name}: an OCI layout tagged latest, gzip layers, a real 386 config`, async () => {
      const layout = join(images, name);
      assert.deepEqual(JSON.parse(await readFile(join(layout, "oci-layout"), "utf8")), { imageLayoutVersion: "1.0.0" });
      const index = JSON.parse(await readFile(join(layout, "index.json"), "utf8"));
      assert.equal(index.manifests.length, 1);
      assert.equal(index.manifests[0].annotations["org.opencontainers.image.ref.name"], "latest");
      const manifestBytes = await blob(layout, index.manifests[0].digest);
      assert.equal(sha256(manifestBytes), index.manifests[0].digest);
      const manifest = JSON.parse(manifestBytes.toString());
      assert.equal(manifest.mediaType, "application/vnd.oci.image.manifest.v1+json");
      const config = JSON.parse((await blob(layout, manifest.config.digest)).toString());
      assert.equal(config.architecture, "386");
      assert.equal(config.os, "linux");
      assert.ok(config.config.Env.some((e: string) => e.startsWith("PATH=")));
      assert.ok(Array.isArray(config.config.Cmd));
      assert.equal(config.rootfs.diff_ids.length, manifest.layers.length);
      assert.equal(config.history.filter((h: { empty_layer?: boolean }) => !h.empty_layer).length, manifest.layers.length);
      for (const [i, layer] of manifest.layers.entries()) {
        assert.equal(layer.mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
        const gz = await blob(layout, layer.digest);
        assert.equal(gz.length, layer.size);
        assert.equal(sha256(gunzipSync(gz)), config.rootfs.diff_ids[i], "diff_id is the uncompressed tar's digest");
      }
      if (name === "docker/getting-started") {
        assert.deepEqual(config.config.ExposedPorts, { "80/tcp": {} });
        assert.deepEqual(config.config.Cmd.slice(0, 2), ["httpd", "-f"]);
      }
    });
  }
});

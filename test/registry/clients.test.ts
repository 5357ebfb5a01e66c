// Real clients against our registry, with Debian's packages as the
// reference: skopeo (copy both ways, inspect), distribution's own
// docker-registry (same pushes, same digests and tags), umoci (our layouts
// unpack). Needs the apt packages skopeo, docker-registry and umoci.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { startTestServer, buildImages, tempDir, run, makeImage, writeLayout, type TestServer } from "./helpers.ts";
import { startDockerRegistry } from "./docker-registry.ts";

const bases = ["busybox", "hello-world", "docker/getting-started"];

async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run("skopeo", ["--insecure-policy", ...args], { maxBuffer: 64 << 20 });
  return stdout;
}

/** Every file of an OCI layout's blobs folder, by name, with its bytes. */
async function layoutBlobs(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const root = join(dir, "blobs/sha256");
  for (const f of await readdir(root)) out.set(f, await readFile(join(root, f)));
  return out;
}

function manifestOf(indexJson: string): string {
  return JSON.parse(indexJson).manifests[0].digest;
}

let images: string;
let srv: TestServer;
let host: string;
const temps: string[] = [];

before(async () => {
  images = await buildImages();
  srv = await startTestServer();
  host = new URL(srv.url).host;
});
after(async () => {
  await srv.stop();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describe("skopeo", () => {
  it("copies each base image layout to our registry and back byte-identical", async () => {
    for (const name of bases) {
      const src = join(images, name);
      await skopeo("copy", "--dest-tls-verify=false", `oci:${src}:latest`, `docker://${host}/${name}:latest`);
      const back = await tempDir("slipway-back-");
      temps.push(back);
      await skopeo("copy", "--src-tls-verify=false", `docker://${host}/${name}:latest`, `oci:${back}:latest`);
      const want = await layoutBlobs(src);
      const got = await layoutBlobs(back);
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${name}: same blobs`);
      for (const [k, v] of want) assert.ok(v.equals(got.get(k)!), `${name}: blob ${k} identical`);
      assert.equal(
        manifestOf(await readFile(join(back, "index.json"), "utf8")),
        manifestOf(await readFile(join(src, "index.json"), "utf8")),
        `${name}: same manifest digest`,
      );
    }
  });

  it("inspects an image on our registry", async () => {
    const src = join(images, "docker/getting-started");
    await skopeo("copy", "--dest-tls-verify=false", `oci:${src}:latest`, `docker://${host}/inspect/me:v1`);
    const info = JSON.parse(await skopeo("inspect", "--tls-verify=false", `docker://${host}/inspect/me:v1`));
    assert.equal(info.Digest, manifestOf(await readFile(join(src, "index.json"), "utf8")));
    assert.equal(info.Architecture, "386");
    assert.equal(info.Os, "linux");
    assert.deepEqual(info.RepoTags, ["v1"]);
    assert.equal(info.Layers.length, 2);
    const raw = await skopeo("inspect", "--raw", "--tls-verify=false", `docker://${host}/inspect/me:v1`);
    assert.equal(raw, await readFile(join(src, "blobs/sha256", info.Digest.slice(7)), "utf8"), "--raw gives the stored bytes");
    const config = JSON.parse(await skopeo("inspect", "--config", "--tls-verify=false", `docker://${host}/inspect/me:v1`));
    assert.deepEqual(config.config.ExposedPorts, { "80/tcp": {} });
    assert.deepEqual(config.config.Cmd, ["httpd", "-f", "-v", "-p", "80", "-h", "/usr/share/getting-started"]);
    const tags = JSON.parse(await skopeo("list-tags", "--tls-verify=false", `docker://${host}/inspect/me`));
    assert.deepEqual(tags.Tags, ["v1"]);
  });

  it("copies between two repositories of our registry (cross-repository mount)", async () => {
    await skopeo("copy", "--dest-tls-verify=false", `oci:${join(images, "busybox")}:latest`, `docker://${host}/mount/src:latest`);
    await skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${host}/mount/src:latest`, `docker://${host}/mount/dst:latest`);
    const a = JSON.parse(await skopeo("inspect", "--tls-verify=false", `docker://${host}/mount/src:latest`));
    const b = JSON.parse(await skopeo("inspect", "--tls-verify=false", `docker://${host}/mount/dst:latest`));
    assert.equal(a.Digest, b.Digest);
  });
});

describe("against distribution's docker-registry", () => {
  it("the same pushes give the same digests and tags", async () => {
    const ref = await startDockerRegistry();
    try {
      const extra = await tempDir("slipway-extra-");
      temps.push(extra);
      await writeLayout(extra, "random", makeImage(100_000));
      const pushes: Array<[string, string, string]> = [
        ...bases.map((b): [string, string, string] => [join(images, b), `${b}`, "latest"]),
        [join(images, "busybox"), "busybox", "1.35"],
        [join(extra, "random"), "some/random", "v1"],
      ];
      for (const [layout, name, tag] of pushes) {
        for (const h of [host, ref.host]) {
          await skopeo("copy", "--dest-tls-verify=false", `oci:${layout}:latest`, `docker://${h}/${name}:${tag}`);
        }
      }
      for (const [, name, tag] of pushes) {
        const [ours, theirs] = await Promise.all(
          [host, ref.host].map(async (h) => JSON.parse(await skopeo("inspect", "--tls-verify=false", `docker://${h}/${name}:${tag}`))),
        );
        assert.equal(ours.Digest, theirs.Digest, `${name}:${tag} digest`);
        assert.deepEqual(ours.Layers, theirs.Layers, `${name}:${tag} layers`);
        const [t1, t2] = await Promise.all([host, ref.host].map(async (h) => JSON.parse(await skopeo("list-tags", "--tls-verify=false", `docker://${h}/${name}`)).Tags));
        assert.deepEqual([...t1].sort(), [...t2].sort(), `${name} tags`);
        // And at the HTTP level: the same answer headers for the manifest.
        const [r1, r2] = await Promise.all(
          [srv.url, ref.url].map((u) => fetch(`${u}/v2/${name}/manifests/${tag}`, { method: "HEAD", headers: { Accept: "application/vnd.oci.image.manifest.v1+json" } })),
        );
        assert.equal(r1.headers.get("docker-content-digest"), r2.headers.get("docker-content-digest"));
        assert.equal(r1.headers.get("content-type"), r2.headers.get("content-type"));
        assert.equal(r1.headers.get("content-length"), r2.headers.get("content-length"));
      }
    } finally {
      await ref.stop();
    }
  });
});

describe("umoci", () => {
  it("unpacks each base-image layout", async () => {
    for (const name of bases) {
      const work = await tempDir("slipway-umoci-");
      temps.push(work);
      const bundle = join(work, "bundle");
      await run("umoci", ["unpack", "--image", `${join(images, name)}:latest`, bundle]);
      const config = JSON.parse(await readFile(join(bundle, "config.json"), "utf8"));
      const rootfs = join(bundle, "rootfs");
      if (name === "hello-world") {
        assert.deepEqual(config.process.args, ["/hello"]);
        const { stdout } = await run(join(rootfs, "hello"));
        assert.match(stdout, /Hello from Docker!/);
        assert.match(stdout, /Docker Hub/);
      } else {
        assert.ok((await stat(join(rootfs, "bin/busybox"))).isFile());
        assert.equal(((await stat(join(rootfs, "tmp"))).mode & 0o7777).toString(8), "1777");
        assert.match(await readFile(join(rootfs, "etc/passwd"), "utf8"), /^root:x:0:0:/);
        await assert.rejects(stat(join(rootfs, "etc/hosts")), "no /etc/hosts: the runtime writes it");
        if (name === "busybox") assert.deepEqual(config.process.args, ["sh"]);
        else {
          assert.match(await readFile(join(rootfs, "usr/share/getting-started/index.html"), "utf8"), /<html/);
          assert.equal(config.process.cwd, "/usr/share/getting-started");
        }
      }
    }
  });

  it("unpacks an image pulled back from our registry", async () => {
    const back = await tempDir("slipway-umoci-back-");
    temps.push(back);
    await skopeo("copy", "--dest-tls-verify=false", `oci:${join(images, "hello-world")}:latest`, `docker://${host}/umoci/hello:latest`);
    await skopeo("copy", "--src-tls-verify=false", `docker://${host}/umoci/hello:latest`, `oci:${join(back, "layout")}:latest`);
    await run("umoci", ["unpack", "--image", `${join(back, "layout")}:latest`, join(back, "bundle")]);
    const { stdout } = await run(join(back, "bundle/rootfs/hello"));
    assert.match(stdout, /Hello from Docker!/);
  });
});

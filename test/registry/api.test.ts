// The OCI Distribution API over HTTP, endpoint by endpoint and error by
// error, against the Node server (`slipway registry`) on a free port.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import {
  startTestServer,
  errorCode,
  pushBlob,
  pushImage,
  makeImage,
  sha256,
  utf8,
  ociManifest,
  ociIndex,
  type TestServer,
  type Bytes,
} from "./helpers.ts";

let srv: TestServer;
let api: TestServer["api"];
let n = 0;
/** A fresh repository name per test, so tests do not see each other's pushes. */
const repo = (prefix = "t") => `${prefix}/repo-${n++}`;

before(async () => {
  srv = await startTestServer();
  api = srv.api;
});
after(async () => {
  await srv.stop();
});

describe("base", () => {
  it("GET /v2/ says registry/2.0", async () => {
    const res = await api("/v2/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("docker-distribution-api-version"), "registry/2.0");
    assert.deepEqual(await res.json(), {});
  });

  it("an unknown endpoint is a 404 with the error JSON", async () => {
    const res = await api("/v2/foo/bar");
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), "UNSUPPORTED");
  });

  it("a method a route does not take is 405 UNSUPPORTED with Allow", async () => {
    const res = await api(`/v2/${repo()}/tags/list`, { method: "POST" });
    assert.equal(res.status, 405);
    assert.match(res.headers.get("allow")!, /GET/);
    assert.equal(await errorCode(res), "UNSUPPORTED");
  });
});

describe("push: blobs", () => {
  it("POST then PUT (monolithic) stores the blob", async () => {
    const name = repo();
    const data = utf8("hello, blob");
    const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    assert.equal(start.status, 202);
    const loc = start.headers.get("location")!;
    assert.match(loc, new RegExp(`^/v2/${name}/blobs/uploads/[0-9a-f-]{36}$`));
    assert.equal(start.headers.get("docker-upload-uuid"), loc.split("/").pop());
    assert.equal(start.headers.get("range"), "0-0");
    const d = sha256(data);
    const put = await api(`${loc}?digest=${d}`, { method: "PUT", body: data });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get("location"), `/v2/${name}/blobs/${d}`);
    assert.equal(put.headers.get("docker-content-digest"), d);
    const get = await api(`/v2/${name}/blobs/${d}`);
    assert.equal(get.status, 200);
    assert.equal(get.headers.get("docker-content-digest"), d);
    assert.equal(await get.text(), "hello, blob");
  });

  it("a single POST with ?digest= stores the blob", async () => {
    const name = repo();
    const data = new Uint8Array(randomBytes(5000)) as Bytes;
    const d = sha256(data);
    const res = await api(`/v2/${name}/blobs/uploads/?digest=${d}`, { method: "POST", body: data, headers: { "Content-Type": "application/octet-stream" } });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("location"), `/v2/${name}/blobs/${d}`);
    assert.equal(res.headers.get("docker-content-digest"), d);
    const head = await api(`/v2/${name}/blobs/${d}`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "5000");
  });

  it("chunked PATCH with Content-Range, status in between, PUT to finish", async () => {
    const name = repo();
    const data = new Uint8Array(randomBytes(3000)) as Bytes;
    const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    let loc = start.headers.get("location")!;
    for (const [a, b] of [[0, 1000], [1000, 2500]]) {
      const res = await api(loc, {
        method: "PATCH",
        body: data.slice(a, b),
        headers: { "Content-Type": "application/octet-stream", "Content-Range": `${a}-${b - 1}` },
      });
      assert.equal(res.status, 202);
      assert.equal(res.headers.get("range"), `0-${b - 1}`);
      loc = res.headers.get("location")!;
    }
    const status = await api(loc);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get("range"), "0-2499");
    // The last chunk rides on the PUT.
    const put = await api(`${loc}?digest=${sha256(data)}`, { method: "PUT", body: data.slice(2500), headers: { "Content-Range": "2500-2999" } });
    assert.equal(put.status, 201);
    const get = await api(`/v2/${name}/blobs/${sha256(data)}`);
    assert.deepEqual(new Uint8Array(await get.arrayBuffer()), data);
  });

  it("a streamed PATCH without Content-Range appends", async () => {
    const name = repo();
    const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    const loc = start.headers.get("location")!;
    const r1 = await api(loc, { method: "PATCH", body: utf8("abc") });
    assert.equal(r1.status, 202);
    const r2 = await api(loc, { method: "PATCH", body: utf8("def") });
    assert.equal(r2.headers.get("range"), "0-5");
    const put = await api(`${loc}?digest=${sha256("abcdef")}`, { method: "PUT" });
    assert.equal(put.status, 201);
  });

  it("an out-of-order chunk gets 416 and changes nothing", async () => {
    const name = repo();
    const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    const loc = start.headers.get("location")!;
    await api(loc, { method: "PATCH", body: utf8("0123456789"), headers: { "Content-Range": "0-9" } });
    const res = await api(loc, { method: "PATCH", body: utf8("xxxxx"), headers: { "Content-Range": "20-24" } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get("range"), "0-9");
    assert.equal(await errorCode(res), "BLOB_UPLOAD_INVALID");
    const overlap = await api(loc, { method: "PATCH", body: utf8("xxxxx"), headers: { "Content-Range": "5-9" } });
    assert.equal(overlap.status, 416);
    const status = await api(loc);
    assert.equal(status.headers.get("range"), "0-9");
  });

  it("a PUT with the wrong digest is DIGEST_INVALID and stores nothing", async () => {
    const name = repo();
    const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    const loc = start.headers.get("location")!;
    const wrong = sha256("something else");
    const res = await api(`${loc}?digest=${wrong}`, { method: "PUT", body: utf8("actual content") });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), "DIGEST_INVALID");
    assert.equal((await api(`/v2/${name}/blobs/${wrong}`, { method: "HEAD" })).status, 404);
    assert.equal((await api(`/v2/${name}/blobs/${sha256("actual content")}`, { method: "HEAD" })).status, 404);
    // And the failed upload is gone rather than left half-done.
    assert.equal((await api(loc)).status, 404);
  });

  it("a single POST with a wrong digest is DIGEST_INVALID", async () => {
    const name = repo();
    const res = await api(`/v2/${name}/blobs/uploads/?digest=${sha256("x")}`, { method: "POST", body: utf8("y") });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), "DIGEST_INVALID");
    assert.equal((await api(`/v2/${name}/blobs/${sha256("y")}`, { method: "HEAD" })).status, 404);
  });

  it("malformed digests are DIGEST_INVALID", async () => {
    const name = repo();
    for (const bad of ["sha256:abc", "sha256:" + "G".repeat(64), "nocolon", "sha256:" + "A".repeat(64)]) {
      const res = await api(`/v2/${name}/blobs/${bad}`);
      assert.equal(res.status, 400, bad);
      assert.equal(await errorCode(res), "DIGEST_INVALID", bad);
    }
    const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    const put = await api(`${start.headers.get("location")}?digest=sha256:short`, { method: "PUT", body: utf8("x") });
    assert.equal(await errorCode(put), "DIGEST_INVALID");
    const none = await api(`${start.headers.get("location")}`, { method: "PUT", body: utf8("x") });
    assert.equal(none.status, 400);
    assert.equal(await errorCode(none), "DIGEST_INVALID");
  });

  it("sha512 digests are verified too", async () => {
    const name = repo();
    const { createHash } = await import("node:crypto");
    const d = "sha512:" + createHash("sha512").update("five-twelve").digest("hex");
    const res = await api(`/v2/${name}/blobs/uploads/?digest=${d}`, { method: "POST", body: utf8("five-twelve") });
    assert.equal(res.status, 201);
    assert.equal(await (await api(`/v2/${name}/blobs/${d}`)).text(), "five-twelve");
  });

  it("an unknown upload id is BLOB_UPLOAD_UNKNOWN for every method", async () => {
    const name = repo();
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      for (const method of ["GET", "PATCH", "PUT", "DELETE"]) {
        const body = method === "PATCH" || method === "PUT" ? utf8("x") : undefined;
        const res = await api(`/v2/${name}/blobs/uploads/${id}?digest=${sha256("x")}`, { method, body });
        assert.equal(res.status, 404, `${method} ${id}`);
        assert.equal(await errorCode(res), "BLOB_UPLOAD_UNKNOWN", `${method} ${id}`);
      }
    }
    assert.equal((await api(`/v2/${name}/blobs/${sha256("x")}`, { method: "HEAD" })).status, 404);
  });

  it("DELETE on an upload cancels it", async () => {
    const name = repo();
    const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    const loc = start.headers.get("location")!;
    await api(loc, { method: "PATCH", body: utf8("partial") });
    const del = await api(loc, { method: "DELETE" });
    assert.equal(del.status, 204);
    const again = await api(loc);
    assert.equal(again.status, 404);
    assert.equal(await errorCode(again), "BLOB_UPLOAD_UNKNOWN");
  });

  it("a body shorter than its Content-Length is refused and stores nothing (in-process)", async () => {
    const name = repo();
    const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    const loc = start.headers.get("location")!;
    await api(loc, { method: "PATCH", body: utf8("12345") });
    // fetch will not send a lying Content-Length; the handler can be handed one directly.
    const res = await srv.registry.handle(
      new Request(srv.url + loc, { method: "PATCH", body: utf8("678"), headers: { "Content-Length": "100" } }),
    );
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), "SIZE_INVALID");
    assert.equal((await api(loc)).headers.get("range"), "0-4");
    // The same for a monolithic push.
    const mono = await srv.registry.handle(
      new Request(`${srv.url}/v2/${name}/blobs/uploads/?digest=${sha256("abc")}`, { method: "POST", body: utf8("abc"), headers: { "Content-Length": "10" } }),
    );
    assert.equal(await errorCode(mono), "SIZE_INVALID");
    assert.equal((await api(`/v2/${name}/blobs/${sha256("abc")}`, { method: "HEAD" })).status, 404);
  });

  it("a connection cut mid-body stores nothing (over HTTP)", async () => {
    const name = repo();
    const start = await api(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    const loc = start.headers.get("location")!;
    const port = new URL(srv.url).port;
    await new Promise<void>((resolve) => {
      const sock = connect(Number(port), "127.0.0.1", () => {
        sock.write(`PATCH ${loc} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n`);
        sock.write("only a few bytes");
        setTimeout(() => sock.destroy(), 100);
      });
      sock.on("close", () => resolve());
      sock.on("error", () => {});
    });
    await new Promise((r) => setTimeout(r, 100));
    const status = await api(loc);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get("range"), "0-0");
    const put = await api(`${loc}?digest=${sha256("")}`, { method: "PUT" });
    assert.equal(put.status, 201, "the upload is still usable, and still empty");
  });
});

describe("push: cross-repository mount", () => {
  it("mounts a blob from another repository with 201", async () => {
    const a = repo();
    const b = repo();
    const d = await pushBlob(api, a, "shared layer");
    const res = await api(`/v2/${b}/blobs/uploads/?mount=${d}&from=${a}`, { method: "POST" });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("location"), `/v2/${b}/blobs/${d}`);
    assert.equal(res.headers.get("docker-content-digest"), d);
    assert.equal(await (await api(`/v2/${b}/blobs/${d}`)).text(), "shared layer");
  });

  it("falls back to a new upload (202) when the blob is not there", async () => {
    const a = repo();
    const b = repo();
    const res = await api(`/v2/${b}/blobs/uploads/?mount=${sha256("missing")}&from=${a}`, { method: "POST" });
    assert.equal(res.status, 202);
    assert.match(res.headers.get("location")!, /\/blobs\/uploads\//);
    assert.equal((await api(`/v2/${b}/blobs/${sha256("missing")}`, { method: "HEAD" })).status, 404);
  });

  it("will not mount from a repository that does not have the blob", async () => {
    const a = repo();
    const b = repo();
    const c = repo();
    const d = await pushBlob(api, a, "only in a");
    const res = await api(`/v2/${c}/blobs/uploads/?mount=${d}&from=${b}`, { method: "POST" });
    assert.equal(res.status, 202);
  });
});

describe("pull: blobs", () => {
  it("HEAD and GET, with Range", async () => {
    const name = repo();
    const d = await pushBlob(api, name, "0123456789");
    const head = await api(`/v2/${name}/blobs/${d}`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "10");
    assert.equal(head.headers.get("docker-content-digest"), d);
    assert.equal(await head.text(), "");
    const part = await api(`/v2/${name}/blobs/${d}`, { headers: { Range: "bytes=2-5" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 2-5/10");
    assert.equal(await part.text(), "2345");
    const tail = await api(`/v2/${name}/blobs/${d}`, { headers: { Range: "bytes=7-" } });
    assert.equal(await tail.text(), "789");
    const suffix = await api(`/v2/${name}/blobs/${d}`, { headers: { Range: "bytes=-2" } });
    assert.equal(await suffix.text(), "89");
    const bad = await api(`/v2/${name}/blobs/${d}`, { headers: { Range: "bytes=50-60" } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get("content-range"), "bytes */10");
  });

  it("an unknown blob is BLOB_UNKNOWN, and blobs are per repository", async () => {
    const a = repo();
    const b = repo();
    const d = await pushBlob(api, a, "mine");
    const other = await api(`/v2/${b}/blobs/${d}`);
    assert.equal(other.status, 404);
    assert.equal(await errorCode(other), "BLOB_UNKNOWN");
    const none = await api(`/v2/${a}/blobs/${sha256("nope")}`);
    assert.equal(await errorCode(none), "BLOB_UNKNOWN");
    const head = await api(`/v2/${a}/blobs/${sha256("nope")}`, { method: "HEAD" });
    assert.equal(head.status, 404);
  });
});

describe("manifests", () => {
  it("PUT by tag, then GET/HEAD by tag and by digest, byte-exact", async () => {
    const name = repo();
    const img = makeImage();
    const put = await pushImage(api, name, "v1", img);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get("location"), `/v2/${name}/manifests/${img.manifestDigest}`);
    assert.equal(put.headers.get("docker-content-digest"), img.manifestDigest);
    for (const ref of ["v1", img.manifestDigest]) {
      const get = await api(`/v2/${name}/manifests/${ref}`, { headers: { Accept: ociManifest } });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get("content-type"), ociManifest);
      assert.equal(get.headers.get("docker-content-digest"), img.manifestDigest);
      assert.deepEqual(new Uint8Array(await get.arrayBuffer()), img.manifest);
      const head = await api(`/v2/${name}/manifests/${ref}`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-length"), String(img.manifest.byteLength));
      assert.equal(head.headers.get("docker-content-digest"), img.manifestDigest);
    }
  });

  it("PUT by digest", async () => {
    const name = repo();
    const img = makeImage();
    const put = await pushImage(api, name, img.manifestDigest, img);
    assert.equal(put.status, 201);
    assert.equal((await api(`/v2/${name}/manifests/${img.manifestDigest}`)).status, 200);
  });

  it("PUT by a digest that does not match is DIGEST_INVALID and stores nothing", async () => {
    const name = repo();
    const img = makeImage();
    const wrong = sha256("another manifest");
    const put = await pushImage(api, name, wrong, img);
    assert.equal(put.status, 400);
    assert.equal(await errorCode(put), "DIGEST_INVALID");
    assert.equal((await api(`/v2/${name}/manifests/${img.manifestDigest}`)).status, 404);
    assert.equal((await api(`/v2/${name}/manifests/${wrong}`)).status, 404);
  });

  it("a malformed manifest is MANIFEST_INVALID and stores nothing", async () => {
    const name = repo();
    const img = makeImage();
    await pushImage(api, name, "keep", img);
    const bad: Array<[string, string]> = [
      ["{not json", ociManifest],
      ["[]", ociManifest],
      [JSON.stringify({ schemaVersion: 1, mediaType: ociManifest }), ociManifest],
      [JSON.stringify({ schemaVersion: 2, mediaType: ociManifest, layers: [] }), ociManifest],
      [JSON.stringify({ schemaVersion: 2, mediaType: ociManifest, config: { digest: "sha256:x", size: 1, mediaType: "a/b" }, layers: [] }), ociManifest],
      [JSON.stringify({ schemaVersion: 2, mediaType: ociManifest, config: { digest: img.configDigest, size: -1, mediaType: "a/b" }, layers: [] }), ociManifest],
      [JSON.stringify({ schemaVersion: 2, mediaType: "application/x-unknown", config: {}, layers: [] }), "application/x-unknown"],
      // Content-Type says index, body says manifest.
      [new TextDecoder().decode(img.manifest), ociIndex],
    ];
    for (const [body, type] of bad) {
      const res = await api(`/v2/${name}/manifests/keep`, { method: "PUT", body, headers: { "Content-Type": type } });
      assert.equal(res.status, 400, body);
      assert.equal(await errorCode(res), "MANIFEST_INVALID", body);
    }
    const get = await api(`/v2/${name}/manifests/keep`);
    assert.equal(get.headers.get("docker-content-digest"), img.manifestDigest, "the tag still points at the good one");
    assert.deepEqual((await (await api(`/v2/${name}/tags/list`)).json()).tags, ["keep"]);
  });

  it("a manifest naming missing blobs is MANIFEST_BLOB_UNKNOWN and stores nothing", async () => {
    const name = repo();
    const img = makeImage();
    await pushBlob(api, name, img.config); // the layer is never pushed
    const res = await api(`/v2/${name}/manifests/v1`, { method: "PUT", body: img.manifest, headers: { "Content-Type": ociManifest } });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { errors: Array<{ code: string; detail: { digest: string } }> };
    assert.equal(body.errors[0].code, "MANIFEST_BLOB_UNKNOWN");
    assert.equal(body.errors[0].detail.digest, img.layerDigest);
    assert.equal((await api(`/v2/${name}/manifests/v1`)).status, 404);
    assert.equal((await api(`/v2/${name}/manifests/${img.manifestDigest}`)).status, 404);
    assert.equal(await errorCode(await api(`/v2/${name}/tags/list`)), "NAME_UNKNOWN");
  });

  it("a blob in another repository does not count for a manifest", async () => {
    const a = repo();
    const b = repo();
    const img = makeImage();
    await pushBlob(api, a, img.config);
    await pushBlob(api, a, img.layer);
    const res = await api(`/v2/${b}/manifests/v1`, { method: "PUT", body: img.manifest, headers: { "Content-Type": ociManifest } });
    assert.equal(await errorCode(res), "MANIFEST_BLOB_UNKNOWN");
  });

  it("an index needs its manifests, and honours Accept", async () => {
    const name = repo();
    const img = makeImage();
    const index = utf8(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: ociIndex,
        manifests: [{ mediaType: ociManifest, digest: img.manifestDigest, size: img.manifest.byteLength, platform: { architecture: "386", os: "linux" } }],
      }),
    );
    const early = await api(`/v2/${name}/manifests/multi`, { method: "PUT", body: index, headers: { "Content-Type": ociIndex } });
    assert.equal(await errorCode(early), "MANIFEST_BLOB_UNKNOWN");
    await pushImage(api, name, img.manifestDigest, img);
    const put = await api(`/v2/${name}/manifests/multi`, { method: "PUT", body: index, headers: { "Content-Type": ociIndex } });
    assert.equal(put.status, 201);
    const onlyManifests = await api(`/v2/${name}/manifests/multi`, { headers: { Accept: ociManifest } });
    assert.equal(onlyManifests.status, 404);
    assert.equal(await errorCode(onlyManifests), "MANIFEST_UNKNOWN");
    const both = await api(`/v2/${name}/manifests/multi`, { headers: { Accept: `${ociManifest}, ${ociIndex};q=0.9` } });
    assert.equal(both.status, 200);
    assert.equal(both.headers.get("content-type"), ociIndex);
    const any = await api(`/v2/${name}/manifests/multi`, { headers: { Accept: "*/*" } });
    assert.equal(any.status, 200);
    const none = await api(`/v2/${name}/manifests/multi`);
    assert.equal(none.status, 200);
    // By digest the client asked for exact bytes: Accept does not get in the way.
    const byDigest = await api(`/v2/${name}/manifests/${sha256(index)}`, { headers: { Accept: ociManifest } });
    assert.equal(byDigest.status, 200);
  });

  it("Docker schema 2 manifests are taken too", async () => {
    const name = repo();
    const img = makeImage();
    await pushBlob(api, name, img.config);
    await pushBlob(api, name, img.layer);
    const docker = "application/vnd.docker.distribution.manifest.v2+json";
    const body = utf8(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: docker,
        config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: img.configDigest, size: img.config.byteLength },
        layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: img.layerDigest, size: img.layer.byteLength }],
      }),
    );
    const put = await api(`/v2/${name}/manifests/d`, { method: "PUT", body, headers: { "Content-Type": docker } });
    assert.equal(put.status, 201);
    const get = await api(`/v2/${name}/manifests/d`, { headers: { Accept: docker } });
    assert.equal(get.headers.get("content-type"), docker);
  });

  it("unknown manifests are MANIFEST_UNKNOWN", async () => {
    const name = repo();
    const res = await api(`/v2/${name}/manifests/latest`);
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), "MANIFEST_UNKNOWN");
    const byDigest = await api(`/v2/${name}/manifests/${sha256("x")}`);
    assert.equal(await errorCode(byDigest), "MANIFEST_UNKNOWN");
    const head = await api(`/v2/${name}/manifests/latest`, { method: "HEAD" });
    assert.equal(head.status, 404);
  });

  it("a manifest too big is refused", async () => {
    const name = repo();
    const big = utf8(JSON.stringify({ schemaVersion: 2, pad: "x".repeat(4 * 1024 * 1024) }));
    const res = await api(`/v2/${name}/manifests/big`, { method: "PUT", body: big, headers: { "Content-Type": ociManifest } });
    assert.equal(res.status, 413);
    assert.equal(await errorCode(res), "SIZE_INVALID");
  });

  it("a truncated manifest body is refused (in-process)", async () => {
    const name = repo();
    const img = makeImage();
    await pushBlob(api, name, img.config);
    await pushBlob(api, name, img.layer);
    const res = await srv.registry.handle(
      new Request(`${srv.url}/v2/${name}/manifests/v1`, {
        method: "PUT",
        body: img.manifest.slice(0, 50),
        headers: { "Content-Type": ociManifest, "Content-Length": String(img.manifest.byteLength) },
      }),
    );
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), "SIZE_INVALID");
    assert.equal((await api(`/v2/${name}/manifests/v1`)).status, 404);
  });
});

describe("names and tags", () => {
  it("invalid repository names are NAME_INVALID and store nothing", async () => {
    const img = makeImage();
    for (const name of ["UPPER", "a..b", "-lead", "trail-", "a//b", "x".repeat(256), "a/_b"]) {
      for (const [method, path] of [
        ["GET", `/v2/${name}/tags/list`],
        ["GET", `/v2/${name}/manifests/latest`],
        ["PUT", `/v2/${name}/manifests/latest`],
        ["POST", `/v2/${name}/blobs/uploads/`],
        ["HEAD", `/v2/${name}/blobs/${img.layerDigest}`],
      ] as const) {
        const res = await api(path, { method, body: method === "PUT" ? img.manifest : undefined });
        assert.equal(res.status, 400, `${method} ${path}`);
        if (method !== "HEAD") assert.equal(await errorCode(res), "NAME_INVALID", `${method} ${path}`);
      }
    }
    const cat = (await (await api("/v2/_catalog")).json()) as { repositories: string[] };
    assert.ok(!cat.repositories.some((r) => /[A-Z]|\.\./.test(r)));
  });

  it("invalid tags are refused", async () => {
    const name = repo();
    const img = makeImage();
    for (const tag of [".dot", "-dash", "t".repeat(129), "a+b"]) {
      const res = await pushImage(api, name, encodeURIComponent(tag), img);
      assert.equal(res.status, 400, tag);
      assert.equal(await errorCode(res), "MANIFEST_INVALID", tag);
    }
    assert.equal(await errorCode(await api(`/v2/${name}/tags/list`)), "NAME_UNKNOWN");
    const ok = await pushImage(api, name, "_Under.score-1", img);
    assert.equal(ok.status, 201);
  });

  it("names with several components work", async () => {
    const name = "deep/er/name.with-dots__x";
    const img = makeImage();
    assert.equal((await pushImage(api, name, "v1", img)).status, 201);
    assert.deepEqual(await (await api(`/v2/${name}/tags/list`)).json(), { name, tags: ["v1"] });
  });
});

describe("discovery", () => {
  it("tags/list pages with n, last and Link", async () => {
    const name = repo();
    const img = makeImage();
    await pushImage(api, name, "b", img);
    for (const t of ["a", "c", "e", "d"]) {
      assert.equal((await api(`/v2/${name}/manifests/${t}`, { method: "PUT", body: img.manifest, headers: { "Content-Type": ociManifest } })).status, 201);
    }
    const all = await api(`/v2/${name}/tags/list`);
    assert.deepEqual(await all.json(), { name, tags: ["a", "b", "c", "d", "e"] });
    assert.equal(all.headers.get("link"), null);
    const p1 = await api(`/v2/${name}/tags/list?n=2`);
    assert.deepEqual(((await p1.json()) as { tags: string[] }).tags, ["a", "b"]);
    const link = p1.headers.get("link")!;
    assert.match(link, /rel="next"/);
    const next = /<([^>]+)>/.exec(link)![1];
    assert.equal(next, `/v2/${name}/tags/list?n=2&last=b`);
    const p2 = await api(next);
    assert.deepEqual(((await p2.json()) as { tags: string[] }).tags, ["c", "d"]);
    const p3 = await api(`/v2/${name}/tags/list?n=2&last=d`);
    assert.deepEqual(((await p3.json()) as { tags: string[] }).tags, ["e"]);
    assert.equal(p3.headers.get("link"), null);
    const zero = await api(`/v2/${name}/tags/list?n=0`);
    assert.deepEqual(((await zero.json()) as { tags: string[] }).tags, []);
    const after = await api(`/v2/${name}/tags/list?last=c`);
    assert.deepEqual(((await after.json()) as { tags: string[] }).tags, ["d", "e"]);
  });

  it("tags/list of an unknown repository is NAME_UNKNOWN", async () => {
    const res = await api(`/v2/${repo()}/tags/list`);
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), "NAME_UNKNOWN");
  });

  it("the catalog lists repositories, paged", async () => {
    const img = makeImage();
    const names = ["cat/a", "cat/b", "cat/c"];
    for (const name of names) await pushImage(api, name, "v1", img);
    await pushBlob(api, "cat/blobs-only", "no manifest, no repository");
    const all = (await (await api("/v2/_catalog")).json()) as { repositories: string[] };
    for (const name of names) assert.ok(all.repositories.includes(name), name);
    assert.ok(!all.repositories.includes("cat/blobs-only"));
    assert.deepEqual(all.repositories, [...all.repositories].sort());
    const p1 = await api("/v2/_catalog?n=1&last=cat/a");
    assert.deepEqual(await p1.json(), { repositories: ["cat/b"] });
    assert.equal(p1.headers.get("link"), `</v2/_catalog?n=1&last=cat%2Fb>; rel="next"`);
  });
});

describe("management: DELETE", () => {
  it("deletes a manifest by digest, and the tags pointing at it", async () => {
    const name = repo();
    const img = makeImage();
    await pushImage(api, name, "v1", img);
    await api(`/v2/${name}/manifests/v2`, { method: "PUT", body: img.manifest, headers: { "Content-Type": ociManifest } });
    const del = await api(`/v2/${name}/manifests/${img.manifestDigest}`, { method: "DELETE" });
    assert.equal(del.status, 202);
    assert.equal((await api(`/v2/${name}/manifests/${img.manifestDigest}`)).status, 404);
    assert.equal((await api(`/v2/${name}/manifests/v1`)).status, 404);
    const again = await api(`/v2/${name}/manifests/${img.manifestDigest}`, { method: "DELETE" });
    assert.equal(again.status, 404);
    assert.equal(await errorCode(again), "MANIFEST_UNKNOWN");
  });

  it("deletes a tag, keeping the manifest", async () => {
    const name = repo();
    const img = makeImage();
    await pushImage(api, name, "v1", img);
    await api(`/v2/${name}/manifests/v2`, { method: "PUT", body: img.manifest, headers: { "Content-Type": ociManifest } });
    assert.equal((await api(`/v2/${name}/manifests/v1`, { method: "DELETE" })).status, 202);
    assert.deepEqual(((await (await api(`/v2/${name}/tags/list`)).json()) as { tags: string[] }).tags, ["v2"]);
    assert.equal((await api(`/v2/${name}/manifests/${img.manifestDigest}`)).status, 200);
  });

  it("deletes a blob from a repository", async () => {
    const a = repo();
    const b = repo();
    const d = await pushBlob(api, a, "to delete");
    await api(`/v2/${b}/blobs/uploads/?mount=${d}&from=${a}`, { method: "POST" });
    const del = await api(`/v2/${a}/blobs/${d}`, { method: "DELETE" });
    assert.equal(del.status, 202);
    assert.equal((await api(`/v2/${a}/blobs/${d}`, { method: "HEAD" })).status, 404);
    assert.equal((await api(`/v2/${b}/blobs/${d}`)).status, 200, "another repository's link keeps the bytes");
    const again = await api(`/v2/${a}/blobs/${d}`, { method: "DELETE" });
    assert.equal(again.status, 404);
    assert.equal(await errorCode(again), "BLOB_UNKNOWN");
  });
});

describe("referrers (OCI 1.1)", () => {
  it("lists manifests whose subject is a digest, filtered by artifactType", async () => {
    const name = repo();
    const img = makeImage();
    await pushImage(api, name, "v1", img);
    const empty = utf8("{}");
    const emptyDigest = await pushBlob(api, name, empty);
    const artifact = utf8(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: ociManifest,
        artifactType: "application/vnd.example.sbom",
        config: { mediaType: "application/vnd.oci.empty.v1+json", digest: emptyDigest, size: 2 },
        layers: [{ mediaType: "application/vnd.oci.empty.v1+json", digest: emptyDigest, size: 2 }],
        subject: { mediaType: ociManifest, digest: img.manifestDigest, size: img.manifest.byteLength },
        annotations: { "org.example": "yes" },
      }),
    );
    const put = await api(`/v2/${name}/manifests/${sha256(artifact)}`, { method: "PUT", body: artifact, headers: { "Content-Type": ociManifest } });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get("oci-subject"), img.manifestDigest);
    const res = await api(`/v2/${name}/referrers/${img.manifestDigest}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), ociIndex);
    const index = (await res.json()) as { manifests: Array<{ digest: string; artifactType: string; annotations: Record<string, string> }> };
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0].digest, sha256(artifact));
    assert.equal(index.manifests[0].artifactType, "application/vnd.example.sbom");
    assert.equal(index.manifests[0].annotations["org.example"], "yes");
    const filtered = await api(`/v2/${name}/referrers/${img.manifestDigest}?artifactType=application/other`);
    assert.equal(filtered.headers.get("oci-filters-applied"), "artifactType");
    assert.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, []);
    const none = await api(`/v2/${name}/referrers/${sha256("nothing refers here")}`);
    assert.equal(none.status, 200);
    assert.equal(await errorCode(await api(`/v2/${name}/referrers/sha256:bad`)), "DIGEST_INVALID");
    // Deleting the artifact removes it from the list.
    await api(`/v2/${name}/manifests/${sha256(artifact)}`, { method: "DELETE" });
    const after = (await (await api(`/v2/${name}/referrers/${img.manifestDigest}`)).json()) as { manifests: unknown[] };
    assert.deepEqual(after.manifests, []);
  });
});

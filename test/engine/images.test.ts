// Images through the real docker CLI against `slipway daemon`: the Engine API, the
// in-tab hub, pull progress, tags, inspect, history, removal, and Docker's errors.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.ts";

describe("engine: images", () => {
  let d: TestDaemon;
  before(async () => {
    d = await startTestDaemon();
  });
  after(() => d?.stop());

  test("advertises API 1.41 or newer on /_ping and /version", async () => {
    const ping = await d.api("GET", "/_ping");
    assert.equal(ping.status, 200);
    assert.equal(ping.text, "OK");
    const v = String(ping.headers["api-version"]);
    assert.ok(Number(v.split(".")[1]) >= 41, `Api-Version ${v}`);
    const head = await d.api("HEAD", "/_ping");
    assert.equal(head.status, 200);
    assert.equal(head.headers["api-version"], v);
    const r = await d.docker(["version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}/{{.Server.Arch}}"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${v} linux/386`);
  });

  test("accepts versioned paths", async () => {
    const r = await d.api("GET", "/v1.41/version");
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.text).Os, "linux");
  });

  test("pulls from the in-tab hub with Docker's progress messages", async () => {
    const r = await d.api("POST", "/images/create?fromImage=busybox&tag=latest");
    assert.equal(r.status, 200);
    const msgs = r.text.trim().split(/\r?\n/).map((l) => JSON.parse(l));
    const statuses = msgs.map((m) => m.status);
    assert.equal(statuses[0], "Pulling from library/busybox");
    for (const s of ["Pulling fs layer", "Downloading", "Verifying Checksum", "Download complete"]) assert.ok(statuses.includes(s), `no "${s}" in ${statuses}`);
    const dl = msgs.find((m) => m.status === "Downloading");
    assert.ok(dl.progressDetail.total > 0 && dl.progress.startsWith("["));
    assert.match(statuses.at(-2), /^Digest: sha256:[0-9a-f]{64}$/);
    assert.equal(statuses.at(-1), "Status: Downloaded newer image for busybox:latest");
  });

  test("docker pull prints what the real CLI prints", async () => {
    const r = await d.docker(["pull", "hello-world"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Using default tag: latest\nlatest: Pulling from library\/hello-world\n/);
    assert.match(r.stdout, /Status: Downloaded newer image for hello-world:latest\ndocker.io\/library\/hello-world:latest\n$/);
    const again = await d.docker(["pull", "hello-world"]);
    assert.match(again.stdout, /Status: Image is up to date for hello-world:latest/);
  });

  test("lists, tags and removes", async () => {
    let r = await d.docker(["tag", "busybox", "mine/box:v1"]);
    assert.equal(r.status, 0, r.stderr);
    r = await d.docker(["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]);
    const rows = r.stdout.trim().split("\n");
    const bb = rows.find((x) => x.startsWith("busybox:latest "))!.split(" ")[1];
    assert.ok(rows.includes(`mine/box:v1 ${bb}`), rows.join("\n"));
    assert.match(bb, /^[0-9a-f]{12}$/);
    r = await d.docker(["rmi", "mine/box:v1"]);
    assert.equal(r.stdout, "Untagged: mine/box:v1\n");
    r = await d.docker(["images", "-q"]);
    assert.equal(r.stdout.trim().split("\n").length, 2);
  });

  test("inspects an image: architecture 386 and its layers", async () => {
    const r = await d.docker(["image", "inspect", "-f", "{{.Architecture}} {{.Os}} {{len .RootFS.Layers}} {{json .Config.Cmd}}", "hello-world"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '386 linux 1 ["/hello"]');
  });

  test("shows history, newest first", async () => {
    const r = await d.docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", "busybox"]);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split("\n");
    assert.match(rows[0], /^CMD \["sh"\]\|0B$/);
    assert.match(rows.at(-1)!, /\|[\d.]+MB$/);
  });

  test("an unknown image gets Docker's error", async () => {
    const r = await d.docker(["pull", "no-such-image"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Error response from daemon: pull access denied for no-such-image, repository does not exist or may require 'docker login': denied: requested access to the resource is denied/);
    const t = await d.docker(["pull", "busybox:nope"]);
    assert.match(t.stderr, /manifest for busybox:nope not found: manifest unknown/);
    const i = await d.docker(["image", "inspect", "nothing-here"]);
    assert.equal(i.status, 1);
    assert.match(i.stderr, /No such image: nothing-here/);
    const bad = await d.docker(["pull", "Bad/Name"]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /invalid reference format/);
  });

  test("a malformed JSON body is a 400 with a message, and creates nothing", async () => {
    const r = await d.api("POST", "/containers/create", "{not json");
    assert.equal(r.status, 400);
    assert.match(JSON.parse(r.text).message, /invalid JSON/);
    const list = await d.api("GET", "/containers/json?all=1");
    assert.deepEqual(JSON.parse(list.text), []);
  });

  test("an unknown endpoint is a 404 with a message", async () => {
    const r = await d.api("GET", "/nope");
    assert.equal(r.status, 404);
    assert.ok(JSON.parse(r.text).message);
  });
});

// Another registry than the in-tab hub: Debian's docker-registry (distribution) on
// loopback, behind Docker's token auth served by a token server of the test's own,
// with CORS headers as a page needs them. Through the real docker CLI against our
// daemon: login, push, pull, run; skopeo as the outside witness. The error wordings
// are what Debian's dockerd 20.10 prints against this same setup.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { CORS_HEADERS, startDockerRegistry, type DockerRegistry } from "../registry/docker-registry.ts";
import { repoRoot, run } from "../registry/helpers.ts";
import { startTokenServer, type TokenServer } from "../registry/token-server.ts";


describe("engine: another registry (docker-registry with token auth)", () => {
  let d: TestDaemon;
  let tokens: TokenServer;
  let reg: DockerRegistry;
  let host: string;
  let anonConfig: string;
  const anon = () => ({ env: { DOCKER_CONFIG: anonConfig } });

  before(async () => {
    tokens = await startTokenServer({ users: { u: "right" }, headers: { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Authorization" } });
    reg = await startDockerRegistry({ headers: CORS_HEADERS, token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootcertbundle: tokens.certFile } });
    host = reg.host;
    d = await startTestDaemon();
    anonConfig = mkdtempSync(join(tmpdir(), "slipway-anon-cli-"));
  });
  after(async () => {
    await d?.stop();
    await reg?.stop();
    await tokens?.stop();
    if (anonConfig) rmSync(anonConfig, { recursive: true, force: true });
  });

  test("the registry trusts the token server's self-signed certificate", async () => {
    const res = await fetch(`${reg.url}/v2/`);
    await res.body?.cancel();
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="slipway-test-registry"$/);
    const t = (await (await fetch(`${tokens.realm}?service=${tokens.service}`, { headers: { Authorization: `Basic ${btoa("u:right")}` } })).json()) as { token: string };
    const ok = await fetch(`${reg.url}/v2/`, { headers: { Authorization: `Bearer ${t.token}` } });
    await ok.body?.cancel();
    assert.equal(ok.status, 200);
  });

  test("docker login with a wrong password fails as dockerd says it", async () => {
    const r = await d.docker(["login", host, "-u", "u", "-p", "wrong"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`Error response from daemon: Get "http://${host}/v2/": unauthorized: incorrect username or password`));
  });

  test("docker login with the right password succeeds", async () => {
    const r = await d.docker(["login", host, "-u", "u", "-p", "right"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Login Succeeded/);
  });

  test("docker push sends busybox from the in-tab hub to the registry", async () => {
    for (const args of [["pull", "busybox"], ["tag", "busybox", `${host}/team/app:1`]]) {
      const r = await d.docker(args);
      assert.equal(r.status, 0, r.stderr);
    }
    const r = await d.docker(["push", `${host}/team/app:1`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`The push refers to repository \\[${host}/team/app\\]`));
    assert.match(r.stdout, /: Pushed/);
    const pushed = /1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(r.stdout);
    assert.ok(pushed, r.stdout);
    // The token server granted what Docker's push asks for.
    assert.ok(tokens.requests.some((q) => q.user === "u" && q.scopes.includes("repository:team/app:pull,push")), JSON.stringify(tokens.requests));

    const inspect = await d.docker(["image", "inspect", `${host}/team/app:1`, "--format", "{{json .RepoDigests}}"]);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.ok((JSON.parse(inspect.stdout) as string[]).includes(`${host}/team/app@${pushed[1]}`), inspect.stdout);

    const { stdout } = await run("skopeo", ["inspect", "--tls-verify=false", "--creds", "u:right", `docker://${host}/team/app:1`]);
    const info = JSON.parse(stdout) as { Digest: string; Architecture: string };
    assert.equal(info.Digest, pushed[1]);
    assert.equal(info.Architecture, "386");
  });

  test("pushing again finds every blob already there", async () => {
    const r = await d.docker(["push", `${host}/team/app:1`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Layer already exists/);
  });

  test("docker pull brings the image back and it runs", async () => {
    const rmi = await d.docker(["rmi", `${host}/team/app:1`]);
    assert.equal(rmi.status, 0, rmi.stderr);
    const pull = await d.docker(["pull", `${host}/team/app:1`]);
    assert.equal(pull.status, 0, pull.stderr);
    assert.match(pull.stdout, /Digest: sha256:[0-9a-f]{64}/);
    assert.match(pull.stdout, new RegExp(`Status: (Downloaded newer image|Image is up to date) for ${host}/team/app:1`));
    const r = await d.docker(["run", "--rm", `${host}/team/app:1`, "echo", "hi"], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "hi\n");
  });

  test("a tag the repository lacks is not found", async () => {
    const r = await d.docker(["pull", `${host}/team/app:2`]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`Error response from daemon: manifest for ${host}/team/app:2 not found: manifest unknown: manifest unknown`));
  });

  test("without login, pull is denied as dockerd says it", async () => {
    const r = await d.docker(["pull", `${host}/team/app:1`], anon());
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`Error response from daemon: pull access denied for ${host}/team/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`));
  });

  test("without login, push is denied as dockerd says it", async () => {
    const r = await d.docker(["push", `${host}/team/app:1`], anon());
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^denied: requested access to the resource is denied$/m);
  });

  test("the registry answers a page's requests with CORS headers", async () => {
    // A preflight carries no credentials, and distribution's token auth answers it 401
    // (distribution/distribution#4458): a browser then refuses the request, so a page
    // needs a proxy that answers OPTIONS itself in front of a token-auth registry.
    const pre = await fetch(`${reg.url}/v2/team/app/blobs/uploads/`, {
      method: "OPTIONS",
      headers: { Origin: "http://page.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization,content-type" },
    });
    await pre.body?.cancel();
    assert.equal(pre.headers.get("access-control-allow-origin"), "*");
    assert.match(pre.headers.get("access-control-allow-headers") ?? "", /Authorization/);
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /PUT/);
    assert.equal(pre.status, 401, "if distribution now answers preflights 200, update the README's proxy advice");
    // The challenge a page must read to find the token server is exposed.
    const get = await fetch(`${reg.url}/v2/`, { headers: { Origin: "http://page.example" } });
    await get.body?.cancel();
    assert.match(get.headers.get("access-control-expose-headers") ?? "", /WWW-Authenticate/);
    assert.match(get.headers.get("access-control-expose-headers") ?? "", /Docker-Content-Digest/);
    assert.match(get.headers.get("access-control-expose-headers") ?? "", /Location/);
  });
});

describe("engine: another registry without auth, as a class shares one", () => {
  test("the README gives a teacher the same CORS headers this test configures", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    for (const [name, values] of Object.entries(CORS_HEADERS)) assert.ok(readme.includes(`    ${name}: [${values.map((v) => `'${v}'`).join(", ")}]`), `README lacks ${name}`);
  });


  test("a preflight is answered 200 with the CORS headers, so a page can push and pull", async () => {
    const reg = await startDockerRegistry({ headers: CORS_HEADERS });
    try {
      const pre = await fetch(`${reg.url}/v2/team/app/blobs/uploads/`, {
        method: "OPTIONS",
        headers: { Origin: "http://page.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type" },
      });
      await pre.body?.cancel();
      assert.equal(pre.status, 200);
      assert.equal(pre.headers.get("access-control-allow-origin"), "*");
    } finally {
      await reg.stop();
    }
  });
});

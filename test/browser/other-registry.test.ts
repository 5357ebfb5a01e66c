// A class's shared registry, from the page: the engine in the page's worker pushes an image to
// Debian's docker-registry on loopback (with the CORS headers README gives) and pulls it back,
// with fetch across origins, and the registry itself lists what arrived. Then the same with
// Docker's token auth: docker login's check, a push and a pull with credentials, a refusal without.
import { executeServerCommand } from "@web/test-runner-commands";
import { closePages, openApp, waitFor, type AppPage } from "./helpers/app-page.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
/** The docker CLI's X-Registry-Auth for no credentials. */
const ANON = btoa(JSON.stringify({ username: "", password: "", serveraddress: "" }));

describe("another registry, from the page", () => {
  let page: AppPage;
  let reg: { url: string; host: string };

  before(async () => {
    reg = (await executeServerCommand("docker-registry", { action: "start" })) as { url: string; host: string };
    page = await openApp();
    await waitFor(async () => (await page.guest.engineStatus()).agent, 60_000, "the guest agent");
  });

  after(async () => {
    closePages();
    await executeServerCommand("docker-registry", { action: "stop" });
  });

  it("pushes to it and pulls back from it, across origins", async () => {
    const g = page.guest;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await g.engineRequest({ method, path, headers: { "X-Registry-Auth": ANON }, body });
      return { status: res.status, text: text(res.body) };
    };
    const pulled = await call("POST", "/images/create?fromImage=busybox&tag=latest");
    if (pulled.status !== 200 || /"error"/.test(pulled.text)) throw new Error(`pull busybox: ${pulled.status} ${pulled.text}`);
    const name = `${reg.host}/class/tools`;
    const tagged = await call("POST", `/images/busybox:latest/tag?repo=${encodeURIComponent(name)}&tag=1`);
    if (tagged.status !== 201) throw new Error(`tag: ${tagged.status} ${tagged.text}`);

    const pushed = await call("POST", `/images/${encodeURIComponent(name)}/push?tag=1`);
    if (pushed.status !== 200 || /"error"/.test(pushed.text)) throw new Error(`push: ${pushed.status} ${pushed.text}`);
    const digest = /"Digest":"(sha256:[0-9a-f]{64})"/.exec(pushed.text)?.[1];
    if (!digest) throw new Error(`the push reported no digest: ${pushed.text}`);
    // The registry has it: asked by this test page, itself another origin.
    const tags = (await (await fetch(`${reg.url}/v2/class/tools/tags/list`)).json()) as { tags: string[] };
    if (JSON.stringify(tags.tags) !== '["1"]') throw new Error(`the registry's tags: ${JSON.stringify(tags)}`);
    const head = await fetch(`${reg.url}/v2/class/tools/manifests/1`, { method: "HEAD", headers: { Accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" } });
    if (head.headers.get("docker-content-digest") !== digest) throw new Error(`the registry's digest ${head.headers.get("docker-content-digest")}, the push said ${digest}`);

    // Gone from the page's image store, then back from the registry.
    const removed = await call("DELETE", `/images/${encodeURIComponent(`${name}:1`)}`);
    if (removed.status !== 200) throw new Error(`rmi: ${removed.status} ${removed.text}`);
    const back = await call("POST", `/images/create?fromImage=${encodeURIComponent(name)}&tag=1`);
    if (back.status !== 200 || /"error"/.test(back.text)) throw new Error(`pull back: ${back.status} ${back.text}`);
    if (!back.text.includes(`Digest: ${digest}`)) throw new Error(`the pull did not report the pushed digest: ${back.text}`);
    const inspect = await call("GET", `/images/${encodeURIComponent(`${name}:1`)}/json`);
    if (inspect.status !== 200 || !inspect.text.includes(`${name}@${digest}`)) throw new Error(`inspect: ${inspect.status} ${inspect.text.slice(0, 300)}`);
  });

  it("says in Docker's words when the registry has no such image", async () => {
    const res = await page.guest.engineRequest({ method: "POST", path: `/images/create?fromImage=${encodeURIComponent(`${reg.host}/class/missing`)}&tag=1`, headers: { "X-Registry-Auth": ANON } });
    const body = text(res.body);
    if (!/manifest unknown|not found/.test(body)) throw new Error(`pull of a missing image: ${res.status} ${body}`);
  });
});

describe("another registry with token auth, from the page", () => {
  let page: AppPage;
  let reg: { url: string; host: string; username: string; password: string };
  const auth = (username: string, password: string) => btoa(JSON.stringify({ username, password, serveraddress: reg.host }));

  before(async () => {
    reg = (await executeServerCommand("docker-registry", { action: "start", auth: "token" })) as typeof reg;
    page = await openApp();
    await waitFor(async () => (await page.guest.engineStatus()).agent, 60_000, "the guest agent");
  });

  after(async () => {
    closePages();
    await executeServerCommand("docker-registry", { action: "stop", auth: "token" });
  });

  it("checks docker login's password with the token server", async () => {
    const login = (password: string) => page.guest.engineRequest({ method: "POST", path: "/auth", body: { username: reg.username, password, serveraddress: reg.host } });
    const wrong = await login("wrong");
    if (wrong.status !== 401 || !/unauthorized: incorrect username or password/.test(text(wrong.body))) throw new Error(`a wrong password: ${wrong.status} ${text(wrong.body)}`);
    const right = await login(reg.password);
    if (right.status !== 200 || !/Login Succeeded/.test(text(right.body))) throw new Error(`the right password: ${right.status} ${text(right.body)}`);
  });

  it("pushes and pulls with credentials, and is refused without them", async () => {
    const g = page.guest;
    const call = async (method: string, path: string, registryAuth: string) => {
      const res = await g.engineRequest({ method, path, headers: { "X-Registry-Auth": registryAuth } });
      return { status: res.status, text: text(res.body) };
    };
    const creds = auth(reg.username, reg.password);
    await call("POST", "/images/create?fromImage=busybox&tag=latest", ANON);
    const name = `${reg.host}/class/private`;
    await call("POST", `/images/busybox:latest/tag?repo=${encodeURIComponent(name)}&tag=1`, ANON);
    const denied = await call("POST", `/images/${encodeURIComponent(name)}/push?tag=1`, ANON);
    if (!/denied: requested access to the resource is denied/.test(denied.text)) throw new Error(`a push without credentials: ${denied.text}`);
    const pushed = await call("POST", `/images/${encodeURIComponent(name)}/push?tag=1`, creds);
    if (/"error"/.test(pushed.text) || !/"Digest":"sha256:/.test(pushed.text)) throw new Error(`a push with credentials: ${pushed.text}`);
    await call("DELETE", `/images/${encodeURIComponent(`${name}:1`)}`, ANON);
    const refused = await call("POST", `/images/create?fromImage=${encodeURIComponent(name)}&tag=1`, ANON);
    if (!/pull access denied for .*class\/private, repository does not exist or may require 'docker login'/.test(refused.text)) throw new Error(`a pull without credentials: ${refused.status} ${refused.text}`);
    const pulled = await call("POST", `/images/create?fromImage=${encodeURIComponent(name)}&tag=1`, creds);
    if (!/Status: Downloaded newer image/.test(pulled.text)) throw new Error(`a pull with credentials: ${pulled.status} ${pulled.text}`);
  });
});

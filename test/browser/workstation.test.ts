// The workstation around the terminal, in the built page with the real guest: a container
// started from the terminal shows in the Explorer, its API calls in the Architecture view,
// its web page in the Preview (a sandboxed iframe that cannot reach the app's IndexedDB),
// and the machine, saved, comes back after a reload with the image and the running container,
// which the daemon follows again (its logs, its exit).
// Screenshots at desktop and phone sizes go to test-artifacts/.
import { executeServerCommand, sendKeys, setViewport } from "@web/test-runner-commands";
import { waitFor } from "./helpers/app-page.ts";

const PROMPT = "root@docker-host:";
const frames: HTMLIFrameElement[] = [];

interface Page {
  frame: HTMLIFrameElement;
  app: HTMLElement & { guest?: { saveMachine(): Promise<number>; engineRequest(r: { method: string; path: string; body?: unknown }): Promise<{ status: number; body: Uint8Array }> } };
  sr(): ShadowRoot;
  screen(): string;
  status(): string;
}

/** Finds an element through nested shadow roots: each selector in the shadow root of the previous match. */
function deep(root: ParentNode, ...selectors: string[]): Element | null {
  let node: ParentNode | null = root;
  let el: Element | null = null;
  for (const s of selectors) {
    el = node?.querySelector(s) ?? null;
    if (!el) return null;
    node = el.shadowRoot ?? el;
  }
  return el;
}

async function openPage(path: string, width: number, height: number): Promise<Page> {
  await setViewport({ width, height });
  const frame = document.createElement("iframe");
  Object.assign(frame.style, { width: `${width}px`, height: `${height}px`, border: "0", position: "fixed", top: "0", left: "0" });
  frame.src = path;
  document.body.append(frame);
  frames.push(frame);
  await new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  const app = await waitFor(() => frame.contentDocument?.querySelector("slipway-app") ?? undefined, 10_000, "<slipway-app>");
  const sr = () => app.shadowRoot!;
  const page: Page = {
    frame,
    app: app as Page["app"],
    sr,
    screen: () => {
      const rows = deep(sr(), "guest-terminal", ".xterm-rows");
      return rows ? Array.from(rows.children, (r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()).join("\n") : "";
    },
    status: () => {
      const s = deep(sr(), "boot-status")?.shadowRoot;
      return s ? Array.from(s.querySelectorAll(".stage, .notice, .error"), (e) => e.textContent!.trim()).join(" | ") : "";
    },
  };
  await waitFor(() => app.getAttribute("state") !== "starting", 120_000, "start", () => page.status());
  if (app.getAttribute("state") !== "ready") throw new Error(`the page did not get ready: ${page.status()}`);
  await waitFor(() => page.screen().includes(PROMPT), 10_000, "prompt", () => page.screen());
  return page;
}

async function type(page: Page, command: string): Promise<void> {
  (page.sr().querySelector("guest-terminal") as HTMLElement).focus();
  await sendKeys({ type: command });
  await sendKeys({ press: "Enter" });
}

async function screenshot(page: Page, name: string): Promise<void> {
  const r = page.frame.getBoundingClientRect();
  await executeServerCommand("save-screenshot", { name, clip: { x: r.x, y: r.y, width: r.width, height: r.height } });
}

const runningRow = (page: Page, image: string): Element | undefined =>
  Array.from(deep(page.sr(), "explorer-view", "container-list")?.shadowRoot?.querySelectorAll("tr[data-state='running']") ?? []).find((tr) => tr.textContent?.includes(image));

const tab = (page: Page, id: string) => (deep(page.sr(), "tab-strip")!.shadowRoot!.querySelector(`[data-tab="${id}"]`) as HTMLElement).click();

after(() => {
  for (const f of frames.splice(0)) f.remove();
});

describe("the workstation", () => {
  let page: Page;
  let savedAt = 0;

  it("starts a clean sandbox, with the tabs in a keyboard-usable tablist", async () => {
    // A clean start: the databases of earlier runs would bring back their machine.
    for (const name of ["slipway-machine", "slipway-registry", "slipway-engine", "slipway-workspace"]) {
      await new Promise((r) => {
        const q = indexedDB.deleteDatabase(name);
        q.onsuccess = q.onerror = q.onblocked = r;
      });
    }
    page = await openPage("/dist/index.html", 1280, 720);
    const strip = deep(page.sr(), "tab-strip")!.shadowRoot!;
    const tabs = Array.from(strip.querySelectorAll("[role=tab]"), (t) => t.textContent!.trim());
    if (tabs.join(",") !== "Editor,Explorer,Architecture,Preview") throw new Error(`tabs: ${tabs}`);
    (strip.querySelector("[aria-selected=true]") as HTMLElement).focus();
    await sendKeys({ press: "ArrowRight" });
    const now = strip.querySelector("[aria-selected=true]")!;
    if (now.textContent!.trim() !== "Architecture") throw new Error(`ArrowRight chose ${now.textContent}`);
    if (!page.sr().querySelector("#panel-architecture:not([hidden])")) throw new Error("the Architecture panel did not show");
    if (!page.sr().querySelector("[data-region=lesson-panel]")) throw new Error("no lesson panel region");
  });

  it("runs docker/getting-started from the terminal: Explorer, Architecture, Preview", async () => {
    // The service worker relays the preview: it must be active first.
    await page.frame.contentWindow!.navigator.serviceWorker.ready;
    await type(page, "docker run -d -p 80:80 docker/getting-started");
    // Until the guest image carries the docker CLI, the same calls go through the page's Engine API.
    const viaPage = await waitFor(() => (/docker: not found/.test(page.screen()) ? "page" : runningRow(page, "getting-started") ? "guest" : undefined), 120_000, "the run to start", page.screen);
    if (viaPage === "page") {
      console.warn("the guest has no docker CLI yet: running the container through the page's Engine API");
      const g = page.app.guest!;
      await g.engineRequest({ method: "POST", path: "/images/create?fromImage=docker/getting-started&tag=latest" });
      const created = await g.engineRequest({ method: "POST", path: "/containers/create", body: { Image: "docker/getting-started", ExposedPorts: { "80/tcp": {} }, HostConfig: { PortBindings: { "80/tcp": [{ HostPort: "80" }] } } } });
      const { Id } = JSON.parse(new TextDecoder().decode(created.body));
      await g.engineRequest({ method: "POST", path: `/containers/${Id}/start` });
    }
    tab(page, "explorer");
    await waitFor(() => runningRow(page, "docker/getting-started"), 120_000, "running getting-started container in the Explorer", () => `screen:\n${page.screen()}`);

    tab(page, "architecture");
    const log = () => Array.from(deep(page.sr(), "architecture-view", "api-log")?.shadowRoot?.querySelectorAll("tr[data-path]") ?? []) as HTMLElement[];
    const create = await waitFor(() => log().find((r) => r.dataset.method === "POST" && /\/containers\/create/.test(r.dataset.path!)), 10_000, "POST /containers/create in the log");
    await waitFor(() => log().find((r) => r.dataset.method === "POST" && /\/containers\/[0-9a-f]+\/start/.test(r.dataset.path!)), 10_000, "POST /containers/<id>/start in the log");
    if (!create.textContent!.includes(viaPage === "guest" ? "guest docker" : "page")) throw new Error(`create came from: ${create.textContent}`);
    create.click();
    const detailText = () => deep(page.sr(), "architecture-view", "exchange-detail")?.shadowRoot?.textContent ?? "";
    const detail = await waitFor(() => (/HTTP\/1\.1 201/.test(detailText()) ? detailText() : undefined), 5_000, "the exchange's detail", detailText);
    if (!/docker\/getting-started/.test(detail) || !/HTTP\/1\.1 201/.test(detail)) throw new Error(`detail: ${detail}`);
    await screenshot(page, "desktop-1280x720-architecture");

    // The Preview tab opened on its own when port 80 appeared; the test looked elsewhere since.
    tab(page, "preview");
    const pane = () => deep(page.sr(), "preview-pane");
    await waitFor(() => page.sr().querySelector("#panel-preview:not([hidden])"), 10_000, "the Preview tab");
    const iframe = await waitFor(() => pane()?.shadowRoot?.querySelector("iframe") ?? undefined, 10_000, "preview iframe");
    if (iframe.sandbox.contains("allow-same-origin")) throw new Error("the preview iframe must not allow-same-origin");
    // Its page is what the relay serves: read the same URL through the service worker from the app's window.
    const html = await waitFor(async () => {
      const r = await page.frame.contentWindow!.fetch("preview/80/");
      const t = await r.text();
      return r.ok && /getting started/i.test(t) ? t : undefined;
    }, 30_000, "the getting-started page through the relay");
    if (!/<html/i.test(html)) throw new Error(`not a page: ${html.slice(0, 200)}`);
    await waitFor(() => /getting started/i.test(iframe.srcdoc), 10_000, "the page in the preview iframe");
    await new Promise((r) => setTimeout(r, 1000));
    await screenshot(page, "desktop-1280x720-preview");
  });

  it("keeps the container's page from the app's IndexedDB", async () => {
    const guest = page.app.guest!;
    const ids = JSON.parse(new TextDecoder().decode((await guest.engineRequest({ method: "GET", path: "/containers/json" })).body)) as { Id: string; Image: string }[];
    const id = ids.find((c) => c.Image.includes("getting-started"))!.Id;
    const probe = `<script>
      const say = (m) => parent.postMessage({ probe: m }, "*");
      try { const r = indexedDB.open("slipway-registry"); r.onsuccess = () => say("opened"); r.onerror = () => say("error " + (r.error && r.error.name)); }
      catch (e) { say("refused " + e.name); }
    </script>`;
    const { Id } = JSON.parse(new TextDecoder().decode((await guest.engineRequest({ method: "POST", path: `/containers/${id}/exec`, body: { Cmd: ["sh", "-c", `cat > /usr/share/getting-started/probe.html <<'EOF'\n${probe}\nEOF`], AttachStdout: true } })).body));
    await guest.engineRequest({ method: "POST", path: `/exec/${Id}/start`, body: { Detach: false } });
    const answer = new Promise<string>((resolve) => page.frame.contentWindow!.addEventListener("message", (e) => e.data?.probe && resolve(e.data.probe)));
    const paneEl = deep(page.sr(), "preview-pane") as HTMLElement & { path: string };
    paneEl.path = "probe.html";
    const iframe = paneEl.shadowRoot!.querySelector("iframe")!;
    const said = await Promise.race([answer, new Promise<string>((r) => setTimeout(() => r("no answer"), 20_000))]);
    if (!/^refused SecurityError|^error/.test(said)) throw new Error(`the sandboxed page reached IndexedDB: ${said}`);
    let reached = true;
    try {
      void iframe.contentWindow!.document.body;
    } catch {
      reached = false;
    }
    if (reached) throw new Error("the app can reach into the preview's DOM, so the preview could reach into the app's");
  });

  it("shows a site's stylesheet, script and image from the container, and follows its links", async () => {
    const guest = page.app.guest!;
    const ids = JSON.parse(new TextDecoder().decode((await guest.engineRequest({ method: "GET", path: "/containers/json" })).body)) as { Id: string; Image: string }[];
    const id = ids.find((c) => c.Image.includes("getting-started"))!.Id;
    // Root-relative and relative references, as a site written for its own server has them.
    const site = `mkdir -p /usr/share/getting-started/site && cd /usr/share/getting-started/site
cat > style.css <<'EOF'
body { color: rgb(10, 20, 30); }
EOF
cat > logo.svg <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" width="9" height="4"><rect width="9" height="4" fill="teal"/></svg>
EOF
cat > app.js <<'EOF'
window.appRan = true;
EOF
cat > index.html <<'EOF'
<!doctype html><html><head><title>site</title><link rel="stylesheet" href="/site/style.css"><script src="app.js"></script></head>
<body><img id="logo" src="logo.svg"><a id="next" href="page2.html">next</a><script>
addEventListener("load", () => {
  parent.postMessage({ site: { color: getComputedStyle(document.body).color, logo: document.getElementById("logo").naturalWidth, appRan: window.appRan === true } }, "*");
  document.getElementById("next").click();
});
</script></body></html>
EOF
cat > page2.html <<'EOF'
<!doctype html><script>parent.postMessage({ site: "page2" }, "*")</script>
EOF`;
    const { Id } = JSON.parse(new TextDecoder().decode((await guest.engineRequest({ method: "POST", path: `/containers/${id}/exec`, body: { Cmd: ["sh", "-c", site], AttachStdout: true, AttachStderr: true } })).body));
    await guest.engineRequest({ method: "POST", path: `/exec/${Id}/start`, body: { Detach: false } });
    const said: unknown[] = [];
    const listen = (e: MessageEvent) => e.data?.site && said.push(e.data.site);
    page.frame.contentWindow!.addEventListener("message", listen);
    try {
      const paneEl = deep(page.sr(), "preview-pane") as HTMLElement & { path: string };
      paneEl.path = "site/index.html";
      const report = (await waitFor(() => said.find((m) => typeof m === "object"), 30_000, "the site's report from the preview", () => JSON.stringify(said))) as Record<string, unknown>;
      const want = { color: "rgb(10, 20, 30)", logo: 9, appRan: true };
      for (const [k, v] of Object.entries(want)) if (report[k] !== v) throw new Error(`${k}: ${JSON.stringify(report[k])}, wanted ${JSON.stringify(v)}: ${JSON.stringify(report)}`);
      // The page clicked its own link: the pane followed it to page2 on the container's server.
      await waitFor(() => said.includes("page2"), 30_000, "page2 after the link", () => JSON.stringify(said));
      if (paneEl.path !== "site/page2.html") throw new Error(`the pane's path after the link: ${paneEl.path}`);
      await screenshot(page, "desktop-1280x720-preview-site");
    } finally {
      page.frame.contentWindow!.removeEventListener("message", listen);
    }
  });

  it("fits a 390-pixel-wide phone", async () => {
    page.frame.style.width = "390px";
    page.frame.style.height = "844px";
    await setViewport({ width: 390, height: 844 });
    await new Promise((r) => setTimeout(r, 800));
    const doc = page.frame.contentDocument!;
    if (doc.documentElement.scrollWidth > 392) throw new Error(`the page is ${doc.documentElement.scrollWidth} px wide on a 390 px phone`);
    await screenshot(page, "phone-390x844");
    tab(page, "explorer");
    await new Promise((r) => setTimeout(r, 300));
    await screenshot(page, "phone-390x844-explorer");
  });

  it("comes back after a reload with the image and the running container", async () => {
    // A user-defined network and a named volume live in the daemon's records: they are saved too.
    const before = page.app.guest!;
    const made = [
      await before.engineRequest({ method: "POST", path: "/networks/create", body: { Name: "classnet" } }),
      await before.engineRequest({ method: "POST", path: "/volumes/create", body: { Name: "notes" } }),
    ];
    if (made.some((r) => r.status !== 201)) throw new Error(`network/volume create: ${made.map((r) => r.status)}`);
    savedAt = Date.now();
    await page.app.guest!.saveMachine();
    page.frame.remove();
    page = await openPage("/dist/index.html", 1280, 720);
    if (!/Restoring your machine/.test(page.status())) throw new Error(`not restored from the saved machine: ${page.status()}`);
    tab(page, "explorer");
    await waitFor(() => runningRow(page, "docker/getting-started"), 60_000, "the running container after the reload");
    const images = () => deep(page.sr(), "explorer-view", "image-list")?.shadowRoot?.textContent ?? "";
    await waitFor(() => images().includes("docker/getting-started"), 10_000, "the image after the reload", images);
    const r = await waitFor(async () => {
      const res = await page.frame.contentWindow!.fetch("preview/80/");
      return res.ok ? res.text() : undefined;
    }, 30_000, "the page served again after the reload");
    if (!/getting started/i.test(r)) throw new Error(`after reload: ${r.slice(0, 200)}`);
    const text = async (path: string) => new TextDecoder().decode((await page.app.guest!.engineRequest({ method: "GET", path })).body);
    const nets = JSON.parse(await text("/networks")) as { Name: string }[];
    if (!nets.some((n) => n.Name === "classnet")) throw new Error(`the network is gone after the reload: ${nets.map((n) => n.Name)}`);
    const vols = JSON.parse(await text("/volumes")) as { Volumes: { Name: string }[] };
    if (!vols.Volumes.some((v) => v.Name === "notes")) throw new Error(`the volume is gone after the reload: ${JSON.stringify(vols)}`);
  });

  it("follows the restored container: its logs from before the reload, and its exit on docker stop", async () => {
    const g = page.app.guest!;
    const json = async (method: string, path: string) => {
      const res = await g.engineRequest({ method, path });
      return { status: res.status, text: new TextDecoder().decode(res.body) };
    };
    const list = JSON.parse((await json("GET", "/containers/json")).text) as { Id: string; Image: string }[];
    const id = list.find((c) => c.Image === "docker/getting-started")?.Id;
    if (!id) throw new Error(`not running after the reload: ${JSON.stringify(list)}`);
    // httpd -v logs a line per request: those of the earlier tests were made before the save.
    const logs = (await json("GET", `/containers/${id}/logs?stdout=1&stderr=1&timestamps=1`)).text;
    const times = [...logs.matchAll(/(\d{4}-\d\d-\d\dT[\d:.]+Z) .*response:/g)].map((m) => Date.parse(m[1]));
    if (!times.some((t) => t < savedAt)) throw new Error(`the logs from before the reload are gone: ${JSON.stringify(logs.slice(-400))}`);
    // The exit can only be seen through the re-attached process stream.
    const t0 = performance.now();
    const stop = await json("POST", `/containers/${id}/stop?t=2`);
    if (stop.status !== 204) throw new Error(`stop: ${stop.status} ${stop.text}`);
    const inspect = JSON.parse((await json("GET", `/containers/${id}/json`)).text) as { State: { Status: string; ExitCode: number } };
    if (inspect.State.Status !== "exited") throw new Error(`after stop: ${JSON.stringify(inspect.State)}`);
    if (performance.now() - t0 > 15_000) throw new Error(`stop took ${Math.round(performance.now() - t0)} ms`);
    // Its files stayed (docker start after stop), and it runs again under this page's link.
    const start = await json("POST", `/containers/${id}/start`);
    if (start.status !== 204) throw new Error(`start again: ${start.status} ${start.text}`);
    await waitFor(async () => {
      const res = await page.frame.contentWindow!.fetch("preview/80/");
      return res.ok && /getting started/i.test(await res.text());
    }, 30_000, "the page served after docker start");
  });
});

// page-inliner: a container's page, with its stylesheet, @import, fonts and images in CSS,
// script, images and srcset on the container's server, renders whole in a sandboxed
// (opaque-origin) iframe, which cannot load any of them by URL itself. Links and forms come
// back to the app as messages. The "server" here is a table of responses: the relay in front
// of the real guest is tested in workstation.test.ts.
import { inlinePage, previewUrl, type PreviewNavigation } from "../../web/preview/page-inliner.ts";

const root = "https://app.example/site/preview/8080/";
const svg = (fill: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="7" height="5"><rect width="7" height="5" fill="${fill}"/></svg>`;
const files: Record<string, [string, string]> = {
  "docs/index.html": ["text/html", ""],
  "docs/app.css": ["text/css", `@import "theme.css"; body { color: rgb(1, 2, 3); } .hero { background-image: url(../img/bg.svg); }`],
  "docs/theme.css": ["text/css", `h1 { color: rgb(4, 5, 6); }`],
  "img/bg.svg": ["image/svg+xml", svg("red")],
  "logo.svg": ["image/svg+xml", svg("blue")],
  "small.svg": ["image/svg+xml", svg("green")],
  "app.js": ["text/javascript", `window.appRan = document.title;`],
};
const page = `<!doctype html><html><head><title>Docs</title>
<link rel="stylesheet" href="app.css"><script src="/app.js"></script></head>
<body><h1>Hi</h1><div class="hero" style="border-image: url('/logo.svg')"></div>
<img id="logo" src="http://localhost/logo.svg"><img id="set" srcset="/small.svg 1x, /logo.svg 2x">
<img id="far" src="https://cdn.example/x.png"><a id="next" href="/docs/next.html?a=1">next</a><a id="top" href="#end">end</a>
<form id="f" method="post" action="/login"><input name="user" value="ada"><button>go</button></form><p id="end">end</p>
<script>
  addEventListener("load", () => parent.postMessage({ report: {
    color: getComputedStyle(document.body).color,
    h1: getComputedStyle(document.querySelector("h1")).color,
    hero: getComputedStyle(document.querySelector(".hero")).backgroundImage.slice(0, 30),
    logo: document.getElementById("logo").naturalWidth,
    set: document.getElementById("set").naturalWidth,
    appRan: window.appRan,
    origin: self.origin,
  } }, "*"));
</script></body></html>`;

const fetched: string[] = [];
async function serve(url: string): Promise<Response> {
  fetched.push(url);
  if (!url.startsWith(root)) throw new Error(`fetched outside the container's server: ${url}`);
  const f = files[url.slice(root.length)];
  return f ? new Response(f[1], { headers: { "content-type": f[0] } }) : new Response("no", { status: 404 });
}

function messageFrom(frame: HTMLIFrameElement, want: (d: unknown) => boolean): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no message from the iframe")), 20_000);
    addEventListener("message", function on(e) {
      if (e.source === frame.contentWindow && want(e.data)) {
        clearTimeout(t);
        removeEventListener("message", on);
        resolve(e.data);
      }
    });
  });
}

describe("page-inliner", () => {
  it("maps root-relative and localhost references under the preview's root", () => {
    const base = root + "docs/index.html";
    const cases: [string, string | undefined][] = [
      ["app.css", root + "docs/app.css"],
      ["/app.js", root + "app.js"],
      ["http://localhost:8080/x", root + "x"],
      ["//localhost/y", root + "y"],
      ["https://cdn.example/x.png", undefined],
      ["//cdn.example/x.png", undefined],
      ["data:text/plain,hi", undefined],
      ["../../../../escape", undefined],
    ];
    for (const [ref, want] of cases) {
      const got = previewUrl(ref, base, root);
      if (got !== want) throw new Error(`${ref}: ${got}, wanted ${want}`);
    }
    // The app itself served from localhost: its own preview URLs stay as they are.
    const local = "http://localhost:8000/dist/preview/80/";
    const got = previewUrl(local + "site/page2.html", local, local);
    if (got !== local + "site/page2.html") throw new Error(`app on localhost: ${got}`);
  });

  it("renders stylesheets, imports, CSS images, scripts and images in an opaque-origin iframe", async () => {
    const html = await inlinePage(page, { pageUrl: root + "docs/index.html", root, fetch: serve });
    if (fetched.some((u) => u.includes("cdn.example"))) throw new Error("fetched a URL of another server");
    const frame = document.createElement("iframe");
    frame.sandbox.add("allow-scripts", "allow-forms");
    document.body.append(frame);
    try {
      const got = messageFrom(frame, (d) => !!(d as { report?: unknown }).report);
      frame.srcdoc = html;
      const { report } = (await got) as { report: Record<string, unknown> };
      const want = { color: "rgb(1, 2, 3)", h1: "rgb(4, 5, 6)", logo: 7, appRan: "Docs", origin: "null" };
      for (const [k, v] of Object.entries(want)) if (report[k] !== v) throw new Error(`${k}: ${JSON.stringify(report[k])}, wanted ${JSON.stringify(v)} (${JSON.stringify(report)})`);
      // Which srcset candidate loads depends on the screen's pixel ratio; that one loads is the point.
      if (!((report.set as number) > 0)) throw new Error(`srcset image did not load: ${report.set}`);
      if (!String(report.hero).startsWith('url("data:image/svg+xml')) throw new Error(`hero background: ${report.hero}`);

      // A link under the server comes back as a message, with its URL under the root.
      const nav = messageFrom(frame, (d) => (d as PreviewNavigation).type === "slipway-preview-navigate");
      // The test cannot click inside an opaque-origin frame: it asks the page's own script to.
      frame.srcdoc = html.replace("</body>", `<script>addEventListener("load", () => { document.getElementById("top").click(); document.getElementById("next").click(); })</script></body>`);
      const link = (await nav) as PreviewNavigation;
      if (link.url !== root + "docs/next.html?a=1" || link.method !== "GET") throw new Error(`link: ${JSON.stringify(link)}`);

      const sent = messageFrom(frame, (d) => (d as PreviewNavigation).type === "slipway-preview-navigate");
      frame.srcdoc = html.replace("</body>", `<script>addEventListener("load", () => document.getElementById("f").requestSubmit())</script></body>`);
      const form = (await sent) as PreviewNavigation;
      if (form.url !== root + "login" || form.method !== "POST" || form.body !== "user=ada") throw new Error(`form: ${JSON.stringify(form)}`);
    } finally {
      frame.remove();
    }
  });

  it("stops fetching at its byte budget and leaves the rest as it was", async () => {
    const html = await inlinePage(`<img src="/logo.svg"><img src="/small.svg">`, { pageUrl: root, root, fetch: serve, maxBytes: 150 });
    const inlined = html.match(/data:image/g)?.length ?? 0;
    if (inlined !== 1) throw new Error(`inlined ${inlined} images under a 150-byte budget (each is about 100 bytes)`);
  });
});

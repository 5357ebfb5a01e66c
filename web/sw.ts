// The site's service worker (built to sw.js at the site's root by scripts/lib/site-extras-plugin.mjs).
// 1. Offline: on install it caches every file of the build (the page, v86, the kernel, the
//    snapshot, the base images) under a cache named for the build's version hash; on activate
//    it drops other versions' caches. Requests are answered from the cache first.
// 2. Preview: requests under preview/<port>/… are relayed to a container's web server in the
//    guest. The SW has no way into the guest itself: it asks an app window (MessageChannel),
//    which opens a TCP connection through the guest worker and speaks HTTP/1.1 over it.
/// <reference lib="webworker" />
declare const self: ServiceWorkerGlobalScope;
declare const __SW_PRECACHE__: string[];
declare const __SW_VERSION__: string;

const CACHE = `slipway-${__SW_VERSION__}`;
const scope = new URL(self.registration.scope);
const PREVIEW = /^preview\/(\d+)(\/.*)?$/;

export interface PreviewRequest {
  type: "slipway-preview-fetch";
  port: number;
  method: string;
  /** Path and query inside the container's server. */
  path: string;
  headers: [string, string][];
  body?: ArrayBuffer;
}

export interface PreviewResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer;
  error?: string;
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: "no-cache" revalidates each file with the host: a stale file from the HTTP cache
      // under a new version would defeat the versioning, and a file the page has just downloaded
      // costs a 304, not a second download ("reload" fetched the whole build twice on a first visit).
      await cache.addAll(__SW_PRECACHE__.map((f) => new Request(new URL(f, scope), { cache: "no-cache" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith("slipway-") && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  const local = url.pathname.slice(scope.pathname.length);
  const m = PREVIEW.exec(local);
  if (m) {
    event.respondWith(relay(event, Number(m[1]), (m[2] ?? "/") + url.search));
    return;
  }
  if (event.request.method !== "GET") return;
  event.respondWith(fromCache(event.request));
});

async function fromCache(req: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  // The guest's files are fetched with ?v=<hash>; the cache holds each under its plain name.
  const hit = (await cache.match(req, { ignoreSearch: true })) ?? (req.mode === "navigate" ? await cache.match(new URL("./", scope).href) : undefined);
  if (hit) return hit;
  return fetch(req);
}

/** An app window to relay through: any window of the site that is not itself a preview. */
async function appClient(): Promise<Client | undefined> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  return windows.find((c) => {
    const p = new URL(c.url).pathname;
    return p.startsWith(scope.pathname) && !PREVIEW.test(p.slice(scope.pathname.length));
  });
}

async function relay(event: FetchEvent, port: number, path: string): Promise<Response> {
  const client = await appClient();
  if (!client) return problem(503, "The Slipway page is not open, so there is no machine to show this page from. Open Slipway, then reload this preview.");
  const req = event.request;
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
  const message: PreviewRequest = { type: "slipway-preview-fetch", port, method: req.method, path, headers: [...req.headers], body };
  const channel = new MessageChannel();
  const answer = new Promise<PreviewResponse>((resolve) => {
    channel.port1.onmessage = (e) => resolve(e.data as PreviewResponse);
    setTimeout(() => resolve({ status: 504, statusText: "Gateway Timeout", headers: [], body: new ArrayBuffer(0), error: `No answer from port ${port} within 30 s.` }), 30_000);
  });
  client.postMessage(message, [channel.port2, ...(body ? [body] : [])]);
  const res = await answer;
  if (res.error) return problem(res.status || 502, res.error);
  const headers = new Headers(res.headers.filter(([k]) => !/^(transfer-encoding|connection|keep-alive|content-length|content-security-policy)$/i.test(k)));
  // Opened on its own (a new tab at preview/80/), the container's page would share the app's
  // origin: the sandbox directive gives it an opaque one, as the Preview iframe does.
  headers.set("Content-Security-Policy", "sandbox allow-scripts allow-forms allow-popups allow-modals");
  // The container's server redirects within itself ("/docs/"): keep that under its preview path.
  const location = headers.get("Location");
  const local = location && /^(?:(?:https?:)?\/\/(?:localhost|127\.0\.0\.1)(?::\d+)?)?(\/(?!\/).*)$/i.exec(location);
  if (local) headers.set("Location", new URL(`preview/${port}${local[1]}`, scope).href);
  const noBody = req.method === "HEAD" || res.status === 204 || res.status === 304;
  return new Response(noBody ? null : res.body, { status: res.status, statusText: res.statusText, headers });
}

function problem(status: number, text: string): Response {
  const html = `<!doctype html><meta charset="utf-8"><title>Preview</title><body style="font: 16px system-ui; padding: 2rem"><p>${text.replace(/[<&]/g, (c) => (c === "<" ? "&lt;" : "&amp;"))}</p>`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

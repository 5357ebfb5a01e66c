// A minimal static file server for the built site, like a static host would be (no compression:
// it runs on this machine, where bytes cost nothing). For the benchmark, the offline test and
// local checks. It sends what GitHub Pages sends for caching (an ETag, Last-Modified and
// `Cache-Control: max-age=600`) and answers conditional requests with 304, so a repeat visit
// costs what it costs on a real host. `base` mounts the site under a sub-path, as a Pages
// project site is (https://user.github.io/repo/).
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};

/** GitHub Pages' max-age: a returning visitor within 10 minutes asks nothing at all. */
export const MAX_AGE = 600;

/**
 * A handler for node:http requests under `base` (default "/"): serves dir's files and returns true,
 * or returns false for paths outside base (the caller answers those).
 * @param {string} dir
 * @param {{ base?: string }} [opts]
 */
export function staticHandler(dir, { base = "/" } = {}) {
  if (!base.endsWith("/")) base += "/";
  return (req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    // The sub-path without its slash is the site too: a host redirects it.
    if (path === base.slice(0, -1) && base !== "/") return void res.writeHead(301, { Location: base }).end(), true;
    if (!path.startsWith(base)) return false;
    path = path.slice(base.length - 1);
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep)) return void res.writeHead(403).end(), true;
    let st;
    try {
      st = statSync(file);
      if (!st.isFile()) throw new Error("not a file");
    } catch {
      return void res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n"), true;
    }
    // Size and mtime, as nginx (and Pages) derive theirs: a rebuilt file gets a new one.
    const etag = `"${st.mtimeMs.toString(16).replace(".", "")}-${st.size.toString(16)}"`;
    const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString();
    const headers = { ETag: etag, "Last-Modified": lastModified, "Cache-Control": `max-age=${MAX_AGE}` };
    const inm = req.headers["if-none-match"];
    const ims = req.headers["if-modified-since"];
    const fresh = inm ? inm.split(",").some((t) => t.trim().replace(/^W\//, "") === etag) : ims ? Date.parse(ims) >= Date.parse(lastModified) : false;
    if (fresh && (req.method === "GET" || req.method === "HEAD")) return void res.writeHead(304, headers).end(), true;
    res.writeHead(200, { ...headers, "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Content-Length": st.size });
    if (req.method === "HEAD") return void res.end(), true;
    createReadStream(file).pipe(res);
    return true;
  };
}

/**
 * Serves dir on 127.0.0.1:port (0: any free port) under base; resolves to { url, close, traffic }
 * (url ends in base). `traffic` counts what went over the wire since it was last reset: requests,
 * 304s, and bytes (headers and bodies, as the sockets wrote them).
 */
export function serveStatic(dir, port = 0, { base = "/" } = {}) {
  const handle = staticHandler(dir, { base });
  const traffic = { requests: 0, notModified: 0, bytes: 0, reset() { this.requests = this.notModified = this.bytes = 0; } };
  const written = new WeakMap();
  const server = createServer((req, res) => {
    traffic.requests++;
    const sock = req.socket;
    if (!written.has(sock)) written.set(sock, 0);
    res.on("finish", () => {
      if (res.statusCode === 304) traffic.notModified++;
      traffic.bytes += sock.bytesWritten - written.get(sock);
      written.set(sock, sock.bytesWritten);
    });
    if (!handle(req, res)) res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: p } = server.address();
      resolve({
        traffic,
        url: `http://127.0.0.1:${p}${base.endsWith("/") ? base : base + "/"}`,
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            // Keep-alive sockets would hold close() open.
            server.closeAllConnections?.();
          }),
      });
    });
  });
}

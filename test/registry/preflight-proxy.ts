// The reverse proxy README asks for in front of a registry with auth: distribution answers a
// browser's preflight (OPTIONS, which carries no credentials) with 401, so this answers it
// itself (204 and the CORS headers) and passes every other request on unchanged. The Host
// header goes through as the client sent it, so the registry's Location headers name the proxy.
import { createServer, request } from "node:http";

export interface PreflightProxy {
  url: string;
  host: string;
  stop(): Promise<void>;
}

export async function startPreflightProxy(upstream: string, cors: Record<string, string[]>): Promise<PreflightProxy> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    if (req.method === "OPTIONS") {
      for (const [k, v] of Object.entries(cors)) res.setHeader(k, v.join(", "));
      res.writeHead(204).end();
      return;
    }
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on("error", (err) => res.writeHead(502).end(String(err)));
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

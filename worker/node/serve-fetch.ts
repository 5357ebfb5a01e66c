// Serves a Fetch-style handler, (Request) => Promise<Response>, on a Node
// http.Server. Bodies stream both ways: a 1 GB layer push never sits in
// memory, and neither does a pull.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type FetchHandler = (req: Request) => Promise<Response>;

export interface ServeOptions {
  port?: number;
  host?: string;
}

/**
 * A request body as a web stream, with backpressure: the socket is paused
 * while 1 MiB waits unread. (Lighter than Readable.toWeb on big uploads.)
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        req.on("data", (chunk: Buffer) => {
          c.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((c.desiredSize ?? 1) <= 0) req.pause();
        });
        req.once("end", () => c.close());
        // A cut connection: 'aborted' on older Node, 'error' or 'close' before 'end' on newer.
        // (c.error on a stream already closed or errored throws: ignore that.)
        const fail = (e: unknown) => {
          try {
            c.error(e);
          } catch {}
        };
        req.once("error", fail);
        req.once("close", () => {
          if (!req.complete) fail(new Error("request body cut off"));
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        req.destroy();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 1 << 20 }),
  );
}

/** Turns Node's request into a Fetch Request; the body stays a stream. */
export function toRequest(req: IncomingMessage, base: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", base), {
    method,
    headers,
    body: hasBody ? bodyStream(req) : undefined,
    // Needed by undici for a streaming request body.
    duplex: "half",
  } as RequestInit);
}

/** Writes a Fetch Response to Node's response, streaming its body. */
export async function writeResponse(res: ServerResponse, response: Response, method: string): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    headers[key] = key === "set-cookie" ? response.headers.getSetCookie() : value;
  });
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (!response.body || method === "HEAD") {
    await response.body?.cancel();
    res.end();
    return;
  }
  // A plain read loop: lighter than Readable.fromWeb + pipeline, and it
  // still waits for 'drain', so a slow client holds back the reads.
  const reader = response.body.getReader();
  const closed = new Promise<void>((resolve) => res.once("close", resolve));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) throw new Error("client went away");
      if (!res.write(value)) await Promise.race([new Promise((r) => res.once("drain", r)), closed]);
    }
    res.end();
  } catch (e) {
    await reader.cancel(e).catch(() => {});
    throw e;
  }
}

/** Starts a server for `handler`; resolves once it listens (port 0 picks a free one). */
export function serveFetch(handler: FetchHandler, opts: ServeOptions = {}): Promise<Server> {
  const host = opts.host ?? "127.0.0.1";
  const server = createServer(async (req, res) => {
    try {
      const base = `http://${req.headers.host ?? host}`;
      const response = await handler(toRequest(req, base));
      await writeResponse(res, response, req.method ?? "GET");
    } catch (e) {
      // The client went away mid-stream, or the handler threw: nothing useful to send.
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`internal error: ${(e as Error)?.message ?? e}\n`);
      } else {
        res.destroy();
      }
    }
  });
  // Big layers take a while: no idle cut-off while a client streams.
  server.requestTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

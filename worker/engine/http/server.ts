// HTTP/1.1 over any ByteStream: keep-alive, Content-Length and chunked bodies both
// ways, and the hijack Docker uses for attach and exec (101 UPGRADED to a raw stream).
// Written here rather than taken from Node because the same server must also run in
// a web worker, over connections relayed from inside the guest.
import { BufferedReader, HttpError, type ByteStream } from "./byte-stream.ts";
import type { ApiRequest, ApiResponse, Handler } from "./message.ts";
import { concatBytes } from "../bytes.ts";

const CRLF = new Uint8Array([13, 10]);
const HEAD_END = new Uint8Array([13, 10, 13, 10]);
const enc = new TextEncoder();
const dec = new TextDecoder();

export interface Exchange {
  method: string;
  url: string;
  status: number;
  ms: number;
  requestHeaders: Map<string, string>;
  /** Who sent it, when the connection's owner said (Daemon.serve's meta). */
  client?: string;
  /** The response's headers as sent (the page's architecture view shows them). */
  responseHeaders?: Record<string, string>;
  /** The first PREVIEW_BYTES of each body, for reading an exchange back. */
  requestBody?: Uint8Array;
  responseBody?: Uint8Array;
  /**
   * Set when the response body is a stream (events, logs --follow, wait, pull progress):
   * the exchange is reported as soon as the head is sent, and this settles when the body ends,
   * with the full time and the body's preview.
   */
  finished?: Promise<{ ms: number; responseBody: Uint8Array }>;
}

/** How much of each body an Exchange carries. */
export const PREVIEW_BYTES = 4096;

/** Keeps the first PREVIEW_BYTES of what passes through. */
class Preview {
  private parts: Uint8Array[] = [];
  private n = 0;
  add(chunk: Uint8Array): void {
    if (this.n >= PREVIEW_BYTES) return;
    const part = chunk.subarray(0, PREVIEW_BYTES - this.n);
    this.parts.push(part.slice());
    this.n += part.length;
  }
  bytes(): Uint8Array {
    return concatBytes(this.parts);
  }
}

export interface ServeOptions {
  /** The API version a request without /v1.xx/ gets. */
  defaultVersion: string;
  /** Told of every request once its response has started (the page's architecture view). */
  onExchange?: (e: Exchange) => void;
}

const REASONS: Record<number, string> = {
  101: "UPGRADED", 200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified", 400: "Bad Request", 401: "Unauthorized",
  403: "Forbidden", 404: "Not Found", 409: "Conflict", 416: "Requested Range Not Satisfiable", 431: "Request Header Fields Too Large",
  500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
};

export async function serveConnection(stream: ByteStream, handler: Handler, opts: ServeOptions): Promise<void> {
  const reader = new BufferedReader(stream);
  try {
    for (;;) {
      const head = await reader.readUntil(HEAD_END, 64 * 1024);
      if (!head) break;
      const t0 = Date.now();
      const { method, url, headers } = parseHead(dec.decode(head));
      const requestPreview = opts.onExchange ? new Preview() : undefined;
      const body = previewed(bodyOf(reader, headers), requestPreview);
      const u = new URL(url, "http://docker");
      const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(u.pathname);
      const req: ApiRequest = {
        method,
        path: m ? m[2] : u.pathname,
        apiVersion: m ? m[1] : opts.defaultVersion,
        query: u.searchParams,
        headers,
        body,
        params: {},
      };
      let res: ApiResponse;
      try {
        res = await handler(req);
      } catch (err) {
        res = { status: 500, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ message: (err as Error).message }) + "\n" };
      }
      if ("hijack" in res) {
        const upgrade = (headers.get("connection") ?? "").toLowerCase().includes("upgrade");
        await stream.write(enc.encode(
          upgrade
            ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${res.contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${apiHeaders(opts)}\r\n`
            : `HTTP/1.1 200 OK\r\nContent-Type: ${res.contentType}\r\n${apiHeaders(opts)}\r\n`,
        ));
        opts.onExchange?.({
          method, url, status: upgrade ? 101 : 200, ms: Date.now() - t0, requestHeaders: headers,
          responseHeaders: { "Content-Type": res.contentType, ...(upgrade ? { Connection: "Upgrade", Upgrade: "tcp" } : {}) },
          requestBody: requestPreview?.bytes(),
        });
        // Drain a request body the handler never read, so raw stdin starts clean.
        for await (const _ of body) void _;
        let closed = false;
        await res.hijack({
          read: () => (closed ? Promise.resolve(null) : reader.readSome()),
          write: (d) => stream.write(d),
          close: () => {
            closed = true;
          },
        });
        break;
      }
      // A HEAD answer has headers only.
      const sent = method === "HEAD" ? { ...res, body: undefined } : res;
      const responsePreview = opts.onExchange ? new Preview() : undefined;
      const report = (extra: Partial<Exchange>) =>
        opts.onExchange?.({ method, url, status: sent.status, ms: Date.now() - t0, requestHeaders: headers, requestBody: requestPreview?.bytes(), ...extra });
      await writeResponse(stream, sent, opts, responsePreview, report);
      for await (const _ of body) void _; // unread body: skip to the next request
      if ((headers.get("connection") ?? "").toLowerCase() === "close") break;
    }
  } catch (err) {
    if (err instanceof HttpError) {
      await stream.write(enc.encode(`HTTP/1.1 ${err.status} ${REASONS[err.status] ?? "Error"}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n`)).catch(() => {});
      await stream.write(enc.encode(JSON.stringify({ message: err.message }) + "\n")).catch(() => {});
    }
  } finally {
    stream.end();
  }
}

function apiHeaders(opts: ServeOptions): string {
  return `Api-Version: ${opts.defaultVersion}\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: Docker/slipway (linux)\r\n`;
}

async function writeResponse(
  stream: ByteStream,
  res: Extract<ApiResponse, { status: number }>,
  opts: ServeOptions,
  preview?: Preview,
  report?: (e: Partial<Exchange>) => void,
): Promise<void> {
  const headers: Record<string, string> = { ...res.headers };
  let head = `HTTP/1.1 ${res.status} ${REASONS[res.status] ?? "Status"}\r\n${apiHeaders(opts)}Date: ${new Date().toUTCString()}\r\n`;
  const body = res.body;
  if (body === undefined || typeof body === "string" || body instanceof Uint8Array) {
    const bytes = body === undefined ? new Uint8Array(0) : typeof body === "string" ? enc.encode(body) : body;
    if (res.status !== 204 && res.status !== 304) headers["Content-Length"] = String(bytes.length);
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    await stream.write(concatBytes([enc.encode(head + "\r\n"), bytes]));
    preview?.add(bytes);
    report?.({ responseHeaders: headers, responseBody: preview?.bytes() });
    return;
  }
  headers["Transfer-Encoding"] = "chunked";
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  await stream.write(enc.encode(head + "\r\n"));
  // A stream may last as long as the client listens: report it now, finish the report later.
  const t0 = Date.now();
  let finish: (f: { ms: number; responseBody: Uint8Array }) => void = () => {};
  const finished = new Promise<{ ms: number; responseBody: Uint8Array }>((r) => (finish = r));
  report?.({ responseHeaders: headers, finished });
  try {
    for await (const chunk of body) {
      if (chunk.length === 0) continue;
      preview?.add(chunk);
      await stream.write(concatBytes([enc.encode(chunk.length.toString(16) + "\r\n"), chunk, CRLF]));
    }
    await stream.write(enc.encode("0\r\n\r\n"));
  } finally {
    finish({ ms: Date.now() - t0, responseBody: preview?.bytes() ?? new Uint8Array(0) });
  }
}

/** The body as it is read, its first bytes kept in the preview. */
function previewed(body: AsyncIterable<Uint8Array>, preview: Preview | undefined): AsyncIterable<Uint8Array> {
  if (!preview) return body;
  const it = body[Symbol.asyncIterator]();
  const wrapped: AsyncIterator<Uint8Array> = {
    async next() {
      const r = await it.next();
      if (!r.done) preview.add(r.value);
      return r;
    },
    return: it.return ? (v?: unknown) => it.return!(v) : undefined,
  };
  return { [Symbol.asyncIterator]: () => wrapped };
}

function parseHead(text: string): { method: string; url: string; headers: Map<string, string> } {
  const lines = text.split("\r\n");
  const [method, url, version] = lines[0].split(" ");
  if (!method || !url || !/^HTTP\/1\.[01]$/.test(version ?? "")) throw new HttpError(400, `malformed request line: ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const i = line.indexOf(":");
    if (i <= 0) throw new HttpError(400, `malformed header line: ${JSON.stringify(line)}`);
    headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { method, url, headers };
}

/** The request body as a one-shot stream; reading past it is impossible, and unread parts are skipped. */
function bodyOf(reader: BufferedReader, headers: Map<string, string>): AsyncIterable<Uint8Array> {
  const te = (headers.get("transfer-encoding") ?? "").toLowerCase();
  const cl = headers.get("content-length");
  let done = false;
  async function* gen(): AsyncGenerator<Uint8Array> {
    if (done) return;
    done = true;
    if (te.includes("chunked")) {
      for (;;) {
        const line = await reader.readUntil(CRLF, 1024);
        if (!line) throw new HttpError(400, "unexpected end of chunked body");
        const size = parseInt(dec.decode(line).split(";")[0].trim(), 16);
        if (Number.isNaN(size)) throw new HttpError(400, "malformed chunk size");
        if (size === 0) {
          // trailers, then the empty line
          for (;;) {
            const t = await reader.readUntil(CRLF, 8192);
            if (!t || t.length === 2) return;
          }
        }
        let left = size;
        while (left > 0) {
          const part = await reader.readExactly(Math.min(left, 256 * 1024));
          left -= part.length;
          yield part;
        }
        await reader.readExactly(2);
      }
    } else if (cl) {
      let left = Number(cl);
      if (!Number.isSafeInteger(left) || left < 0) throw new HttpError(400, "malformed Content-Length");
      while (left > 0) {
        const part = await reader.readExactly(Math.min(left, reader.buffered.length || Math.min(left, 64 * 1024)));
        left -= part.length;
        yield part;
      }
    }
  }
  const it = gen();
  return { [Symbol.asyncIterator]: () => it };
}

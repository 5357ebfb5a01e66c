// One HTTP/1.1 request over any byte stream, and its response parsed: how the page talks
// to the daemon (an in-memory connection) and to a container's web server (a TCP connection
// into the guest, for the Preview). Content-Length, chunked, or read-until-close bodies.
import { BufferedReader, type ByteStream } from "../engine/http/byte-stream.ts";
import { concatBytes } from "../engine/bytes.ts";

export interface HttpRequest {
  method: string;
  /** Path and query, e.g. /containers/json?all=1 */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

export interface HttpResponseHead {
  status: number;
  statusText: string;
  /** Lower-case names; a repeated header keeps its last value. */
  headers: Record<string, string>;
}

export interface HttpResponse extends HttpResponseHead {
  body: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const CRLF = new Uint8Array([13, 10]);
const HEAD_END = new Uint8Array([13, 10, 13, 10]);

/** Writes the request; resolves with the response's head and its body as a stream of chunks. */
export async function sendRequest(stream: ByteStream, req: HttpRequest): Promise<HttpResponseHead & { body: AsyncIterable<Uint8Array> }> {
  const body = typeof req.body === "string" ? enc.encode(req.body) : req.body;
  const headers: Record<string, string> = { Host: "localhost", ...req.headers };
  if (body && !Object.keys(headers).some((k) => k.toLowerCase() === "content-length")) headers["Content-Length"] = String(body.length);
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  await stream.write(enc.encode(head + "\r\n"));
  if (body?.length) await stream.write(body);

  const reader = new BufferedReader(stream);
  let parsed: HttpResponseHead;
  // 1xx answers (100 Continue) come before the real one.
  do {
    const raw = await reader.readUntil(HEAD_END, 64 * 1024);
    if (!raw) throw new Error("the connection closed before a response");
    parsed = parseHead(dec.decode(raw));
  } while (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101);
  const noBody = req.method === "HEAD" || parsed.status === 204 || parsed.status === 304 || parsed.status === 101;
  return { ...parsed, body: noBody ? empty() : bodyOf(reader, parsed.headers) };
}

/** The whole exchange: request, then the complete response. */
export async function request(stream: ByteStream, req: HttpRequest): Promise<HttpResponse> {
  const res = await sendRequest(stream, req);
  const parts: Uint8Array[] = [];
  for await (const c of res.body) parts.push(c);
  return { ...res, body: concatBytes(parts) };
}

function parseHead(text: string): HttpResponseHead {
  const lines = text.split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0]);
  if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0].slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(m[1]), statusText: m[2], headers };
}

async function* empty(): AsyncGenerator<Uint8Array> {}

async function* bodyOf(reader: BufferedReader, headers: Record<string, string>): AsyncGenerator<Uint8Array> {
  if ((headers["transfer-encoding"] ?? "").toLowerCase().includes("chunked")) {
    for (;;) {
      const line = await reader.readUntil(CRLF, 1024);
      if (!line) return; // closed mid-stream: what came is what there is
      const size = parseInt(dec.decode(line), 16);
      if (!size) return;
      yield await reader.readExactly(size);
      await reader.readExactly(2);
    }
  }
  const cl = headers["content-length"];
  if (cl !== undefined) {
    let left = Number(cl);
    while (left > 0) {
      const c = await reader.readSome();
      if (!c) return;
      left -= c.length;
      yield c;
    }
    return;
  }
  // Neither: the body runs until the server closes.
  for (;;) {
    const c = await reader.readSome();
    if (!c) return;
    yield c;
  }
}


/** Two ByteStreams joined back to back, in memory: what one writes, the other reads. */
export function streamPair(): [ByteStream, ByteStream] {
  const a = new Pipe();
  const b = new Pipe();
  return [
    { read: () => a.read(), write: async (d) => b.push(d), end: () => b.close() },
    { read: () => b.read(), write: async (d) => a.push(d), end: () => a.close() },
  ];
}

class Pipe {
  private queue: Uint8Array[] = [];
  private closed = false;
  private wake?: () => void;

  push(d: Uint8Array): void {
    if (this.closed) return;
    // A copy: the writer may reuse its buffer.
    this.queue.push(d.slice());
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async read(): Promise<Uint8Array | null> {
    while (!this.queue.length && !this.closed) await new Promise<void>((r) => (this.wake = r));
    return this.queue.shift() ?? null;
  }
}

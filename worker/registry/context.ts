// What every handler gets: the request, the parsed route, and the store.
import type { Store } from "./store.ts";
import type { Uploads } from "./uploads.ts";
import { concatBytes } from "./bytes.ts";

export interface Context {
  req: Request;
  url: URL;
  /** The repository name from the path ("library/busybox"). */
  name: string;
  store: Store;
  uploads: Uploads;
}

/** A response with no body; Content-Length 0 as the spec's examples show. */
export function empty(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers: { "Content-Length": "0", ...headers } });
}

/** A JSON response (a HEAD gets the headers only). */
export function json(req: Request, value: unknown, headers: Record<string, string> = {}, contentType = "application/json"): Response {
  const body = new TextEncoder().encode(JSON.stringify(value));
  return new Response(req.method === "HEAD" ? null : body, {
    status: 200,
    headers: { "Content-Type": contentType, "Content-Length": String(body.byteLength), ...headers },
  });
}

/** The request body as chunks; nothing at all for a request without one. */
export async function* bodyChunks(req: Request): AsyncGenerator<Uint8Array> {
  if (!req.body) return;
  const reader = req.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value?.byteLength) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The whole body, refusing more than `limit` bytes (manifests are small by rule). */
export async function readBody(req: Request, limit: number): Promise<Uint8Array | "too-large"> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of bodyChunks(req)) {
    size += c.byteLength;
    if (size > limit) return "too-large";
    chunks.push(c);
  }
  return concatBytes(chunks);
}

/** The declared Content-Length, if any (a chunked request has none). */
export function declaredLength(req: Request): number | null {
  const v = req.headers.get("content-length");
  if (v === null || !/^\d+$/.test(v.trim())) return null;
  return Number(v);
}

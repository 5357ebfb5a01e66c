// Blobs: the layers and configs that manifests point at, fetched by digest.
//   GET/HEAD /v2/<name>/blobs/<digest>   (with Range: bytes=…, for resumable pulls)
//   DELETE   /v2/<name>/blobs/<digest>
import { RegistryError } from "./errors.ts";
import { parseDigest, formatDigest, type Digest } from "./digest.ts";
import { empty, type Context } from "./context.ts";
import * as paths from "./paths.ts";

/** Parses a digest from the URL; a bad one is DIGEST_INVALID, as the spec wants. */
export function digestParam(s: string): Digest {
  const d = parseDigest(s);
  if (d === "malformed") throw new RegistryError("DIGEST_INVALID", `invalid digest: ${s}`, { digest: s });
  if (d === "unsupported") throw new RegistryError("UNSUPPORTED", `unsupported digest algorithm: ${s}`, { digest: s });
  return d;
}

/**
 * A single "bytes=start-end" range against a blob of `size` bytes.
 * null: no usable Range (serve the whole blob); "unsatisfiable": answer 416.
 */
export function parseRange(header: string | null, size: number): { start: number; end: number } | null | "unsatisfiable" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null; // several ranges, or nonsense: the whole blob is a valid answer
  let start: number;
  let end: number;
  if (m[1] === "") {
    // "bytes=-N": the last N bytes
    const n = Number(m[2]);
    if (n === 0) return "unsatisfiable";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

export async function getBlob(ctx: Context, ref: string): Promise<Response> {
  const d = digestParam(ref);
  const size = await ctx.store.layerSize(ctx.name, d);
  if (size === null) throw new RegistryError("BLOB_UNKNOWN", undefined, { digest: ref });
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    "Docker-Content-Digest": formatDigest(d),
    "Accept-Ranges": "bytes",
    ETag: `"${formatDigest(d)}"`,
    "Cache-Control": "max-age=31536000", // content-addressed: it never changes
  };
  const range = parseRange(ctx.req.headers.get("range"), size);
  if (range === "unsatisfiable") {
    throw new RegistryError("BLOB_UNKNOWN", "requested range not satisfiable", { digest: ref, size }, { status: 416, headers: { "Content-Range": `bytes */${size}` } });
  }
  const start = range?.start ?? 0;
  const length = range ? range.end - range.start + 1 : size;
  headers["Content-Length"] = String(length);
  if (range) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${size}`;
  const status = range ? 206 : 200;
  if (ctx.req.method === "HEAD") return new Response(null, { status, headers });
  const body = await ctx.store.driver.reader(paths.blobData(d), start, length);
  return new Response(body, { status, headers });
}

export async function deleteBlob(ctx: Context, ref: string): Promise<Response> {
  const d = digestParam(ref);
  if (!(await ctx.store.deleteLayer(ctx.name, d))) throw new RegistryError("BLOB_UNKNOWN", undefined, { digest: ref });
  return empty(202, { "Docker-Content-Digest": formatDigest(d) });
}

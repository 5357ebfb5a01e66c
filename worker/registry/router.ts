// Maps a request's method and path to the handler for it: the URL scheme
// of the OCI Distribution API. Repository names may contain slashes, so
// each route is matched from its fixed end ("/manifests/<ref>", ...).
import { RegistryError } from "./errors.ts";
import { isValidName } from "./names.ts";
import type { Context } from "./context.ts";
import { getBlob, deleteBlob } from "./blobs.ts";
import { startUpload, patchUpload, putUpload, uploadStatus, cancelUpload } from "./uploads.ts";
import { getManifest, putManifest, deleteManifest } from "./manifests.ts";
import { listTags } from "./tags.ts";
import { listReferrers } from "./referrers.ts";

export type Route =
  | { kind: "base" }
  | { kind: "catalog" }
  | { kind: "tags"; name: string }
  | { kind: "manifest"; name: string; ref: string }
  | { kind: "blob"; name: string; ref: string }
  | { kind: "uploads"; name: string }
  | { kind: "upload"; name: string; ref: string }
  | { kind: "referrers"; name: string; ref: string };

type Handler = (ctx: Context, ref: string) => Promise<Response>;

/** Which methods each route answers. HEAD goes wherever GET goes. */
const table: Record<Exclude<Route["kind"], "base" | "catalog">, Partial<Record<string, Handler>>> = {
  tags: { GET: (ctx) => listTags(ctx) },
  manifest: { GET: getManifest, PUT: putManifest, DELETE: deleteManifest },
  blob: { GET: getBlob, DELETE: deleteBlob },
  uploads: { POST: (ctx) => startUpload(ctx) },
  upload: { GET: uploadStatus, PATCH: patchUpload, PUT: putUpload, DELETE: cancelUpload },
  referrers: { GET: listReferrers },
};

/** The route for a path, or null if it is none of the API's. */
export function parseRoute(pathname: string): Route | null {
  if (/^\/v2\/?$/.test(pathname)) return { kind: "base" };
  if (pathname === "/v2/_catalog") return { kind: "catalog" };
  let m: RegExpExecArray | null;
  if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(pathname))) return { kind: "tags", name: m[1] };
  if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname))) return { kind: "manifest", name: m[1], ref: m[2] };
  if ((m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(pathname))) return { kind: "uploads", name: m[1] };
  if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(pathname))) return { kind: "upload", name: m[1], ref: m[2] };
  if ((m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(pathname))) return { kind: "blob", name: m[1], ref: m[2] };
  if ((m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(pathname))) return { kind: "referrers", name: m[1], ref: m[2] };
  return null;
}

/** Runs the handler for a route with a repository name (the name already checked). */
export function dispatch(route: Exclude<Route, { kind: "base" | "catalog" }>, ctx: Context): Promise<Response> {
  const methods = table[route.kind];
  const method = ctx.req.method === "HEAD" && route.kind !== "uploads" && route.kind !== "upload" ? "GET" : ctx.req.method;
  const handler = methods[method];
  if (!handler) {
    const allow = Object.keys(methods).flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m]));
    throw new RegistryError("UNSUPPORTED", `${ctx.req.method} is not supported here`, undefined, { headers: { Allow: allow.join(", ") } });
  }
  return handler(ctx, "ref" in route ? route.ref : "");
}

/** Checks the repository name of a route: NAME_INVALID before anything else. */
export function checkName(name: string): void {
  if (!isValidName(name)) throw new RegistryError("NAME_INVALID", `invalid repository name: ${name}`, { name });
}

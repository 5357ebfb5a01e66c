// The registry: one function from a Fetch Request to a Response.
//
// It runs wherever Request and Response exist: behind Node's http server
// (`slipway registry`, see worker/node/serve-fetch.ts), in a browser web
// worker, or called in-process by the Docker daemon with no network at all.
import { RegistryError } from "./errors.ts";
import { StorageFullError, type StorageDriver } from "./storage/driver.ts";
import { Store, type HasherFactory } from "./store.ts";
import { Uploads } from "./uploads.ts";
import { Seeder, type LayoutSource } from "./seed.ts";
import { parseRoute, dispatch, checkName } from "./router.ts";
import { catalog } from "./catalog.ts";
import { json } from "./context.ts";

export interface RegistryOptions {
  driver: StorageDriver;
  /** Base images to pre-fill, as OCI layouts (see seed.ts); seeded on first use. */
  seed?: LayoutSource;
  /** Replaces the portable sha256 with a faster one (Node's crypto) where there is one. */
  hasher?: HasherFactory;
}

export interface Registry {
  handle(req: Request): Promise<Response>;
  /** Seeds every base image now rather than on first use. */
  seed(): Promise<void>;
  readonly store: Store;
}

export function createRegistry(opts: RegistryOptions): Registry {
  const store = new Store(opts.driver, opts.hasher);
  const uploads = new Uploads(store);
  const seeder = opts.seed ? new Seeder(store, opts.seed) : null;

  async function route(req: Request): Promise<Response> {
    const url = new URL(req.url);
    let pathname: string;
    try {
      // Some clients percent-encode the digest's colon.
      pathname = decodeURIComponent(url.pathname);
    } catch {
      pathname = url.pathname;
    }
    const r = parseRoute(pathname);
    if (!r) throw new RegistryError("UNSUPPORTED", `no such endpoint: ${url.pathname}`, undefined, { status: 404 });
    if (r.kind === "base") {
      if (req.method !== "GET" && req.method !== "HEAD") throw new RegistryError("UNSUPPORTED", undefined, undefined, { headers: { Allow: "GET, HEAD" } });
      return json(req, {});
    }
    if (r.kind === "catalog") {
      if (req.method !== "GET" && req.method !== "HEAD") throw new RegistryError("UNSUPPORTED", undefined, undefined, { headers: { Allow: "GET, HEAD" } });
      await seeder?.ensureAll();
      return catalog(req, url, store);
    }
    checkName(r.name);
    await seeder?.ensure(r.name);
    return dispatch(r, { req, url, name: r.name, store, uploads });
  }

  async function handle(req: Request): Promise<Response> {
    let res: Response;
    try {
      res = await route(req);
    } catch (e) {
      res = toError(e).toResponse(req.method);
    }
    // Tells clients this is a v2 registry; distribution sets it on every answer.
    res.headers.set("Docker-Distribution-API-Version", "registry/2.0");
    return res;
  }

  return {
    handle,
    store,
    seed: async () => {
      await seeder?.ensureAll();
    },
  };
}

function toError(e: unknown): RegistryError {
  if (e instanceof RegistryError) return e;
  if (e instanceof StorageFullError) {
    // No spec code fits "out of space"; DENIED with 507 says "not now, not here" and the message says why.
    return new RegistryError("DENIED", `storage full: ${e.message}. Delete images or tags to make room.`, { reason: "quota" }, { status: 507 });
  }
  console.error("registry: internal error:", e);
  return new RegistryError("UNKNOWN", `internal error: ${(e as Error)?.message ?? String(e)}`);
}

// GET /v2/_catalog[?n=&last=]: every repository this registry holds.
// Not in the OCI spec proper, but every registry (and `docker search`-like tools) use it.
import type { Store } from "./store.ts";
import { json } from "./context.ts";
import { paginate } from "./paging.ts";

export async function catalog(req: Request, url: URL, store: Store): Promise<Response> {
  const page = paginate(await store.repositories(), url, "/v2/_catalog");
  return json(req, { repositories: page.items }, page.link ? { Link: page.link } : {});
}

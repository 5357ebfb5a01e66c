// GET /v2/<name>/tags/list[?n=&last=]: the tags of a repository, sorted.
import { RegistryError } from "./errors.ts";
import { json, type Context } from "./context.ts";
import { paginate } from "./paging.ts";

export async function listTags(ctx: Context): Promise<Response> {
  if (!(await ctx.store.repositoryExists(ctx.name))) throw new RegistryError("NAME_UNKNOWN", `repository name not known to registry: ${ctx.name}`, { name: ctx.name });
  const page = paginate(await ctx.store.tags(ctx.name), ctx.url, `/v2/${ctx.name}/tags/list`);
  return json(ctx.req, { name: ctx.name, tags: page.items }, page.link ? { Link: page.link } : {});
}

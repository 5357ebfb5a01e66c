// POST /build: the classic builder's endpoint. The body is the context tar; the
// answer streams Docker's JSON lines ({stream}, {aux:{ID}}, {errorDetail}). An error
// before any output (a Dockerfile that does not parse) is a plain HTTP error, as
// dockerd answers when it has flushed nothing yet.
import { BuildContext } from "../build/context.ts";
import { build, BuildError, type BuildOptions } from "../build/builder.ts";
import type { Engine } from "../engine.ts";
import { ApiError, badRequest } from "../errors.ts";
import { readBody } from "../http/message.ts";
import type { ProgressMessage } from "../images/progress.ts";
import { bool, json, type Router } from "../router.ts";

export function buildRoutes(r: Router, e: Engine): void {
  r.on("POST", "/build", async (req) => {
    const q = req.query;
    if (q.get("remote")) throw badRequest("building from a remote context is not supported by Slipway");
    const parseJson = <T>(name: string, fallback: T): T => {
      const v = q.get(name);
      if (!v) return fallback;
      try {
        return JSON.parse(v) as T;
      } catch {
        throw badRequest(`invalid ${name}: ${v}`);
      }
    };
    const opts: BuildOptions = {
      dockerfile: q.get("dockerfile") ?? "Dockerfile",
      tags: q.getAll("t"),
      buildArgs: parseJson<Record<string, string | null>>("buildargs", {}),
      target: q.get("target") ?? "",
      labels: parseJson<Record<string, string>>("labels", {}),
      noCache: bool(q.get("nocache")),
      quiet: bool(q.get("q")),
      pull: bool(q.get("pull")),
    };
    const ctx = await BuildContext.from(await readBody(req, 512 * 1024 * 1024));
    const gen = build(e, ctx, opts);
    let first: IteratorResult<ProgressMessage, string>;
    try {
      first = await gen.next();
    } catch (err) {
      throw new ApiError(err instanceof BuildError && err.code === undefined ? 400 : 500, (err as Error).message);
    }
    const enc = new TextEncoder();
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        if (!first.done) yield enc.encode(JSON.stringify(first.value) + "\r\n");
        else return;
        for (;;) {
          const r = await gen.next();
          if (r.done) break;
          yield enc.encode(JSON.stringify(r.value) + "\r\n");
        }
      } catch (err) {
        const message = (err as Error).message;
        const code = err instanceof BuildError ? err.code : undefined;
        yield enc.encode(JSON.stringify({ errorDetail: code !== undefined ? { code, message } : { message }, error: message }) + "\r\n");
      }
    }
    return { status: 200, headers: { "Content-Type": "application/json" }, body: body() };
  });

  // The classic builder keeps no separate build cache: its cache is the intermediate images.
  r.on("POST", "/build/prune", async () => json(200, { CachesDeleted: null, SpaceReclaimed: 0 }));
}

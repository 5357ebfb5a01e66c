// Maps "METHOD /path/{param}" to handlers, and errors to Docker's JSON.
import type { ApiRequest, ApiResponse, Handler } from "./http/message.ts";
import { ApiError } from "./errors.ts";
import { concatBytes } from "./bytes.ts";

type Route = { method: string; re: RegExp; names: string[]; handler: Handler };

export class Router {
  private routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    const names: string[] = [];
    // {name} matches one segment; {name*} (image names) may span several.
    const re = new RegExp(
      "^" +
        pattern.replace(/\{(\w+)(\*?)\}/g, (_, n: string, star: string) => {
          names.push(n);
          return star ? "(.+?)" : "([^/]+)";
        }) +
        "$",
    );
    this.routes.push({ method, re, names, handler });
    return this;
  }

  readonly handle: Handler = async (req: ApiRequest): Promise<ApiResponse> => {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(req.path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== req.method && !(req.method === "HEAD" && r.method === "GET")) continue;
      r.names.forEach((n, i) => (req.params[n] = decodeURIComponent(m[i + 1])));
      try {
        return await r.handler(req);
      } catch (err) {
        return errorResponse(err);
      }
    }
    return errorResponse(new ApiError(pathMatched ? 405 : 404, pathMatched ? "method not allowed" : `page not found`));
  };
}

export function errorResponse(err: unknown): ApiResponse {
  const status = err instanceof ApiError ? err.status : 500;
  const message = err instanceof Error ? err.message : String(err);
  return json(status, { message });
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(value) + "\n" };
}

/** Parses a JSON request body; a malformed one is Docker's 400. */
export async function jsonBody<T>(req: ApiRequest): Promise<T> {
  const parts: Uint8Array[] = [];
  for await (const c of req.body) parts.push(c);
  const text = new TextDecoder().decode(concatBytes(parts));
  if (!text.trim()) return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ApiError(400, `invalid JSON: ${(err as Error).message}`);
  }
}


export const bool = (v: string | null) => v === "1" || v === "true" || v === "True";

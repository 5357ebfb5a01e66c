// The Engine API as lesson checks use it, over the guest worker's engineRequest (the engine
// host's comlink call). A connection without it yields no EngineApi, and `api:` checks say so.
import type { EngineApi } from "./step-check.ts";

interface EngineRequester {
  engineRequest?: (req: { method: string; path: string; body?: unknown }) => Promise<{ status: number; body?: unknown }>;
}

const decoder = new TextDecoder();

export function engineApiOf(connection: unknown): EngineApi | undefined {
  const c = connection as EngineRequester | undefined;
  if (typeof c?.engineRequest !== "function") return undefined;
  return {
    async get(path) {
      const r = await c.engineRequest!({ method: "GET", path });
      const body = r.body;
      const text =
        typeof body === "string" ? body
        : body instanceof Uint8Array ? decoder.decode(body)
        : body instanceof ArrayBuffer ? decoder.decode(new Uint8Array(body))
        : JSON.stringify(body ?? "");
      return { status: r.status, body: text };
    },
  };
}

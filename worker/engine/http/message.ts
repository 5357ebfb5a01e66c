// The daemon's view of one HTTP exchange: what handlers receive and return.
import { concatBytes } from "../bytes.ts";

export interface ApiRequest {
  method: string;
  /** Path without the /v1.xx prefix, e.g. /containers/json. */
  path: string;
  /** The version the client asked for (from /v1.xx/), or the daemon's own. */
  apiVersion: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Map<string, string>;
  /** The body as it arrives; read it once. */
  body: AsyncIterable<Uint8Array>;
  /** Set by the router: path parameters such as {id}. */
  params: Record<string, string>;
}

/** A live connection handed to a handler after a hijack (attach, exec start). */
export interface HijackedConn {
  /** Client input, until the client closes its side (docker half-closes when stdin ends). */
  read(): Promise<Uint8Array | null>;
  write(data: Uint8Array): Promise<void>;
  close(): void;
}

export type ApiResponse =
  | {
      status: number;
      headers?: Record<string, string>;
      /** A complete body, or a stream sent with chunked encoding. */
      body?: Uint8Array | string | AsyncIterable<Uint8Array>;
    }
  | {
      /** Take over the connection: 101 UPGRADED when the client asked for an upgrade, else 200 and a raw stream. */
      hijack: (conn: HijackedConn) => Promise<void>;
      contentType: string;
    };

export type Handler = (req: ApiRequest) => Promise<ApiResponse>;

export async function readBody(req: ApiRequest, limit = 64 * 1024 * 1024): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of req.body) {
    n += c.length;
    if (n > limit) throw new Error("request body too large");
    parts.push(c);
  }
  return concatBytes(parts);
}

// What the page may ask the guest worker about the engine (over comlink). Types only;
// GuestWorkerApi includes these. The engine host (engine-host.ts) implements them.
import type { EngineEvent } from "../engine/events.ts";

export type { EngineEvent };

export interface EngineRequest {
  method: string;
  /** Path and query, e.g. /containers/json?all=1 (with or without /v1.xx). */
  path: string;
  headers?: Record<string, string>;
  /** A string or bytes as is; anything else is sent as JSON. */
  body?: unknown;
}

export interface EngineResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Who sent a request: the docker CLI in the guest (unix socket), the page, a DOCKER_HOST=tcp:// client, or the daemon itself (to the registry). */
export type ApiClient = "guest docker" | "page" | "tcp" | "daemon";

/** One Engine API or Distribution API request and its response, as the Architecture view lists it. */
export interface ExchangeRecord {
  id: number;
  api: "engine" | "distribution";
  client: ApiClient;
  method: string;
  /** Path and query as sent. */
  path: string;
  status: number;
  /** Time to the response's head; for a stream, updated to its end once it ends. */
  ms: number;
  /** When it started (epoch ms). */
  time: number;
  requestHeaders: [string, string][];
  responseHeaders: [string, string][];
  /** The first few KiB of each body, as text (binary bodies are described, not shown). */
  requestBody: string;
  responseBody: string;
  /** False while a streamed response is still going (docker events, logs -f, wait). */
  done: boolean;
}

export interface EngineStatus {
  /** The guest agent answered: containers can run. */
  agent: boolean;
  /** Why not, in words. */
  problem?: string;
}

/** A TCP connection to a port inside the guest (a published port), for the Preview. */
export interface PortConnection {
  read(): Promise<Uint8Array | null>;
  write(data: Uint8Array): Promise<void>;
  end(): void;
}

export interface EngineWorkerApi {
  /** One Engine API request from the page, served by the daemon like any other client's. */
  engineRequest(req: EngineRequest): Promise<EngineResponse>;
  /**
   * One Engine API request whose body is read as it comes (pull, push and build progress):
   * each chunk goes to onChunk (Comlink.proxy'd) as the daemon writes it; resolves at the end
   * with the status and headers (the body was all in the chunks).
   */
  engineStream(req: EngineRequest, onChunk: (chunk: Uint8Array) => void): Promise<Omit<EngineResponse, "body">>;
  /** One Distribution API request from the page to the in-tab registry (GET /v2/_catalog, tags). */
  registryRequest(req: EngineRequest): Promise<EngineResponse>;
  /** Calls back (Comlink.proxy'd) with each exchange, first the recent ones; an update of a streamed one comes again with the same id. */
  watchExchanges(cb: (e: ExchangeRecord) => void): Promise<void>;
  /** Follows the daemon's event stream (GET /events, as `docker events` does). */
  watchEvents(cb: (e: EngineEvent) => void): Promise<void>;
  /** Opens a TCP connection to the guest's port (returned Comlink.proxy'd). */
  dialPort(port: number): Promise<PortConnection>;
  engineStatus(): Promise<EngineStatus>;
  /** Saves the running machine (and the daemon's containers) to IndexedDB; resolves with its size in bytes. */
  saveMachine(): Promise<number>;
}

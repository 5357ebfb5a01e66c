// The engine in the guest worker, wired as cli/daemon.ts wires it in Node: the registry
// ("Docker Hub", seeded from the site's images/ folder) and the daemon, both on IndexedDB,
// the guest agent over the link, and every Engine API client served by one daemon: the docker
// CLI in the guest (its socket and tcp 2375, relayed by the agent) and the page itself.
// It also records every Engine and Distribution API exchange for the Architecture view.
import * as Comlink from "comlink";
import { createDaemon, type Daemon } from "../engine/daemon.ts";
import { Container, type ContainerState, type Endpoint, type MountPoint } from "../engine/containers/container.ts";
import type { LogEntry } from "../engine/containers/logs.ts";
import type { EngineEvent } from "../engine/events.ts";
import type { ByteStream } from "../engine/http/byte-stream.ts";
import type { Exchange } from "../engine/http/server.ts";
import type { SavedNetwork } from "../engine/network/networks.ts";
import type { Volume } from "../engine/volumes.ts";
import type { Duplex } from "../link/agent-api.ts";
import { AgentClient } from "../link/agent-client.ts";
import { createRegistry, type Registry } from "../registry/registry.ts";
import { fetchSource } from "../registry/seed.ts";
import { IdbDriver } from "../registry/storage/idb.ts";
import type { GuestMachine } from "../vm/guest-machine.ts";
import type { ApiClient, EngineRequest, EngineResponse, EngineStatus, ExchangeRecord, PortConnection } from "./engine-api.ts";
import { sendRequest, streamPair } from "./http1-client.ts";
import { provideScriptRunner } from "./script-runner.ts";
import { duplexByteStream } from "../link/duplex-byte-stream.ts";
import { concatBytes } from "../engine/bytes.ts";

/** IndexedDB databases: the registry's blobs, the daemon's image store. Reset deletes them. */
export const REGISTRY_DB = "slipway-registry";
export const ENGINE_DB = "slipway-engine";

const PREVIEW_BYTES = 4096;
const KEEP_EXCHANGES = 500;
const dec = new TextDecoder();

/** A container as saved with the machine, to be known again after a reload. */
export interface SavedContainer {
  id: string;
  name: string;
  created: string;
  image: string;
  imageId: string;
  config: Container["config"];
  hostConfig: Container["hostConfig"];
  path: string;
  args: string[];
  state: ContainerState;
  endpoint?: Endpoint;
  mounts: MountPoint[];
  publishedPorts: Container["publishedPorts"];
  restartCount: number;
  /** docker network connect's networks and their endpoints (absent in machines saved before). */
  extraNetworks?: string[];
  extraEndpoints?: Endpoint[];
  /** What it printed (docker logs), as the daemon kept it. */
  logs?: LogEntry[];
}

/** What the daemon knows that the guest's memory does not: saved beside the VM state. */
export interface SavedDaemon {
  containers: SavedContainer[];
  /** User-defined networks (saved since networks and volumes came back with a reload). */
  networks?: SavedNetwork[];
  volumes?: Volume[];
}

export class EngineHost {
  private exchanges: ExchangeRecord[] = [];
  private exchangeWatchers: ((e: ExchangeRecord) => void)[] = [];
  private nextId = 1;
  private agent?: AgentClient;
  private agentProblem = "the guest agent has not answered yet";

  private constructor(
    readonly daemon: Daemon,
    readonly registry: Registry,
    private readonly machine: GuestMachine,
  ) {}

  /** Starts the registry and the daemon now; the agent link comes up in the background. */
  static async start(machine: GuestMachine, opts: { imagesUrl: string; memTotal?: number; saved?: SavedDaemon }): Promise<EngineHost> {
    const registry = createRegistry({ driver: new IdbDriver(REGISTRY_DB), seed: fetchSource(opts.imagesUrl) });
    let host!: EngineHost;
    const daemon = await createDaemon({
      storage: new IdbDriver(ENGINE_DB),
      // The daemon is the registry's client: record each call for the Architecture view.
      hub: (req) => host.observeRegistry(req, registry),
      host: opts.memTotal ? { memTotal: opts.memTotal } : {},
    });
    host = new EngineHost(daemon, registry, machine);
    daemon.onExchange((x) => host.onEngineExchange(x));
    // The records go back before the first request is served: a page that lists containers
    // right after a reload (the Explorer does, once) must see them, and no event would tell it
    // to look again once the agent is up. Their output streams follow when the agent answers.
    // Networks first: a container's address is taken again in its network.
    daemon.engine.networks.restore(opts.saved?.networks ?? []);
    daemon.engine.volumes.restore(opts.saved?.volumes ?? []);
    const running = host.restoreContainers(opts.saved?.containers ?? []);
    void host.connectAgent(running);
    return host;
  }

  status(): EngineStatus {
    return this.agent ? { agent: true } : { agent: false, problem: this.agentProblem };
  }

  private async connectAgent(running: Container[]): Promise<void> {
    try {
      const agent = await AgentClient.connect(this.machine, { timeoutMs: 60_000 });
      this.agent = agent;
      this.daemon.setAgent(agent);
      // Which socket a guest connection came in on: the link tells its listeners in order,
      // the agent client first (which hands us the duplex), then us (with the header).
      let via = "unix";
      agent.link.onOpen((_s, header) => (via = header?.via ?? "unix"));
      agent.onApiConnection((conn) => {
        queueMicrotask(() => void this.serve(duplexByteStream(conn), via === "tcp" ? "tcp" : "guest docker"));
      });
      const runner = (agent as unknown as { runScript?: (s: string) => Promise<{ status: number; output: string }> }).runScript;
      if (typeof runner === "function") provideScriptRunner({ run: (s) => runner.call(agent, s) });
      for (const c of running) this.follow(c, agent);
    } catch (err) {
      this.agentProblem = `the guest agent did not answer (${(err as Error).message}); images work, containers cannot run`;
    }
  }

  /**
   * Containers saved with the machine: known to the daemon again, as they were. Those that were
   * running still are (the VM state holds their processes); they are returned, to be followed
   * once the agent is up. Until then each one's `exited` stays pending, so a `docker stop`
   * or `start` made meanwhile waits rather than taking the container for stopped.
   */
  private restoreContainers(saved: SavedContainer[]): Container[] {
    const e = this.daemon.engine;
    const running: Container[] = [];
    for (const s of saved) {
      const c = new Container(s.id, s.name, s.created, s.image, s.imageId, s.config, s.hostConfig, s.path, s.args);
      Object.assign(c, { state: s.state, endpoint: s.endpoint, mounts: s.mounts, publishedPorts: s.publishedPorts, restartCount: s.restartCount, extraNetworks: s.extraNetworks ?? [], extraEndpoints: s.extraEndpoints ?? [] });
      // A restart that was waiting went with the old page's timer: it is exited until started.
      if (c.state.Restarting) c.state = { ...c.state, Status: "exited", Restarting: false };
      if (s.logs) c.logs.restore(s.logs);
      for (const ep of [s.endpoint, ...(s.extraEndpoints ?? [])]) if (ep) e.networks.find(ep.network)?.used.set(ep.ip, s.id);
      e.containers.add(c);
      if (s.state.Running) {
        c.exited = new Promise((r) => this.exitedResolvers.set(c.id, r));
        running.push(c);
      }
    }
    return running;
  }

  private exitedResolvers = new Map<string, () => void>();

  /**
   * Re-attaches to a restored container's process: the agent sends what it printed while
   * nobody was attached (the old link died with the page), then follows it to its exit.
   * The exit is handled as the daemon's own runs are (ContainerService.onExit): the state,
   * the die event, and the run's ports, netns and address freed in the guest.
   */
  private follow(c: Container, agent: AgentClient): void {
    const e = this.daemon.engine;
    const done = () => {
      this.exitedResolvers.get(c.id)?.();
      this.exitedResolvers.delete(c.id);
    };
    const io = agent.attachContainer(c.id);
    c.io = io;
    io.onOutput((stream, data) => c.logs.append(stream, data));
    void io.exited
      .then(
        (x) => {
          c.state = { ...c.state, Status: "exited", Running: false, Pid: 0, ExitCode: x.status, OOMKilled: x.oomKilled, Error: x.error ?? "", FinishedAt: new Date().toISOString() };
          e.events.emit("container", "die", c.id, { image: c.image, name: c.name, exitCode: String(x.status) });
        },
        (err: Error) => {
          // The link going away says nothing about the container: it keeps its state.
          if (agent.link.isClosed) return;
          // The agent does not know it (a machine saved without it): it is not running.
          c.state = { ...c.state, Status: "exited", Running: false, Pid: 0, ExitCode: 128, Error: `lost after the reload: ${err.message}`, FinishedAt: new Date().toISOString() };
          e.events.emit("container", "die", c.id, { image: c.image, name: c.name, exitCode: "128" });
        },
      )
      .then(async () => {
        if (c.state.Running) return;
        c.io = undefined;
        c.logs.close();
        for (const p of c.publishedPorts) await agent.unpublishPort({ proto: p.proto, hostPort: p.hostPort }).catch(() => {});
        c.publishedPorts = [];
        await agent.releaseContainer(c.id).catch(() => {});
        e.networks.release(c.id);
        c.endpoint = undefined;
        c.extraEndpoints = [];
      })
      .catch(() => {})
      .finally(done);
  }

  /** The daemon's containers, networks and volumes, to save with the machine. */
  savedDaemon(): SavedDaemon {
    const e = this.daemon.engine;
    return { containers: this.savedContainers(), networks: e.networks.saved(), volumes: e.volumes.all() };
  }

  private savedContainers(): SavedContainer[] {
    return this.daemon.engine.containers.all().map((c) => ({
      id: c.id, name: c.name, created: c.created, image: c.image, imageId: c.imageId, config: c.config, hostConfig: c.hostConfig,
      path: c.path, args: c.args, state: c.state, endpoint: c.endpoint, mounts: c.mounts, publishedPorts: c.publishedPorts, restartCount: c.restartCount,
      extraNetworks: c.extraNetworks, extraEndpoints: c.extraEndpoints,
      logs: c.logs.snapshot(),
    }));
  }

  private serve(conn: ByteStream, client: ApiClient): Promise<void> {
    return this.daemon.serve(conn, { client });
  }

  private onEngineExchange(x: Exchange): void {
    const client = (x.client as ApiClient | undefined) ?? "guest docker";
    const rec: ExchangeRecord = {
      id: this.nextId++,
      api: "engine",
      client,
      method: x.method,
      path: x.url,
      status: x.status,
      ms: x.ms,
      time: Date.now() - x.ms,
      requestHeaders: [...x.requestHeaders],
      responseHeaders: Object.entries(x.responseHeaders ?? {}),
      requestBody: bodyText(x.requestBody, x.requestHeaders.get("content-type")),
      responseBody: bodyText(x.responseBody, header(x.responseHeaders, "content-type")),
      done: !x.finished,
    };
    this.record(rec);
    void x.finished?.then((f) => this.record({ ...rec, ms: rec.ms + f.ms, responseBody: bodyText(f.responseBody, header(x.responseHeaders, "content-type")), done: true }));
  }

  async registryRequest(req: EngineRequest): Promise<EngineResponse> {
    const body = req.body === undefined ? undefined : typeof req.body === "string" || req.body instanceof Uint8Array ? req.body : JSON.stringify(req.body);
    const res = await this.observeRegistry(new Request(new URL(req.path, "http://hub.slipway.internal"), { method: req.method, headers: req.headers, body: body as BodyInit | undefined }), this.registry, "page");
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { status: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) };
  }

  private async observeRegistry(req: Request, registry: Registry, client: ApiClient = "daemon"): Promise<Response> {
    const t0 = Date.now();
    const url = new URL(req.url);
    const jsonish = (ct: string | null) => /json/.test(ct ?? "");
    const reqBody = jsonish(req.headers.get("content-type")) && req.body ? new Uint8Array(await req.clone().arrayBuffer()) : undefined;
    const res = await registry.handle(req);
    const resBody = jsonish(res.headers.get("content-type")) && req.method !== "HEAD" ? new Uint8Array(await res.clone().arrayBuffer()) : undefined;
    this.record({
      id: this.nextId++,
      api: "distribution",
      client,
      method: req.method,
      path: url.pathname + url.search,
      status: res.status,
      ms: Date.now() - t0,
      time: t0,
      requestHeaders: [...req.headers],
      responseHeaders: [...res.headers],
      requestBody: reqBody ? bodyText(reqBody, req.headers.get("content-type")) : describeSize(req.headers.get("content-length")),
      responseBody: resBody ? bodyText(resBody, res.headers.get("content-type")) : describeSize(res.headers.get("content-length")),
      done: true,
    });
    return res;
  }

  private record(rec: ExchangeRecord): void {
    const i = this.exchanges.findIndex((r) => r.id === rec.id);
    if (i >= 0) this.exchanges[i] = rec;
    else {
      this.exchanges.push(rec);
      if (this.exchanges.length > KEEP_EXCHANGES) this.exchanges.shift();
    }
    for (const w of this.exchangeWatchers) {
      try {
        w(rec);
      } catch {
        /* a closed page */
      }
    }
  }

  watchExchanges(cb: (e: ExchangeRecord) => void): void {
    for (const r of this.exchanges) cb(r);
    this.exchangeWatchers.push(cb);
  }

  /** Opens an Engine API request on a fresh in-memory connection, marked as the page's. */
  private async open(req: EngineRequest) {
    const [client, server] = streamPair();
    void this.serve(server, "page");
    const body = req.body === undefined ? undefined : typeof req.body === "string" || req.body instanceof Uint8Array ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string> = { "User-Agent": "slipway-page", Connection: "close", ...req.headers };
    if (body !== undefined && typeof req.body !== "string" && !(req.body instanceof Uint8Array)) headers["Content-Type"] ??= "application/json";
    return { client, res: await sendRequest(client, { method: req.method, path: req.path, headers, body }) };
  }

  async engineRequest(req: EngineRequest): Promise<EngineResponse> {
    const { client, res } = await this.open(req);
    const parts: Uint8Array[] = [];
    for await (const c of res.body) parts.push(c);
    client.end();
    return { status: res.status, headers: res.headers, body: concatBytes(parts) };
  }

  async engineStream(req: EngineRequest, onChunk: (chunk: Uint8Array) => void): Promise<Omit<EngineResponse, "body">> {
    const { client, res } = await this.open(req);
    for await (const c of res.body) await onChunk(c);
    client.end();
    return { status: res.status, headers: res.headers };
  }

  /** `docker events` for the page: GET /events, each JSON line as it comes. */
  async watchEvents(cb: (e: EngineEvent) => void): Promise<void> {
    const { res } = await this.open({ method: "GET", path: "/events" });
    void (async () => {
      let buf = "";
      for await (const chunk of res.body) {
        buf += dec.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) cb(JSON.parse(line) as EngineEvent);
        }
      }
    })().catch(() => {});
  }

  async dialPort(port: number): Promise<PortConnection> {
    if (!this.agent) throw new Error(this.agentProblem);
    const d = await this.agent.dial("127.0.0.1", port);
    const s = duplexByteStream(d);
    return Comlink.proxy({ read: () => s.read(), write: (data: Uint8Array) => s.write(data), end: () => s.end() });
  }
}


function header(h: Record<string, string> | undefined, name: string): string | undefined {
  if (!h) return undefined;
  const k = Object.keys(h).find((k) => k.toLowerCase() === name);
  return k ? h[k] : undefined;
}

function describeSize(len: string | null): string {
  return len && Number(len) > 0 ? `(${Number(len).toLocaleString("en")} bytes of binary data)` : "";
}

/** A body preview as text: JSON and text as they are, anything else described. */
function bodyText(bytes: Uint8Array | undefined, contentType: string | null | undefined): string {
  if (!bytes?.length) return "";
  const ct = contentType ?? "";
  const cut = bytes.length >= PREVIEW_BYTES ? "\n… (cut at 4 KiB)" : "";
  if (/json|text|yaml|x-www-form/.test(ct) || !ct) {
    const text = dec.decode(bytes);
    // Mostly unprintable: a tar or a gzip stream.
    const odd = [...text.slice(0, 512)].filter((ch) => ch === "\ufffd" || (ch < " " && ch !== "\n" && ch !== "\r" && ch !== "\t")).length;
    if (odd < 8) return text + cut;
  }
  if (/multiplexed-stream/.test(ct)) return demux(bytes) + cut;
  return `(${bytes.length >= PREVIEW_BYTES ? "over " : ""}${bytes.length.toLocaleString("en")} bytes of ${ct || "binary data"})`;
}

/** Docker's stdout/stderr framing, shown as the text it carries. */
function demux(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i + 8 <= bytes.length; ) {
    const n = new DataView(bytes.buffer, bytes.byteOffset + i + 4, 4).getUint32(0);
    out += dec.decode(bytes.subarray(i + 8, i + 8 + n));
    i += 8 + n;
  }
  return out;
}

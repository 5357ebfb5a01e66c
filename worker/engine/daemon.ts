// The engine daemon: the Docker Engine API over any connection, wired to the image
// store, the containers, and the guest agent. Runs unchanged in Node and in a web worker.
import type { GuestAgent } from "../link/agent-api.ts";
import type { StorageDriver } from "../registry/storage/driver.ts";
import { containerRoutes } from "./api/containers.ts";
import { execRoutes } from "./api/exec.ts";
import { imageRoutes } from "./api/images.ts";
import { networkRoutes } from "./api/networks.ts";
import { systemRoutes } from "./api/system.ts";
import { authRoutes } from "./api/auth.ts";
import { buildRoutes } from "./api/build.ts";
import { archiveRoutes } from "./api/archive.ts";
import { exportImportRoutes } from "./api/export-import.ts";
import { saveLoadRoutes } from "./api/save-load.ts";
import { ContainerStore } from "./containers/container-store.ts";
import { ContainerService } from "./containers/service.ts";
import { registries, type Registries } from "./distribution/registries.ts";
import type { Fetch } from "./distribution/registry-client.ts";
import { API_VERSION, noAgent, type Engine } from "./engine.ts";
import { EventBus } from "./events.ts";
import type { ByteStream } from "./http/byte-stream.ts";
import { serveConnection, type Exchange } from "./http/server.ts";
import { ImageStore } from "./images/image-store.ts";
import { Networks } from "./network/networks.ts";
import { Router } from "./router.ts";
import { Volumes } from "./volumes.ts";

export interface DaemonOptions {
  /** Where the image store keeps configs and layer blobs. */
  storage: StorageDriver;
  /** The in-tab hub: the registry's Request handler, called in-process. */
  hub: (req: Request) => Promise<Response>;
  /** fetch for other registries. */
  fetch?: Fetch;
  host?: Partial<Engine["host"]>;
}

export interface Daemon {
  engine: Engine;
  /** Serves the Engine API on one connection until it closes; `client` names who is on the other end in its exchanges. */
  serve(conn: ByteStream, meta?: { client?: string }): Promise<void>;
  /** Called with every API exchange, from any client. */
  onExchange(cb: (e: Exchange) => void): () => void;
  setAgent(agent: GuestAgent | undefined): void;
}

export async function createDaemon(opts: DaemonOptions): Promise<Daemon> {
  let agent: GuestAgent | undefined;
  const regs: Registries = registries(opts.hub, opts.fetch);
  const engine: Engine = {
    images: await ImageStore.open(opts.storage),
    containers: new ContainerStore(),
    networks: new Networks(),
    volumes: new Volumes(() => engine.agent()),
    events: new EventBus(),
    registries: regs,
    agent: () => agent ?? noAgent(),
    startedAt: Date.now(),
    host: { name: "docker-host", memTotal: 256 * 1024 * 1024, ncpu: 1, kernelVersion: "6.1", ...opts.host },
  };
  const router = new Router();
  const svc = new ContainerService(engine);
  systemRoutes(router, engine);
  authRoutes(router, engine);
  imageRoutes(router, engine);
  containerRoutes(router, engine, svc);
  execRoutes(router, engine);
  networkRoutes(router, engine, svc);
  buildRoutes(router, engine);
  saveLoadRoutes(router, engine);
  exportImportRoutes(router, engine);
  archiveRoutes(router, engine, svc);

  const observers = new Set<(e: Exchange) => void>();
  return {
    engine,
    serve: (conn, meta) =>
      serveConnection(conn, router.handle, {
        defaultVersion: API_VERSION,
        onExchange: (x) => observers.forEach((o) => o(meta?.client ? { ...x, client: meta.client } : x)),
      }),
    onExchange(cb) {
      observers.add(cb);
      return () => observers.delete(cb);
    },
    setAgent(a) {
      agent = a;
    },
  };
}

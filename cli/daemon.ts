// `slipway daemon -H unix:///tmp/slipway.sock`: boot the guest and serve the Docker
// Engine API, so the real docker CLI (or any Engine API client) can drive Slipway.
import { existsSync, mkdirSync, unlinkSync, chmodSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { createDaemon, type Daemon } from "../worker/engine/daemon.ts";
import { createRegistry } from "../worker/registry/registry.ts";
import { FsDriver } from "../worker/registry/storage/fs.ts";
import { GuestMachine } from "../worker/vm/guest-machine.ts";
import { loadGuestAssets, repoRoot, v86WasmPath } from "../worker/node/guest-files.ts";
import { socketStream } from "../worker/node/socket-stream.ts";
import { cacheRoot } from "../kernel-image/builder/cache.ts";
import { dirSource, nodeHasher } from "../worker/node/registry-node.ts";
import { consoleExec } from "../worker/vm/console-exec.ts";
import { duplexByteStream } from "../worker/link/duplex-byte-stream.ts";

const usage = `Usage: slipway daemon [-H unix:///tmp/slipway.sock | -H tcp://127.0.0.1:2375] [--data-root DIR] [--cold]

Boots the Slipway guest and serves the Docker Engine API. Point the docker CLI at it:
  DOCKER_HOST=unix:///tmp/slipway.sock docker run --rm hello-world
`;

export interface RunningDaemon {
  daemon: Daemon;
  machine: GuestMachine;
  servers: Server[];
  close(): Promise<void>;
}

export async function startDaemon(opts: { hosts: string[]; dataRoot: string; cold?: boolean; log?: (s: string) => void }): Promise<RunningDaemon> {
  const log = opts.log ?? (() => {});
  mkdirSync(opts.dataRoot, { recursive: true });
  const registry = createRegistry({ driver: new FsDriver(join(opts.dataRoot, "hub")), seed: dirSource(join(repoRoot, "build", "images")), hasher: nodeHasher });
  const machine = await GuestMachine.start(loadGuestAssets(), { cold: opts.cold, wasmPath: v86WasmPath(), onNotice: (t) => log(`slipway: ${t}`) });
  if (machine.startedFrom === "cold") await machine.waitForConsole("root@docker-host:", 60_000);
  const kernel = (await consoleExec(machine, "uname -r")).output.trim();
  const daemon = await createDaemon({
    storage: new FsDriver(join(opts.dataRoot, "engine")),
    hub: registry.handle,
    host: { kernelVersion: kernel, memTotal: loadGuestAssets().manifest.memorySize },
  });
  // The agent speaks over the link; until it is built into the guest, the daemon serves images only.
  const agentModule = join(repoRoot, "worker", "link", "agent-client.ts");
  if (existsSync(agentModule)) {
    const { AgentClient } = await import(agentModule);
    const agent = await Promise.race([AgentClient.connect(machine), new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000))]);
    if (agent) {
      daemon.setAgent(agent);
      agent.onApiConnection((conn: import("../worker/link/agent-api.ts").Duplex) => void daemon.serve(duplexByteStream(conn)));
    } else log("slipway: the guest agent did not answer within 15 s; containers cannot run");
  }
  const servers: Server[] = [];
  // Clients still connected (a `logs -f`, an attach): closing the daemon ends them too.
  const openSockets = new Set<Socket>();
  for (const h of opts.hosts) servers.push(await listen(h, daemon, openSockets));
  return {
    daemon,
    machine,
    servers,
    async close() {
      const closed = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
      for (const sock of openSockets) sock.destroy();
      await Promise.all(closed);
      await machine.stop();
    },
  };
}


function listen(host: string, daemon: Daemon, openSockets: Set<Socket>): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (sock) => {
    openSockets.add(sock);
    sock.once("close", () => openSockets.delete(sock));
    void daemon.serve(socketStream(sock));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    if (host.startsWith("unix://")) {
      const path = host.slice("unix://".length);
      if (existsSync(path)) unlinkSync(path);
      server.listen(path, () => {
        chmodSync(path, 0o660);
        resolve(server);
      });
    } else if (host.startsWith("tcp://")) {
      const u = new URL(host.replace(/^tcp:/, "http:"));
      server.listen(Number(u.port || 2375), u.hostname, () => resolve(server));
    } else reject(new Error(`invalid -H ${host}: use unix:///path or tcp://host:port`));
  });
}

export async function main(argv: string[]): Promise<number> {
  const hosts: string[] = [];
  let dataRoot = join(cacheRoot(), "daemon");
  let cold = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-H" || a === "--host") hosts.push(argv[++i]);
    else if (a.startsWith("--host=")) hosts.push(a.slice(7));
    else if (a === "--data-root") dataRoot = argv[++i];
    else if (a === "--cold") cold = true;
    else if (a === "-h" || a === "--help") {
      process.stdout.write(usage);
      return 0;
    } else {
      process.stderr.write(`slipway daemon: unknown flag: ${a}\n\n${usage}`);
      return 125;
    }
  }
  if (!hosts.length) hosts.push("unix:///tmp/slipway.sock");
  const d = await startDaemon({ hosts, dataRoot, cold, log: (s) => process.stderr.write(s + "\n") });
  process.stderr.write(`slipway daemon: API listening on ${hosts.join(", ")} (guest ${d.machine.startedFrom === "snapshot" ? "restored from snapshot" : "booted"})\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await d.close();
  return 0;
}

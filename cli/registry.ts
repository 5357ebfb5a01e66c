// `slipway registry [--port 5000] [--dir DIR] [--images DIR]`: the sandbox's
// OCI registry on 127.0.0.1, with its data in files, pre-filled with the
// base images from build/images (when they have been built).
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Server } from "node:http";
import { createRegistry, type Registry } from "../worker/registry/registry.ts";
import { FsDriver } from "../worker/registry/storage/fs.ts";
import { serveFetch } from "../worker/node/serve-fetch.ts";
import { dirSource, nodeHasher } from "../worker/node/registry-node.ts";

const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));

export function defaultDataDir(): string {
  const cache = process.env.SLIPWAY_CACHE || join(homedir(), ".cache", "slipway");
  return join(cache, "registry");
}

export interface RunningRegistry {
  registry: Registry;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the registry server (port 0: any free port). */
export async function startRegistry(opts: { port?: number; dir: string; images?: string | null }): Promise<RunningRegistry> {
  const registry = createRegistry({
    driver: new FsDriver(opts.dir),
    seed: opts.images ? dirSource(opts.images) : undefined,
    hasher: nodeHasher,
  });
  const server = await serveFetch(registry.handle, { port: opts.port ?? 0, host: "127.0.0.1" });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  return {
    registry,
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

const usage = `Usage: slipway registry [--port 5000] [--dir DIR] [--images DIR]

Serves an OCI Distribution registry on 127.0.0.1.
  --port N      port to listen on (default 5000; 0 picks a free one)
  --dir DIR     where to keep its data (default $SLIPWAY_CACHE/registry, or ~/.cache/slipway/registry)
  --images DIR  base images to pre-fill it with (default build/images, when built)
`;

export async function main(argv: string[]): Promise<number> {
  let port = 5000;
  let dir = defaultDataDir();
  let images: string | null = join(repoRoot, "build", "images");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--help" || flag === "-h") {
      process.stdout.write(usage);
      return 0;
    } else if (flag === "--port" || flag === "-p") {
      port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`slipway registry: bad port\n`);
        return 2;
      }
    } else if (flag === "--dir") {
      dir = resolve(value() ?? "");
    } else if (flag === "--images") {
      images = resolve(value() ?? "");
    } else {
      process.stderr.write(`slipway registry: unknown option ${a}\n\n${usage}`);
      return 2;
    }
  }
  const hasImages = (await dirSource(images).read("images.json")) !== null;
  let running: RunningRegistry;
  try {
    running = await startRegistry({ port, dir, images: hasImages ? images : null });
  } catch (e) {
    process.stderr.write(`slipway registry: ${(e as Error).message}\n`);
    return 1;
  }
  if (hasImages) await running.registry.seed();
  process.stdout.write(`slipway registry: serving ${running.url} (data in ${dir})\n`);
  if (hasImages) process.stdout.write(`slipway registry: base images from ${images}: ${(await running.registry.store.repositories()).join(", ")}\n`);
  else process.stdout.write(`slipway registry: no base images (build them with kernel-image/images/build.sh build/images)\n`);
  // Serve until interrupted.
  await new Promise<void>((res) => {
    const stop = () => res();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.close();
  return 0;
}

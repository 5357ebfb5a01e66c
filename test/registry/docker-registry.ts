// distribution's registry (Debian's docker-registry) as a peer for tests: on a free
// loopback port, in a temp dir, optionally with response headers (CORS) and Docker's
// token auth in front of it.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "./helpers.ts";

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** What a page on another origin needs from a registry (see README, "Sharing images with a real registry"). */
export const CORS_HEADERS: Record<string, string[]> = {
  "Access-Control-Allow-Origin": ["*"],
  "Access-Control-Allow-Methods": ["HEAD, GET, OPTIONS, POST, PUT, PATCH, DELETE"],
  "Access-Control-Allow-Headers": ["Authorization, Accept, Content-Type, Content-Length, Content-Range, Range"],
  // fetch hides every response header but a few unless exposed: the client reads these.
  "Access-Control-Expose-Headers": ["Docker-Content-Digest, WWW-Authenticate, Location, Range, Content-Length, Content-Type, Docker-Upload-UUID"],
};

export interface DockerRegistryOptions {
  /** config.yml's http.headers: added to every response (CORS, for the browser). */
  headers?: Record<string, string[]>;
  /** config.yml's auth.token: the registry trusts JWTs signed by a certificate in rootcertbundle. */
  token?: { realm: string; service: string; issuer: string; rootcertbundle: string };
}

export interface DockerRegistry {
  url: string;
  host: string;
  /** The config.yml it was started with, as text. */
  config: string;
  stop(): Promise<void>;
}

/** The config.yml distribution reads; YAML by hand, since every value here is plain. */
export function registryConfig(port: number, dataDir: string, opts: DockerRegistryOptions = {}): string {
  const lines = ["version: 0.1", "log:", "  level: error", "storage:", "  filesystem:", `    rootdirectory: ${dataDir}`, "  delete:", "    enabled: true", "http:", `  addr: 127.0.0.1:${port}`];
  if (opts.headers) {
    lines.push("  headers:");
    for (const [name, values] of Object.entries(opts.headers)) lines.push(`    ${name}: [${values.map((v) => `'${v}'`).join(", ")}]`);
  }
  if (opts.token) {
    const t = opts.token;
    lines.push("auth:", "  token:", `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.rootcertbundle}`);
  }
  return lines.join("\n") + "\n";
}

export async function startDockerRegistry(opts: DockerRegistryOptions = {}): Promise<DockerRegistry> {
  const dir = await tempDir("slipway-docker-registry-");
  const port = await freePort();
  const configPath = join(dir, "config.yml");
  const config = registryConfig(port, join(dir, "data"), opts);
  await writeFile(configPath, config);
  const child: ChildProcess = spawn("/usr/bin/docker-registry", ["serve", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (b) => (stderr += b));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      // Up once /v2/ answers at all: 200 without auth, 401 with it.
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.ok || res.status === 401) break;
    } catch {
      // not up yet
    }
    if (i > 100 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    config,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

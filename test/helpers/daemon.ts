// A real Slipway daemon for a test file (the guest restored from its snapshot), and
// the real docker CLI pointed at it.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDaemon, type RunningDaemon } from "../../cli/daemon.ts";

export interface TestDaemon {
  running: RunningDaemon;
  socket: string;
  host: string;
  docker(args: string[], opts?: { input?: string; timeoutMs?: number; env?: Record<string, string> }): Promise<{ stdout: string; stderr: string; status: number }>;
  /** A raw Engine API request, for what the CLI hides (headers, progress JSON). */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;
  stop(): Promise<void>;
}

export async function startTestDaemon(): Promise<TestDaemon> {
  const dir = mkdtempSync(join(tmpdir(), "slipway-daemon-"));
  const socket = join(dir, "docker.sock");
  const running = await startDaemon({ hosts: [`unix://${socket}`], dataRoot: join(dir, "data") });
  const host = `unix://${socket}`;
  return {
    running,
    socket,
    host,
    docker(args, opts = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn("docker", args, { env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(dir, "cli"), DOCKER_BUILDKIT: "0", ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`docker ${args.join(" ")} timed out; stdout: ${stdout} stderr: ${stderr}`));
        }, opts.timeoutMs ?? 60_000);
        child.on("close", (status) => {
          clearTimeout(timer);
          resolve({ stdout, stderr, status: status ?? -1 });
        });
        child.stdin.end(opts.input ?? "");
      });
    },
    api(method, path, body) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
        const req = request({ socketPath: socket, method, path, headers: payload ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } : {} }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        });
        req.on("error", reject);
        req.end(payload);
      });
    },
    async stop() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Real Docker on this machine, for comparisons: Debian's dockerd on its own socket and
// data root, started by the test and stopped after it, with our busybox loaded into it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RealDocker {
  docker(args: string[], opts?: { input?: string; cwd?: string }): { stdout: string; stderr: string; status: number };
  stop(): Promise<void>;
}

const repoRoot = join(import.meta.dirname, "..", "..");

/** Starts dockerd, or returns a reason it cannot run here. */
export async function startRealDocker(): Promise<RealDocker | string> {
  const dockerd = ["/usr/sbin/dockerd", "/usr/bin/dockerd"].find((p) => existsSync(p));
  if (!dockerd) return "dockerd is not installed (apt-get install docker.io)";
  if (process.getuid?.() !== 0) return "dockerd needs root";
  const dir = mkdtempSync(join(tmpdir(), "realdocker-"));
  const sock = join(dir, "docker.sock");
  const child: ChildProcess = spawn(dockerd, ["--iptables=false", "--bridge=none", "--host", `unix://${sock}`, "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"), "--pidfile", join(dir, "docker.pid")], { stdio: "ignore" });
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_BUILDKIT: "0", DOCKER_CONFIG: join(dir, "cli") };
  const docker: RealDocker["docker"] = (args, opts = {}) => {
    const r = spawnSync("docker", args, { env, input: opts.input, cwd: opts.cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    return { stdout: r.stdout ?? "", stderr: r.stderr ?? "", status: r.status ?? -1 };
  };
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && docker(["version"]).status !== 0; i++) await new Promise((r) => setTimeout(r, 200));
  if (docker(["version"]).status !== 0) {
    await stop();
    return "dockerd did not start on this machine";
  }
  // The same busybox rootfs Slipway's hub serves, from its OCI layout.
  const archive = join(dir, "busybox.tar");
  const cp = spawnSync("skopeo", ["copy", `oci:${join(repoRoot, "build", "images", "busybox")}:latest`, `docker-archive:${archive}:busybox:latest`], { encoding: "utf8" });
  if (cp.status !== 0) {
    await stop();
    return `skopeo could not export busybox: ${cp.stderr}`;
  }
  const load = docker(["load", "-i", archive]);
  if (load.status !== 0) {
    await stop();
    return `real docker could not load busybox: ${load.stderr}`;
  }
  return { docker, stop };
}

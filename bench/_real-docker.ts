// Real Docker beside us: Debian's dockerd, as root, with no iptables and no bridge,
// on a private socket and data root; images loaded from our own OCI layouts so both
// engines run the very same bytes.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../worker/node/guest-files.ts";

export interface RealDocker {
  host: string;
  docker(args: string[]): { status: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

export async function startRealDocker(images: string[]): Promise<RealDocker | null> {
  if (!existsSync("/usr/bin/dockerd") && !existsSync("/usr/sbin/dockerd")) return null;
  const dir = mkdtempSync(join(tmpdir(), "realdocker-"));
  const host = `unix://${dir}/docker.sock`;
  const dockerd: ChildProcess = spawn("dockerd", ["--iptables=false", "--bridge=none", "--host", host, "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"), "--pidfile", join(dir, "pid")], { stdio: "ignore" });
  const docker = (args: string[]) => {
    const r = spawnSync("docker", args, { env: { ...process.env, DOCKER_HOST: host }, encoding: "utf8", timeout: 120_000 });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  for (let i = 0; i < 100 && docker(["version"]).status !== 0; i++) await new Promise((r) => setTimeout(r, 200));
  if (docker(["version"]).status !== 0) {
    dockerd.kill();
    return null;
  }
  for (const name of images) {
    const tar = join(dir, `${name.replace(/\//g, "_")}.tar`);
    spawnSync("skopeo", ["copy", "-q", `oci:${join(repoRoot, "build", "images", name)}:latest`, `docker-archive:${tar}:${name}:latest`]);
    docker(["load", "-i", tar]);
  }
  return {
    host,
    docker,
    async stop() {
      dockerd.kill("SIGTERM");
      await new Promise((r) => dockerd.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

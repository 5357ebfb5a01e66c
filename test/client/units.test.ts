// The guest's docker client built for the host (the same C: `make -C
// kernel-image/programs/docker host`) against a real Slipway daemon, compared
// with the real docker CLI on each case in cases.ts. The host cannot run the
// i386 build; this covers the client's parsing, tables, templates, progress
// and errors where the guest test (client.test.ts) needs the agent's relay.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { cacheRoot } from "../../kernel-image/builder/cache.ts";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { CASES, cells, stdoutCells, writeHostContexts } from "./cases.ts";

const here = new URL("../../kernel-image/programs/", import.meta.url).pathname;
const HOST_YAJL = "/usr/lib/x86_64-linux-gnu/libyajl.so.2";

function buildHostClient(): string {
  const out = mkdtempSync(join(tmpdir(), "slipway-docker-host-"));
  const sysroot = join(cacheRoot(), "sysroot-i386");
  let r = spawnSync("bash", [join(here, "sysroot.sh"), sysroot], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  r = spawnSync("make", ["-C", join(here, "docker"), "host", `OUT=${out}`, `SYSROOT=${sysroot}`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return join(out, "docker-host");
}

function run(bin: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string; status: number }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ stdout, stderr, status: status ?? -1 }));
    child.stdin.end();
  });
}

describe("docker client (host build) against the real CLI", { skip: !existsSync(HOST_YAJL) && `no ${HOST_YAJL} (apt-get install libyajl2)` }, () => {
  let d: TestDaemon;
  let bin: string;
  before(async () => {
    bin = buildHostClient();
    writeHostContexts();
    d = await startTestDaemon();
  });
  after(() => d?.stop());

  for (const k of CASES) {
    test(`docker ${k.args.join(" ")}`, async () => {
      const real = await d.docker(k.args, { timeoutMs: 180_000 });
      if (k.setup) {
        assert.equal(real.status, 0, real.stderr);
        return;
      }
      if (k.undo) assert.equal((await d.docker(k.undo)).status, 0, `undo: docker ${k.undo.join(" ")}`);
      const ours = await run(bin, k.args, { DOCKER_HOST: d.host });
      assert.equal(stdoutCells(k, ours.stdout), stdoutCells(k, real.stdout), "stdout");
      assert.equal(cells(ours.stderr), cells(real.stderr), "stderr");
      assert.equal(ours.status, real.status, "exit status");
    });
  }

  test("version and info: the Server parts match", async () => {
    for (const cmd of ["version", "info"]) {
      const real = await d.docker([cmd]);
      const ours = await run(bin, [cmd], { DOCKER_HOST: d.host });
      const server = (s: string) => s.slice(s.indexOf("\nServer:"));
      assert.equal(server(ours.stdout), server(real.stdout), cmd);
      assert.equal(ours.status, real.status);
    }
  });

  test("an unreachable DOCKER_HOST", async () => {
    for (const host of ["tcp://127.0.0.1:1", "unix:///nonexistent.sock", "bogus://x"]) {
      for (const args of [["ps"], ["run", "busybox"]]) {
        const real = await d.docker(args, { env: { DOCKER_HOST: host } });
        const ours = await run(bin, args, { DOCKER_HOST: host });
        assert.equal(ours.stderr, real.stderr, `${host} ${args}`);
        assert.equal(ours.status, real.status);
      }
    }
    const ours = await run(bin, ["-H", "tcp://127.0.0.1:1", "images"], {});
    assert.equal(ours.stderr, "Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon running?\n");
    assert.equal(ours.status, 1);
  });
});

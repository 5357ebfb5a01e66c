// The docker client in the guest (/usr/bin/docker, through the agent's relay on
// /var/run/docker.sock) against the real docker CLI on the host, same daemon:
// every case in cases.ts, then the interactive ones. Skips until the guest has
// both the client and the relay (npm run build:guest with the agent).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { consoleExec } from "../../worker/vm/console-exec.ts";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { CASES, cells } from "./cases.ts";

const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

describe("docker client in the guest against the real CLI", () => {
  let d: TestDaemon;
  let ready = "";
  before(async () => {
    d = await startTestDaemon();
    const r = await consoleExec(d.running.machine, "test -x /usr/bin/docker && test -S /var/run/docker.sock && echo ready", { timeoutMs: 30_000 });
    ready = r.output.includes("ready") ? "" : "the guest has no /usr/bin/docker or no /var/run/docker.sock relay yet";
  });
  after(() => d?.stop());

  /** stdout, stderr and status of `docker args` in the guest, off a terminal. */
  async function guest(args: string[]) {
    const cmd = `docker ${args.map(q).join(" ")} </dev/null >/tmp/o 2>/tmp/e; echo "rc=$?"; cat /tmp/o; echo '@@@'; cat /tmp/e`;
    const r = await consoleExec(d.running.machine, cmd, { timeoutMs: 120_000 });
    const out = r.output.replace(/\r\n/g, "\n");
    const m = /^rc=(\d+)\n([\s\S]*?)@@@\n([\s\S]*)$/.exec(out);
    assert.ok(m, `unexpected console output: ${out}`);
    return { status: Number(m[1]), stdout: m[2], stderr: m[3] };
  }

  for (const k of CASES) {
    test(`docker ${k.args.join(" ")}`, async (t) => {
      if (ready) return t.skip(ready);
      const real = await d.docker(k.args);
      if (k.setup) return assert.equal(real.status, 0, real.stderr);
      if (k.undo) assert.equal((await d.docker(k.undo)).status, 0);
      const ours = await guest(k.args);
      assert.equal(cells(ours.stdout), cells(real.stdout), "stdout");
      assert.equal(cells(ours.stderr), cells(real.stderr), "stderr");
      assert.equal(ours.status, real.status, "exit status");
    });
  }

  test("runs a container: output and exit status", async (t) => {
    if (ready) return t.skip(ready);
    const r = await guest(["run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
    assert.equal(r.status, 3);
  });

  test("run -it: exit 3 gives status 3 and restores the terminal", async (t) => {
    if (ready) return t.skip(ready);
    const before = await consoleExec(d.running.machine, "stty -g", { timeoutMs: 10_000 });
    const r = await consoleExec(d.running.machine, "printf 'exit 3\\n' | script -qc 'docker run -it --rm busybox sh' /dev/null; echo rc=$?", { timeoutMs: 120_000 });
    assert.match(r.output, /rc=3/);
    const afterStty = await consoleExec(d.running.machine, "stty -g", { timeoutMs: 10_000 });
    assert.equal(afterStty.output, before.output);
  });

  test("docker run -d -p 80:80 docker/getting-started serves on the guest's localhost", async (t) => {
    if (ready) return t.skip(ready);
    const r = await guest(["run", "-d", "-p", "80:80", "docker/getting-started"]);
    assert.equal(r.status, 0, r.stderr);
    const page = await consoleExec(d.running.machine, "sleep 2; wget -qO- localhost | head -c 200", { timeoutMs: 60_000 });
    assert.match(page.output, /<html|<!DOCTYPE/i);
  });
});

// The docker client in the guest (/usr/bin/docker, through the agent's relay on
// /var/run/docker.sock) against the real docker CLI on the host, same daemon:
// every case in cases.ts, then the interactive ones. Skips until the guest has
// both the client and the relay (npm run build:guest with the agent).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { consoleExec } from "../../worker/vm/console-exec.ts";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { CASES, cells, stdoutCells, contextScript, writeHostContexts } from "./cases.ts";

const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

describe("docker client in the guest against the real CLI", () => {
  let d: TestDaemon;
  let ready = "";
  before(async () => {
    d = await startTestDaemon();
    const r = await consoleExec(d.running.machine, "test -x /usr/bin/docker && test -S /var/run/docker.sock && echo ready", { timeoutMs: 30_000 });
    ready = r.output.includes("ready") ? "" : "the guest has no /usr/bin/docker or no /var/run/docker.sock relay yet";
    // the build contexts, at the same paths on both sides
    writeHostContexts();
    if (!ready) assert.equal((await consoleExec(d.running.machine, contextScript(), { timeoutMs: 30_000 })).status, 0);
  });
  after(() => d?.stop());

  /** stdout, stderr and status of `docker args` in the guest, off a terminal. */
  async function guest(args: string[]) {
    const cmd = `docker ${args.map(q).join(" ")} </dev/null >/tmp/o 2>/tmp/e; echo "rc=$?"; cat /tmp/o; echo '@@@'; cat /tmp/e`;
    const r = await consoleExec(d.running.machine, cmd, { timeoutMs: 300_000 });
    const out = r.output.replace(/\r\n/g, "\n");
    const m = /^rc=(\d+)\n([\s\S]*?)@@@\n([\s\S]*)$/.exec(out);
    assert.ok(m, `unexpected console output: ${out}`);
    return { status: Number(m[1]), stdout: m[2], stderr: m[3] };
  }

  for (const k of CASES) {
    test(`docker ${k.args.join(" ")}`, async (t) => {
      if (ready) return t.skip(ready);
      const real = await d.docker(k.args, { timeoutMs: 180_000 });
      if (k.setup) return assert.equal(real.status, 0, real.stderr);
      if (k.undo) assert.equal((await d.docker(k.undo)).status, 0);
      const ours = await guest(k.args);
      assert.equal(stdoutCells(k, ours.stdout), stdoutCells(k, real.stdout), "stdout");
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

  /** Types a line into the guest's console (a real tty: ttyS0) and waits for what it prints. */
  async function typeAndWait(line: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const seen = d.running.machine.waitForConsole(pattern, timeoutMs);
    d.running.machine.sendConsole(line);
    return seen;
  }
  /** The guest shell's prompt (rootfs/etc/profile), not the container's "/ # ". Busybox's
   * line editing asks for the cursor position (ESC [6n) after each prompt. */
  const PROMPT = /root@docker-host:[^\n]*# (\x1b\[6n)?$/;
  /** stty -a of the console, from a plain (non-interactive) exec. */
  const consoleModes = async () => (await consoleExec(d.running.machine, "stty -a </dev/ttyS0", { timeoutMs: 10_000 })).output;
  const cooked = (modes: string) => {
    assert.match(modes, /(^|\s)icanon(\s|$)/m, modes);
    assert.match(modes, /(^|\s)echo(\s|$)/m, modes);
  };

  // consoleExec gives its commands /dev/null as stdin: the -it cases type on the console itself.
  test("run -it: exit 3 gives status 3 and restores the terminal", async (t) => {
    if (ready) return t.skip(ready);
    // the container's hostname is its 12-digit ID: "inside-13" proves we are in its shell
    await typeAndWait("docker run -it --rm busybox sh\n", /\/ # /);
    await typeAndWait("echo inside-$(hostname | wc -c)\n", /inside-13/);
    await typeAndWait("exit 3\n", PROMPT, 30_000);
    await typeAndWait("echo status=$?\n", /status=3\b/, 30_000);
    cooked(await consoleModes());
  });

  test("run -it: Ctrl-P Ctrl-Q detaches, the container keeps running", async (t) => {
    if (ready) return t.skip(ready);
    await typeAndWait("docker run -it --name detachme busybox sh\n", /\/ # /);
    await typeAndWait("echo inside-$(hostname | wc -c)\n", /inside-13/);
    await typeAndWait("\x10\x11", PROMPT, 30_000);
    await typeAndWait("echo status=$?\n", /status=0\b/, 30_000);
    cooked(await consoleModes());
    const ps = await consoleExec(d.running.machine, "docker ps --format '{{.Names}} {{.Status}}'; docker rm -f detachme >/dev/null", { timeoutMs: 60_000 });
    assert.match(ps.output, /^detachme Up /m);
  });

  test("run -i without -t streams stdin", async (t) => {
    if (ready) return t.skip(ready);
    const r = await consoleExec(d.running.machine, "printf 'one\\ntwo\\n' | docker run -i --rm busybox sh -c 'wc -l; echo done'; echo rc=$?", { timeoutMs: 120_000 });
    assert.match(r.output, /^\s*2\ndone\nrc=0$/m);
  });

  test("save and export refuse a terminal as stdout", async (t) => {
    if (ready) return t.skip(ready);
    await typeAndWait("docker save busybox; echo status=$?\n", /status=1\b/, 30_000).then((out) =>
      assert.match(out, /cowardly refusing to save to a terminal\. Use the -o flag or redirect/),
    );
    await typeAndWait("docker export nosuch; echo status=$?\n", /status=1\b/, 30_000).then((out) =>
      assert.match(out, /cowardly refusing to save to a terminal\. Use the -o flag or redirect/),
    );
  });

  test("docker run -d -p 80:80 docker/getting-started serves on the guest's localhost", async (t) => {
    if (ready) return t.skip(ready);
    const r = await guest(["run", "-d", "-p", "80:80", "docker/getting-started"]);
    assert.equal(r.status, 0, r.stderr);
    const page = await consoleExec(d.running.machine, "sleep 2; wget -qO- localhost | head -c 200", { timeoutMs: 60_000 });
    assert.match(page.output, /<html|<!DOCTYPE/i);
  });
});

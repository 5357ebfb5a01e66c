// A container's files through the real docker CLI against `slipway daemon`: kept across
// stop and start until `docker rm` (as Docker keeps them), committed as a layer, exported.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readTar } from "../../worker/engine/build/tar.ts";
import { consoleExec } from "../../worker/vm/console-exec.ts";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.ts";

describe("engine: a container's files", () => {
  let d: TestDaemon;
  /** Runs a shell command in the guest (the Docker host) itself. */
  const host = async (cmd: string) => (await consoleExec(d.running.machine, cmd, { timeoutMs: 60_000 })).output;
  const ok = async (args: string[]) => {
    const r = await d.docker(args);
    assert.equal(r.status, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const idOf = async (name: string) => (await ok(["inspect", "-f", "{{.Id}}", name])).trim();

  before(async () => {
    d = await startTestDaemon();
    await ok(["pull", "busybox"]);
  });
  after(() => d?.stop());

  test("an exited container starts again with the files it wrote", async () => {
    assert.equal(await ok(["run", "--name", "again", "busybox", "sh", "-c", "echo run >> /runs; cat /runs"]), "run\n");
    // (start, wait and logs rather than start -a: an attach to an exited container ends at once today.)
    await ok(["start", "again"]);
    assert.equal(await ok(["wait", "again"]), "0\n");
    assert.equal(await ok(["logs", "again"]), "run\nrun\nrun\n");
    // Released between runs: no mount left while it is stopped.
    const id = await idOf("again");
    assert.equal(await host(`grep -c ' /var/lib/slipway/containers/${id}/' /proc/mounts || true`), "0\n");
  });

  test("stop and start keep a file written by a running container", async () => {
    await ok(["run", "-d", "--name", "keeper", "busybox", "sh", "-c", "date >> /log; exec sleep 300"]);
    await waitFor(async () => (await d.docker(["exec", "keeper", "cat", "/log"])).stdout.trim().split("\n").length === 1);
    await ok(["stop", "-t", "1", "keeper"]);
    await ok(["start", "keeper"]);
    await waitFor(async () => (await d.docker(["exec", "keeper", "cat", "/log"])).stdout.trim().split("\n").length === 2);
    await ok(["rm", "-f", "keeper"]);
  });

  test("docker commit of an exited container: a changed file and a deleted one, in a new image", async () => {
    await ok(["run", "--name", "changed", "busybox", "sh", "-c", "echo changed > /etc/motd && rm /bin/ls"]);
    assert.match(await ok(["commit", "changed", "committed:files"]), /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(await ok(["run", "--rm", "committed:files", "sh", "-c", "cat /etc/motd; test -e /bin/ls || echo no-ls"]), "changed\nno-ls\n");
    const layers = await ok(["image", "inspect", "-f", "{{len .RootFS.Layers}}", "committed:files"]);
    const base = await ok(["image", "inspect", "-f", "{{len .RootFS.Layers}}", "busybox"]);
    assert.equal(Number(layers), Number(base) + 1);
  });

  test("docker commit of a running container pauses it, then it runs on", async () => {
    await ok(["run", "-d", "--name", "live", "busybox", "sh", "-c", "echo live > /state; exec sleep 300"]);
    await waitFor(async () => (await d.docker(["exec", "live", "cat", "/state"])).stdout === "live\n");
    await ok(["commit", "live", "committed:live"]);
    assert.equal(await ok(["inspect", "-f", "{{.State.Status}}", "live"]), "running\n");
    // Thawed: it still answers.
    assert.equal(await ok(["exec", "live", "echo", "awake"]), "awake\n");
    assert.equal(await ok(["run", "--rm", "committed:live", "cat", "/state"]), "live\n");
    await ok(["rm", "-f", "live"]);
  });

  test("docker export of an exited container has its changes", async () => {
    await ok(["run", "--name", "exported", "busybox", "sh", "-c", "mkdir -p /out && echo hi > /out/file && rm /bin/ls"]);
    const path = join(mkdtempSync(join(tmpdir(), "export-")), "fs.tar");
    await ok(["export", "-o", path, "exported"]);
    const files = new Map<string, Uint8Array>();
    for await (const e of readTar(readFileSync(path))) files.set(e.header.name, e.data);
    assert.equal(new TextDecoder().decode(files.get("out/file")), "hi\n");
    assert.ok(files.has("bin/busybox") && !files.has("bin/ls"));
    assert.ok(![...files.keys()].some((n) => n.includes(".wh.")));
  });

  test("docker rm removes the container's files from the guest", async () => {
    const id = await idOf("exported");
    assert.equal(await host(`test -d /var/lib/slipway/containers/${id}/upper && echo kept`), "kept\n");
    await ok(["rm", "exported"]);
    assert.equal(await host(`test -e /var/lib/slipway/containers/${id} || echo gone`), "gone\n");
  });
});

async function waitFor(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 200));
  }
}

// docker cp through the real docker CLI against `slipway daemon`, in the real guest: the
// Engine API's /containers/{id}/archive (HEAD, GET, PUT), out of and into running and
// stopped containers, with Docker's words for what is missing (checked against dockerd 20.10).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { request } from "node:http";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.ts";

describe("engine: docker cp", () => {
  let d: TestDaemon;
  let dir: string;

  before(async () => {
    d = await startTestDaemon();
    dir = mkdtempSync(join(tmpdir(), "slipway-cp-"));
    const r = await d.docker(["pull", "busybox"]);
    assert.equal(r.status, 0, r.stderr);
    const run = await d.docker(["run", "-d", "--network", "none", "--name", "box", "busybox", "sh", "-c", "mkdir -p /data/sub /escape && echo hello > /data/a.txt && echo deep > /data/sub/b && ln -sfn /data/a.txt /link && ln -sfn /data /dlink && ln -sfn ../../../../.. /escape/up && touch /ready && sleep 1000"]);
    assert.equal(run.status, 0, run.stderr);
    for (let i = 0; i < 100 && (await d.docker(["exec", "box", "test", "-e", "/ready"])).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  });
  after(async () => {
    await d?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a file and a directory out of a running container", async () => {
    let r = await d.docker(["cp", "box:/data/a.txt", join(dir, "a.txt")]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "a.txt"), "utf8"), "hello\n");
    r = await d.docker(["cp", "box:/data", join(dir, "d1")]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "d1/a.txt"), "utf8"), "hello\n");
    assert.equal(readFileSync(join(dir, "d1/sub/b"), "utf8"), "deep\n");
    // A symlink comes out as one; -L follows it (the CLI uses the stat's linkTarget).
    r = await d.docker(["cp", "box:/link", join(dir, "l1")]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readlinkSync(join(dir, "l1")), "/data/a.txt");
    r = await d.docker(["cp", "-L", "box:/link", join(dir, "l2")]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "l2"), "utf8"), "hello\n");
    // "dir/." copies the contents; a symlinked dir with a trailing slash is followed.
    r = await d.docker(["cp", "box:/dlink/.", join(dir, "d2")]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "d2/sub/b"), "utf8"), "deep\n");
  });

  test("the archive endpoint as dockerd answers it: the stat header, the tar's names", async () => {
    const head = await d.api("HEAD", "/containers/box/archive?path=/dlink/");
    assert.equal(head.status, 200);
    const stat = JSON.parse(Buffer.from(String(head.headers["x-docker-container-path-stat"]), "base64").toString());
    assert.equal(stat.name, "dlink");
    assert.equal(stat.mode, 2 ** 31 + 0o755);
    assert.match(stat.mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(stat.linkTarget, "");
    const link = await d.api("HEAD", "/containers/box/archive?path=/link");
    const ls = JSON.parse(Buffer.from(String(link.headers["x-docker-container-path-stat"]), "base64").toString());
    assert.deepEqual({ name: ls.name, mode: ls.mode, size: ls.size, linkTarget: ls.linkTarget }, { name: "link", mode: 2 ** 27 + 0o777, size: 11, linkTarget: "/data/a.txt" });
    // The tar of /data/. is named from "./", as Docker's rebase does.
    const got = await raw(d, "GET", "/containers/box/archive?path=/data/.");
    assert.equal(got.headers["content-type"], "application/x-tar");
    const names = execFileSync("tar", ["tf", "-"], { input: got.body, encoding: "utf8" });
    assert.deepEqual(names.trim().split("\n"), ["./", "./a.txt", "./sub/", "./sub/b"]);
    const missing = await d.api("GET", "/containers/box/archive?path=/nope");
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.text).message, "Could not find the file /nope in container box");
    const empty = await d.api("GET", "/containers/box/archive");
    assert.equal(empty.status, 400);
    assert.equal(JSON.parse(empty.text).message, "bad parameter: pathcannot be empty");
  });

  test("the root is the container's: .. and symlinks resolve inside it", async () => {
    // /escape/up -> ../../../../.. is the container's / , not the guest's.
    let r = await d.docker(["cp", "box:/escape/up/data", join(dir, "up")]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "up/a.txt"), "utf8"), "hello\n");
    const head = await d.api("HEAD", "/containers/box/archive?path=/escape/up");
    assert.equal(JSON.parse(Buffer.from(String(head.headers["x-docker-container-path-stat"]), "base64").toString()).linkTarget, "/");
    r = await d.docker(["cp", "box:/../../../etc/hostname", join(dir, "hn")]);
    assert.equal(r.status, 0, r.stderr);
    const hn = await d.docker(["exec", "box", "cat", "/etc/hostname"]);
    assert.equal(readFileSync(join(dir, "hn"), "utf8"), hn.stdout);
    // Into it: through the same link, the file lands in the container's root.
    writeFileSync(join(dir, "esc.txt"), "inside\n");
    r = await d.docker(["cp", join(dir, "esc.txt"), "box:/escape/up/"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await d.docker(["exec", "box", "cat", "/esc.txt"])).stdout, "inside\n");
  });

  test("a host file and directory into a running container, seen by exec", async () => {
    writeFileSync(join(dir, "h.txt"), "from the host\n");
    chownSync(join(dir, "h.txt"), 1234, 5678);
    let r = await d.docker(["cp", join(dir, "h.txt"), "box:/h.txt"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await d.docker(["exec", "box", "cat", "/h.txt"])).stdout, "from the host\n");
    // As under dockerd without -a: the tar's owner is kept.
    assert.match((await d.docker(["exec", "box", "ls", "-ln", "/h.txt"])).stdout, /^-rw-r--r--\s+1 1234\s+5678\s+14 /);
    mkdirSync(join(dir, "tree/inner"), { recursive: true });
    writeFileSync(join(dir, "tree/inner/f"), "nested\n");
    symlinkSync("inner/f", join(dir, "tree/ln"));
    r = await d.docker(["cp", join(dir, "tree"), "box:/newdir"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await d.docker(["exec", "box", "cat", "/newdir/inner/f", "/newdir/ln"])).stdout, "nested\nnested\n");
    // Into an existing directory: it goes inside.
    r = await d.docker(["cp", join(dir, "tree"), "box:/data"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await d.docker(["exec", "box", "cat", "/data/tree/inner/f"])).stdout, "nested\n");
  });

  test("errors in Docker's words", async () => {
    let r = await d.docker(["cp", "box:/nope", join(dir, "out")]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "Error response from daemon: Could not find the file /nope in container box\n");
    r = await d.docker(["cp", join(dir, "h.txt"), "box:/nodir/h.txt"]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "Error response from daemon: Could not find the file /nodir in container box\n");
    r = await d.docker(["cp", "nobox:/x", join(dir, "out")]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "Error response from daemon: No such container: nobox\n");
    const tar = execFileSync("tar", ["cf", "-", "-C", dir, "h.txt"]);
    const put = await raw(d, "PUT", "/containers/box/archive?path=/data/a.txt", tar);
    assert.equal(put.status, 500);
    assert.equal(JSON.parse(put.body.toString()).message, "extraction point is not a directory");
  });

  test("out of and into a stopped container, and one never started", async () => {
    assert.equal((await d.docker(["stop", "-t", "0", "box"])).status, 0);
    let r = await d.docker(["cp", "box:/data/sub", join(dir, "stopped")]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "stopped/b"), "utf8"), "deep\n");
    r = await d.docker(["cp", "box:/h.txt", join(dir, "h2.txt")]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, "h2.txt"), "utf8"), "from the host\n");
    writeFileSync(join(dir, "late.txt"), "while stopped\n");
    r = await d.docker(["cp", join(dir, "late.txt"), "box:/data/late.txt"]);
    assert.equal(r.status, 0, r.stderr);
    r = await d.docker(["cp", "box:/nope", join(dir, "out")]);
    assert.equal(r.stderr, "Error response from daemon: Could not find the file /nope in container box\n");
    // No mount is left behind by the copies.
    assert.equal((await d.docker(["start", "box"])).status, 0);
    assert.equal((await d.docker(["exec", "box", "cat", "/data/late.txt"])).stdout, "while stopped\n");

    assert.equal((await d.docker(["create", "--name", "fresh", "busybox", "cat", "/in.txt"])).status, 0);
    r = await d.docker(["cp", "fresh:/etc/passwd", join(dir, "passwd")]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(join(dir, "passwd"), "utf8"), /^root:/);
    writeFileSync(join(dir, "in.txt"), "put before start\n");
    r = await d.docker(["cp", join(dir, "in.txt"), "fresh:/in.txt"]);
    assert.equal(r.status, 0, r.stderr);
    r = await d.docker(["start", "-a", "fresh"]);
    assert.equal(r.stdout, "put before start\n");
  });
});

/** A raw request with a binary body and answer (never a synchronous child: the daemon runs in this process). */
function raw(d: TestDaemon, method: string, path: string, body?: Buffer): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.socket, method, path, headers: body ? { "Content-Type": "application/x-tar", "Content-Length": body.length } : {} }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

// The daemon–agent link on the real guest: exact byte streams both ways, many
// streams at once, layers with whiteouts, the port proxy and the api relay.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { spawnSync } from "node:child_process";
import { startGuest, type TestGuest } from "../helpers/guest.ts";
import { readTar, type TarEntry } from "../../worker/engine/build/tar.ts";
import { AgentClient } from "../../worker/link/agent-client.ts";
import { connectTcp, type Stream, type V86NetworkAdapter } from "../../worker/link/link.ts";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function readAll(s: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  const r = s.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) return Buffer.concat(parts);
    parts.push(Buffer.from(value));
  }
}

/** A minimal ustar archive: enough for layers with files, dirs and whiteouts. */
function tar(entries: { name: string; data?: string; dir?: boolean }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const h = Buffer.alloc(512);
    const data = Buffer.from(e.data ?? "");
    h.write(e.name, 0, 100);
    h.write(e.dir ? "0000755\0" : "0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write((e.dir ? 0 : data.length).toString(8).padStart(11, "0") + "\0", 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write(e.dir ? "5" : "0", 156);
    h.write("ustar\0" + "00", 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(h);
    if (!e.dir && data.length) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function collect(src: AsyncIterable<Uint8Array>): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(Buffer.from(c));
  return parts;
}

async function* chunks(b: Buffer, size = 100_000): AsyncIterable<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

describe("the agent link", () => {
  let guest: TestGuest;
  let agent: AgentClient;
  before(async () => {
    guest = await startGuest();
    agent = await AgentClient.connect(guest.machine, { timeoutMs: 60_000 });
  });
  after(async () => {
    agent?.close();
    await guest?.stop();
  });

  test("greets with HELLO", () => {
    assert.equal(agent.link.hello.agent, "slipway-agent");
  });

  for (const n of [0, 1, 1460, 65536, 3 * 1024 * 1024 + 17]) {
    test(`${n} bytes JS -> guest arrive as exactly ${n} bytes`, async () => {
      const data = randomBytes(n);
      const s = agent.link.call("sink", {});
      s.write(data);
      s.end();
      const r = (await s.reply) as { size: number; sha256: string };
      assert.equal(r.size, n);
      assert.equal(r.sha256, sha256(data));
    });

    test(`${n} bytes guest -> JS arrive as exactly ${n} bytes`, async () => {
      const s = agent.link.call("source", { size: n });
      s.end();
      let sent = "";
      s.onEvent((e) => (sent = e.sha256));
      const got = await readAll(s.readable);
      assert.equal(got.length, n);
      assert.equal(sha256(got), sent);
    });
  }

  test("echoes 1 MiB of random bytes unchanged", async () => {
    const data = randomBytes(1 << 20);
    const s = agent.echo();
    const back = readAll(s.readable);
    s.write(data);
    s.end();
    assert.equal(sha256(await back), sha256(data));
  });

  test("keeps 24 concurrent streams apart", async () => {
    const runs = Array.from({ length: 24 }, async (_, i) => {
      const data = randomBytes(20_000 + i * 3_001);
      const s: Stream = agent.echo();
      const back = readAll(s.readable);
      for (let off = 0; off < data.length; off += 777) s.write(data.subarray(off, off + 777));
      s.end();
      assert.equal(sha256(await back), sha256(data), `stream ${i}`);
      await s.closed;
    });
    await Promise.all(runs);
    assert.equal(agent.link.openStreams, 0);
  });

  test("answers an unknown method with an error, and the link stays up", async () => {
    await assert.rejects(agent.link.request("noSuchMethod", {}), /unknown method noSuchMethod/);
    assert.equal(await agent.hasLayer("sha256:" + "0".repeat(64)), false);
  });

  describe("layers", () => {
    const base = tar([
      { name: "a/", dir: true },
      { name: "a/x", data: "x in base\n" },
      { name: "a/y", data: "y in base\n" },
      { name: "o/", dir: true },
      { name: "o/old", data: "old\n" },
    ]);
    const top = tar([
      { name: "a/", dir: true },
      { name: "a/.wh.x" },
      { name: "o/", dir: true },
      { name: "o/.wh..wh..opq" },
      { name: "o/new", data: "new\n" },
    ]);
    const baseId = `sha256:${sha256(base)}`;
    const topId = `sha256:${sha256(top)}`;

    test("unpacks a gzip'd layer and a plain one, whiteouts made overlay whiteouts", async () => {
      assert.deepEqual(await agent.putLayer(baseId, chunks(gzipSync(base))), { size: base.length });
      assert.deepEqual(await agent.putLayer(topId, chunks(top)), { size: top.length });
      assert.equal(await agent.hasLayer(topId), true);
      const dir = (id: string) => `/var/lib/slipway/layers/${id.slice(7)}`;
      assert.equal(await guest.sh(`stat -c '%F %t:%T' ${dir(topId)}/a/x`), "character special file 0:0\n");
      assert.equal(await guest.sh(`ls -A ${dir(topId)}/o`), "new\n");
      // The opaque xattr shows in overlay behaviour: the lower o/old is hidden, a/x is whited out.
      const out = await guest.sh(
        `m=/tmp/lt; mkdir -p $m/u $m/w $m/m && mount -t overlay o -o lowerdir=${dir(topId)}:${dir(baseId)},upperdir=$m/u,workdir=$m/w $m/m && ls $m/m/a $m/m/o; umount $m/m`,
      );
      assert.equal(out, `${"/tmp/lt/m/a:"}\ny\n\n/tmp/lt/m/o:\nnew\n`);
    });

    test("stores a layer once: a second put only drains the body", async () => {
      assert.deepEqual(await agent.putLayer(baseId, chunks(base)), { size: base.length });
    });

    test("refuses a layer whose sha256 is not its diff_id, leaving nothing", async () => {
      const wrong = `sha256:${"ab".repeat(32)}`;
      await assert.rejects(agent.putLayer(wrong, chunks(base)), /diff_id mismatch/);
      assert.equal(await agent.hasLayer(wrong), false);
      assert.equal(await guest.sh(`ls /var/lib/slipway/layers | grep -c tmp || true`), "0\n");
    });

    test("removes a layer", async () => {
      await agent.removeLayer(topId);
      assert.equal(await agent.hasLayer(topId), false);
    });
  });

  describe("published ports", () => {
    before(async () => {
      // A persistent echo server in the guest stands in for a container's.
      await guest.sh("(nc -ll -p 8080 -e cat </dev/null >/dev/null 2>&1 &); sleep 0.5");
      await agent.publishPort({ containerId: "x", proto: "tcp", hostIp: "", hostPort: 8081, ip: "127.0.0.1", port: 8080 });
    });

    test("reaches the target from the guest", async () => {
      assert.equal(await guest.sh("echo hello-from-guest | nc -w 2 127.0.0.1 8081"), "hello-from-guest\n");
    });

    test("reaches the target from JS through the network adapter", async () => {
      const adapter = (guest.machine.emulator as unknown as { network_adapter: V86NetworkAdapter }).network_adapter;
      const conn = await connectTcp(adapter, 8081);
      const got = new Promise<string>((resolve) => {
        let text = "";
        conn.on("data", (d) => {
          text += new TextDecoder().decode(d);
          if (text.includes("\n")) resolve(text);
        });
      });
      conn.write(new TextEncoder().encode("hello-from-js\n"));
      assert.equal(await got, "hello-from-js\n");
      conn.close();
    });

    test("udp on the same port number is its own binding, taken and freed apart from tcp", async () => {
      await agent.publishPort({ containerId: "x", proto: "udp", hostIp: "", hostPort: 8081, ip: "127.0.0.1", port: 8080 });
      assert.match(await guest.sh("netstat -uln"), /0\.0\.0\.0:8081 /);
      await assert.rejects(agent.publishPort({ containerId: "x", proto: "udp", hostIp: "", hostPort: 8081, ip: "127.0.0.1", port: 8080 }), (err: Error & { code?: string }) => {
        assert.equal(err.code, "EADDRINUSE");
        assert.match(err.message, /bind udp 0\.0\.0\.0:8081: Address already in use/);
        return true;
      });
      await agent.unpublishPort({ proto: "udp", hostPort: 8081 });
      assert.doesNotMatch(await guest.sh("netstat -uln"), /:8081 /);
      await assert.rejects(agent.unpublishPort({ proto: "udp", hostPort: 8081 }), /no published port 8081\/udp/);
      assert.equal(await guest.sh("echo still-tcp | nc -w 2 127.0.0.1 8081"), "still-tcp\n");
    });

    test("fails with EADDRINUSE when the port is taken, and unpublishes", async () => {
      await assert.rejects(agent.publishPort({ containerId: "x", proto: "tcp", hostIp: "", hostPort: 8081, ip: "127.0.0.1", port: 8080 }), (err: Error & { code?: string }) => {
        assert.equal(err.code, "EADDRINUSE");
        assert.match(err.message, /bind tcp 0\.0\.0\.0:8081: Address already in use/);
        return true;
      });
      await agent.unpublishPort({ proto: "tcp", hostPort: 8081 });
      assert.notEqual((await guest.exec("echo x | nc -w 1 127.0.0.1 8081")).output, "x\n");
    });
  });

  describe("the docker.sock relay", () => {
    test("serves /var/run/docker.sock with mode 0660", async () => {
      assert.equal(await guest.sh("stat -c '%F %a' /var/run/docker.sock"), "socket 660\n");
    });

    test("a guest client on tcp 2375 arrives as an API connection stream", async () => {
      let request = "";
      agent.onApiConnection(async (conn) => {
        const r = conn.readable.getReader();
        while (!request.includes("\r\n\r\n")) {
          const { done, value } = await r.read();
          if (done) break;
          request += new TextDecoder().decode(value);
        }
        conn.write(new TextEncoder().encode("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK"));
        conn.end();
      });
      assert.equal(await guest.sh("wget -qO- http://127.0.0.1:2375/_ping"), "OK");
      assert.match(request, /^GET \/_ping HTTP\/1\.[01]\r\n/);
    });
  });

  describe("diff: a container's upper dir as a layer tar", () => {
    const id = "d1ff" + "0".repeat(60);
    const dir = `/var/lib/slipway/containers/${id}`;
    const long = "a-rather-long-directory-name-for-the-test/" + "b".repeat(60) + "/c";
    let tar: Buffer;
    let entries: Map<string, TarEntry>;
    before(async () => {
      // Changes made through a real overlay, so the upper dir holds what the kernel writes:
      // whiteouts as 0:0 char devices, a re-made directory marked opaque.
      await guest.sh(
        [
          `l=/tmp/difflower; rm -rf $l ${dir}; mkdir -p $l/keep $l/gone $l/opq ${dir}/upper ${dir}/work ${dir}/rootfs`,
          `echo old > $l/keep/changed; echo bye > $l/gone/file; echo x > $l/opq/hidden`,
          `mount -t overlay o -o lowerdir=$l,upperdir=${dir}/upper,workdir=${dir}/work ${dir}/rootfs`,
          `cd ${dir}/rootfs && echo new > keep/changed && rm gone/file && rm -r opq && mkdir opq && echo y > opq/shown`,
          `echo added > added && chown 1000:1001 added && chmod 640 added && ln -s added link && ln added hard`,
          `mkdir -p ${long} && echo deep > ${long}/file && head -c 3000000 /dev/urandom > big`,
          `sha256sum big > /tmp/big.sum; cd / && umount ${dir}/rootfs`,
        ].join(" && "),
      );
      tar = Buffer.concat(await collect(agent.diff(id)));
      entries = new Map();
      for await (const e of readTar(tar)) entries.set(e.header.name, e);
    });
    after(async () => {
      await guest.exec(`umount ${dir}/rootfs 2>/dev/null; rm -rf ${dir} /tmp/difflower /tmp/big.sum`);
    });

    const text = (name: string) => new TextDecoder().decode(entries.get(name)?.data);

    test("a file added, with its owner and mode; a symlink; a hard link", () => {
      const a = entries.get("added")!.header;
      assert.deepEqual([a.type, a.uid, a.gid, a.mode & 0o7777, a.size], ["file", 1000, 1001, 0o640, 6]);
      assert.ok(a.mtime > 1_600_000_000, `mtime ${a.mtime}`);
      assert.equal(text("added"), "added\n");
      assert.deepEqual([entries.get("link")!.header.type, entries.get("link")!.header.linkname], ["symlink", "added"]);
      assert.deepEqual([entries.get("hard")!.header.type, entries.get("hard")!.header.linkname], ["link", "added"]);
    });

    test("a file changed: its parent dir and its new content", () => {
      assert.equal(entries.get("keep")?.header.type, "dir");
      assert.equal(text("keep/changed"), "new\n");
    });

    test("a file deleted becomes a .wh. entry, an empty file", () => {
      const w = entries.get("gone/.wh.file")!.header;
      assert.deepEqual([w.type, w.size], ["file", 0]);
      assert.ok(!entries.has("gone/file"));
    });

    test("a directory removed and made again is opaque: .wh..wh..opq, then its new content", () => {
      const names = [...entries.keys()];
      assert.ok(names.indexOf("opq") < names.indexOf("opq/.wh..wh..opq") && names.indexOf("opq/.wh..wh..opq") < names.indexOf("opq/shown"), names.join(","));
      assert.equal(text("opq/shown"), "y\n");
      assert.ok(!entries.has("opq/hidden"));
    });

    test("a path over 100 bytes keeps its full name (pax)", () => {
      assert.ok(long.length > 100);
      assert.equal(text(`${long}/file`), "deep\n");
    });

    test("3 MB of file data arrive exact, parents before children, sorted, nothing else", async () => {
      const sum = (await guest.sh("cat /tmp/big.sum")).split(" ")[0];
      assert.equal(sha256(entries.get("big")!.data), sum);
      const names = [...entries.keys()];
      for (const n of names) if (n.includes("/")) assert.ok(names.indexOf(n.slice(0, n.lastIndexOf("/"))) < names.indexOf(n), `${n} before its dir`);
      assert.deepEqual(names.filter((n) => !n.includes("/")).sort(), ["a-rather-long-directory-name-for-the-test", "added", "big", "gone", "hard", "keep", "link", "opq"]);
    });

    test("GNU tar reads it the same", () => {
      const r = spawnSync("tar", ["-tf", "-"], { input: tar, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.split("\n").includes(`${long}/file`), r.stdout);
      assert.ok(r.stdout.split("\n").includes("gone/.wh.file"));
    });

    test("the same files give the same bytes (a stable diff_id)", async () => {
      const again = Buffer.concat(await collect(agent.diff(id)));
      assert.equal(sha256(again), sha256(tar));
    });

    test("an unknown container is an error; deleteContainer removes the files and may be repeated", async () => {
      await assert.rejects(collect(agent.diff("nope" + "0".repeat(60))), /diff: no files for container nope0+: stat .*: No such file or directory/);
      await agent.releaseContainer(id); // nothing running: fine, files stay
      assert.equal(await guest.sh(`test -f ${dir}/upper/added && echo kept`), "kept\n");
      await agent.deleteContainer(id);
      assert.equal(await guest.sh(`test -e ${dir} || echo gone`), "gone\n");
      await agent.deleteContainer(id);
    });
  });

  describe("runScript: a script in the guest itself", () => {
    test("status and merged output, as root in /root, stdin empty", async () => {
      const r = await agent.runScript("echo out; echo err >&2; pwd; echo $HOME $(id -u); cat; exit 3");
      assert.deepEqual(r, { status: 3, output: "out\nerr\n/root\n/root 0\n", timedOut: false, truncated: false });
    });

    test("does not wait for a background process that keeps the output open", async () => {
      const t = Date.now();
      const r = await agent.runScript("(sleep 4 &); echo quick");
      assert.equal(r.output, "quick\n");
      assert.ok(Date.now() - t < 3000, `took ${Date.now() - t} ms`);
    });

    test("a timeout kills the script and what it started: status 124", async () => {
      const t = Date.now();
      const r = await agent.runScript("echo before; sleep 21 & sleep 22; echo never", 1);
      const ms = Date.now() - t;
      assert.deepEqual([r.status, r.timedOut, r.output], [124, true, "before\n"]);
      assert.ok(ms >= 900 && ms < 5000, `took ${ms} ms`);
      assert.equal((await agent.runScript("ps | grep -c '[s]leep 2[12]' || true")).output, "0\n");
    });

    test("many at once stay apart", async () => {
      const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => agent.runScript(`echo ${i}; exit ${i}`)));
      assert.deepEqual(rs.map((r) => [r.status, r.output]), Array.from({ length: 8 }, (_, i) => [i, `${i}\n`]));
    });
  });
});

// Containers through the real docker CLI against `slipway daemon`, in the real guest:
// the list, each compared with what Docker itself does.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { consoleExec } from "../../worker/vm/console-exec.ts";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.ts";

describe("engine: containers", () => {
  let d: TestDaemon;
  /** Runs a shell command in the guest (the Docker host) itself. */
  const host = async (cmd: string) => (await consoleExec(d.running.machine, cmd, { timeoutMs: 60_000 })).output;
  /** What a failed create or start must never leave behind in the guest. */
  const leftovers = () => host("echo mounts=$(grep -c ' /var/lib/slipway/containers/' /proc/mounts) cgroups=$(ls /sys/fs/cgroup/docker 2>/dev/null | grep -c '^[0-9a-f]\\{64\\}$') veths=$(ip -o link show type veth | grep -c .)");

  before(async () => {
    d = await startTestDaemon();
    const r = await d.docker(["pull", "busybox"]);
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => d?.stop());

  test("run --rm hello-world", async () => {
    const r = await d.docker(["run", "--rm", "hello-world"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Hello from Docker!/);
    assert.match(r.stdout, /The Docker daemon pulled the "hello-world" image/);
    const ps = await d.docker(["ps", "-aq"]);
    assert.equal(ps.stdout, "", "--rm left the container behind");
  });

  test("exit codes: 0, 1, 3, 126, 127 and 125", async () => {
    assert.equal((await d.docker(["run", "--rm", "busybox", "true"])).status, 0);
    assert.equal((await d.docker(["run", "--rm", "busybox", "false"])).status, 1);
    assert.equal((await d.docker(["run", "--rm", "busybox", "sh", "-c", "exit 3"])).status, 3);
    const notExec = await d.docker(["run", "--rm", "busybox", "/etc/passwd"]);
    assert.equal(notExec.status, 126, notExec.stderr);
    const missing = await d.docker(["run", "--rm", "busybox", "no-such-binary"]);
    assert.equal(missing.status, 127, missing.stderr);
    assert.match(missing.stderr, /executable file not found/);
    const badFlag = await d.docker(["run", "--rm", "--memory", "lots", "busybox", "true"]);
    assert.equal(badFlag.status, 125);
    const noImage = await d.docker(["run", "--rm", "no-such-image"]);
    assert.equal(noImage.status, 125);
    assert.match(noImage.stderr, /Unable to find image 'no-such-image:latest' locally/);
    assert.match(noImage.stderr, /pull access denied for no-such-image/);
  });

  test("run -d, then logs -f follows to the end", async () => {
    const run = await d.docker(["run", "-d", "--name", "counter", "busybox", "sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.3; done; echo oops >&2"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout.trim(), /^[0-9a-f]{64}$/);
    const logs = await d.docker(["logs", "-f", "counter"]);
    assert.equal(logs.stdout, "line 1\nline 2\nline 3\n");
    assert.equal(logs.stderr, "oops\n");
    const tail = await d.docker(["logs", "--tail", "1", "counter"]);
    assert.equal(tail.stdout, "");
    assert.equal(tail.stderr, "oops\n");
    const ts = await d.docker(["logs", "-t", "counter"]);
    assert.match(ts.stdout.split("\n")[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line 1$/);
  });

  test("ps -a shows Up and Exited statuses", async () => {
    await d.docker(["run", "-d", "--name", "sleeper", "busybox", "sleep", "300"]);
    await d.docker(["run", "--name", "quitter", "busybox", "sh", "-c", "exit 4"]);
    const r = await d.docker(["ps", "-a", "--format", "{{.Names}}|{{.Status}}"]);
    const rows = Object.fromEntries(r.stdout.trim().split("\n").map((l) => l.split("|")));
    assert.match(rows.sleeper, /^Up (Less than a second|\d+ seconds?)$/);
    assert.match(rows.quitter, /^Exited \(4\) (Less than a second|\d+ seconds?) ago$/);
    const running = await d.docker(["ps", "--format", "{{.Names}}"]);
    assert.ok(running.stdout.split("\n").includes("sleeper") && !running.stdout.includes("quitter"));
  });

  test("exec -it gets a pty and sees the container's PID namespace", async () => {
    // script(1) gives docker a terminal; spawned async, since the daemon answers from this process.
    const { spawn } = await import("node:child_process");
    const child = spawn("script", ["-qec", "docker exec -it sleeper sh -c 'tty; ps -o pid,comm | grep sleep'", "/dev/null"], { env: { ...process.env, DOCKER_HOST: d.host }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(status, 0, out);
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /\s1 sleep/);
  });

  test("stop -t 1 kills a process that ignores SIGTERM after about a second", async () => {
    await d.docker(["run", "-d", "--name", "stubborn", "busybox", "sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"]);
    const t = Date.now();
    const r = await d.docker(["stop", "-t", "1", "stubborn"]);
    const ms = Date.now() - t;
    assert.equal(r.status, 0, r.stderr);
    assert.ok(ms >= 900 && ms < 4000, `stop took ${ms} ms`);
    const code = await d.docker(["inspect", "-f", "{{.State.ExitCode}}", "stubborn"]);
    assert.equal(code.stdout.trim(), "137");
  });

  test("rm -f removes a running container", async () => {
    const r = await d.docker(["rm", "-f", "sleeper"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await d.docker(["inspect", "sleeper"])).status, 1);
  });

  test("-m 8m with a hog ends in 137 and OOMKilled", async () => {
    const r = await d.docker(["run", "--name", "hog", "-m", "8m", "busybox", "sh", "-c", "x=a; while true; do x=$x$x; done"], { timeoutMs: 120_000 });
    assert.equal(r.status, 137, r.stderr);
    const s = await d.docker(["inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "hog"]);
    assert.equal(s.stdout.trim(), "true 137");
  });

  test("two containers talk over the bridge", async () => {
    await d.docker(["run", "-d", "--name", "server", "busybox", "httpd", "-f", "-p", "8000", "-h", "/etc"]);
    const ip = (await d.docker(["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "server"])).stdout.trim();
    assert.match(ip, /^172\.17\.0\.\d+$/);
    const r = await d.docker(["run", "--rm", "busybox", "wget", "-qO-", `http://${ip}:8000/passwd`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^root:x:0:0:/);
  });

  test("a user network resolves peers by name", async () => {
    assert.equal((await d.docker(["network", "create", "appnet"])).status, 0);
    await d.docker(["run", "-d", "--name", "web", "--network", "appnet", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc"]);
    const r = await d.docker(["run", "--rm", "--network", "appnet", "busybox", "wget", "-qO-", "http://web/hostname"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.trim().length > 0);
  });

  test("-p 8080:80 docker/getting-started serves its page to the guest and to the host side", async () => {
    const run = await d.docker(["run", "-d", "-p", "8080:80", "docker/getting-started"]);
    assert.equal(run.status, 0, run.stderr);
    const ports = await d.docker(["port", run.stdout.trim()]);
    assert.match(ports.stdout, /80\/tcp -> 0\.0\.0\.0:8080/);
    let page = "";
    for (let i = 0; i < 20 && !page.includes("<html"); i++) page = await host("wget -qO- http://127.0.0.1:8080/ 2>&1");
    assert.match(page, /<html/i);
    const agent = d.running.daemon.engine.agent() as unknown as { dial(host: string, port: number): Promise<import("../../worker/link/agent-api.ts").Duplex> };
    const conn = await agent.dial("127.0.0.1", 8080);
    conn.write(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: x\r\n\r\n"));
    const reader = conn.readable.getReader();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.match(text, /^HTTP\/1\.[01] 200/);
    assert.match(text, /<html/i);
  });

  test("a port already taken is refused and leaves nothing behind", async () => {
    const before = await leftovers();
    const r = await d.docker(["run", "-d", "--name", "clash", "-p", "8080:80", "busybox", "sleep", "30"]);
    assert.equal(r.status, 125);
    assert.match(r.stderr, /port is already allocated/);
    assert.equal(await leftovers(), before);
    await d.docker(["rm", "-f", "clash"]);
  });

  /** An image with test/helpers/udp-echo.c: the busybox image has no UDP tool. */
  let udpEchoImage: Promise<void> | undefined;
  const buildUdpEcho = () =>
    (udpEchoImage ??= (async () => {
      const ctx = mkdtempSync(join(tmpdir(), "udp-echo-"));
      try {
        const src = fileURLToPath(new URL("../helpers/udp-echo.c", import.meta.url));
        await promisify(execFile)("gcc", ["-Wall", "-Werror", "-m32", "-static", "-Os", "-s", "-o", join(ctx, "udp-echo"), src]);
        writeFileSync(join(ctx, "Dockerfile"), "FROM busybox\nCOPY udp-echo /bin/udp-echo\n");
        const r = await d.docker(["build", "-q", "-t", "udp-echo", ctx]);
        assert.equal(r.status, 0, r.stderr);
      } finally {
        rmSync(ctx, { recursive: true, force: true });
      }
    })());
  /** Starts a UDP echo server published as `-p <spec>`, once it listens. */
  const runUdpEcho = async (name: string, ...args: string[]) => {
    const run = await d.docker(["run", "-d", "--name", name, ...args]);
    assert.equal(run.status, 0, run.stderr);
    for (let i = 0; i < 50 && !(await d.docker(["logs", name])).stdout.includes("listening"); i++) await new Promise((r) => setTimeout(r, 100));
  };
  /** The proxy's sockets in the guest for a udp port: its listener and its flows to the container. */
  const udpSockets = async (hostPort: number, ip: string) => {
    const out = await host("netstat -uan");
    return { listening: out.includes(`0.0.0.0:${hostPort} `), flows: out.split("\n").filter((l) => l.includes(` ${ip}:53 `)).length };
  };

  test("-p 5353:53/udp echoes datagrams through the proxy, one flow per client, beside -p 5353:53 (tcp)", async () => {
    await buildUdpEcho();
    await runUdpEcho("udpecho", "-p", "5353:53/udp", "-p", "5353:53", "udp-echo", "sh", "-c", "httpd -p 53 -h /etc && exec udp-echo serve 53");
    const ports = await d.docker(["port", "udpecho"]);
    assert.match(ports.stdout, /^53\/udp -> 0\.0\.0\.0:5353$/m);
    assert.match(ports.stdout, /^53\/tcp -> 0\.0\.0\.0:5353$/m);
    assert.equal((await d.docker(["port", "udpecho", "53/udp"])).stdout, "0.0.0.0:5353\n");
    const ps = await d.docker(["ps", "--filter", "name=udpecho", "--format", "{{.Ports}}"]);
    assert.match(ps.stdout, /0\.0\.0\.0:5353->53\/udp/);
    assert.match(ps.stdout, /0\.0\.0\.0:5353->53\/tcp/);
    const insp = await d.docker(["inspect", "-f", "{{json .NetworkSettings.Ports}}", "udpecho"]);
    assert.deepEqual(JSON.parse(insp.stdout)["53/udp"], [{ HostIp: "0.0.0.0", HostPort: "5353" }]);

    // From the Docker host (a client in the guest's own netns): two clients at once, each answered.
    const echo = await d.docker(["run", "--rm", "--network", "host", "udp-echo", "udp-echo", "send", "127.0.0.1", "5353", "ping", "pong"]);
    assert.equal(echo.status, 0, echo.stderr);
    assert.equal(echo.stdout, "ping -> ping\npong -> pong\n");
    // The largest datagram IPv4 carries comes back whole.
    const big = await d.docker(["run", "--rm", "--network", "host", "udp-echo", "udp-echo", "size", "127.0.0.1", "5353", "65507"]);
    assert.equal(big.stdout, "sent 65507, got 65507, intact yes\n", big.stderr);
    const ip = (await d.docker(["inspect", "-f", "{{.NetworkSettings.IPAddress}}", "udpecho"])).stdout.trim();
    assert.deepEqual(await udpSockets(5353, ip), { listening: true, flows: 3 });
    // The tcp binding of the same port number is its own.
    assert.match(await host("wget -qO- http://127.0.0.1:5353/hostname 2>&1"), /^[0-9a-f]{12}$/m);

    // Removing the container closes the listener and every flow: the port is free for another.
    assert.equal((await d.docker(["rm", "-f", "udpecho"])).status, 0);
    assert.deepEqual(await udpSockets(5353, ip), { listening: false, flows: 0 });
    await runUdpEcho("udpecho2", "-p", "5353:53/udp", "udp-echo", "udp-echo", "serve", "53");
    const again = await d.docker(["run", "--rm", "--network", "host", "udp-echo", "udp-echo", "send", "127.0.0.1", "5353", "again"]);
    assert.equal(again.stdout, "again -> again\n", again.stderr);
    // The address came back to a new container with Docker's MAC for it, so the guest's ARP
    // cache stayed right (with a random MAC the datagram above went to the gone veth).
    const again2 = (await d.docker(["inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}}", "udpecho2"])).stdout.trim().split(" ");
    assert.equal(again2[1], ["02", "42", ...again2[0].split(".").map((x) => Number(x).toString(16).padStart(2, "0"))].join(":"));
    assert.match(await d.docker(["exec", "udpecho2", "cat", "/sys/class/net/eth0/address"]).then((r) => r.stdout), new RegExp(`^${again2[1]}$`, "m"));
  });

  test("a udp port already taken is refused with Docker's words", async () => {
    await buildUdpEcho();
    await runUdpEcho("udpholder", "--network", "host", "udp-echo", "udp-echo", "serve", "5354");
    const before = await leftovers();
    // Held by a container of ours (udpecho2 above): the port allocator's refusal.
    const r = await d.docker(["run", "-d", "--name", "udpclash", "-p", "5353:53/udp", "busybox", "sleep", "30"]);
    assert.equal(r.status, 125);
    assert.match(r.stderr, /driver failed programming external connectivity on endpoint udpclash \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:5353 failed: port is already allocated/);
    // Held by something else on the host (a process in its netns): the userland proxy cannot bind it.
    const r2 = await d.docker(["run", "-d", "--name", "udpclash2", "-p", "5354:53/udp", "busybox", "sleep", "30"]);
    assert.equal(r2.status, 125);
    assert.match(r2.stderr, /driver failed programming external connectivity on endpoint udpclash2 \([0-9a-f]{64}\): Error starting userland proxy: listen udp4 0\.0\.0\.0:5354: bind: address already in use/);
    assert.equal(await leftovers(), before);
    await d.docker(["rm", "-f", "udpclash", "udpclash2", "udpholder", "udpecho2"]);
  });

  test("docker stats reads the cgroup: CPU of a busy loop, the memory limit, pids; a stopped container reads as zeros", async () => {
    assert.equal((await d.docker(["run", "-d", "--name", "busy", "-m", "32m", "--pids-limit", "50", "busybox", "sh", "-c", "while :; do :; done"])).status, 0);
    try {
      const r = await d.docker(["stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}", "busy"]);
      assert.equal(r.status, 0, r.stderr);
      const m = /^busy (\d+\.\d+)% ([\d.]+)(B|KiB|MiB) \/ 32MiB 1$/m.exec(r.stdout);
      assert.ok(m, r.stdout);
      assert.ok(Number(m[1]) > 20, `a busy loop at ${m[1]}% CPU`);
      // The stream: one object a second, each with the one before it for the CPU delta.
      const api = await d.api("GET", "/containers/busy/stats?stream=0");
      const s = JSON.parse(api.text);
      assert.equal(s.name, "/busy");
      assert.equal(s.memory_stats.limit, 32 * 1024 * 1024);
      assert.equal(s.pids_stats.limit, 50);
      assert.ok(s.cpu_stats.cpu_usage.total_usage > s.precpu_stats.cpu_usage.total_usage);
      assert.ok(s.cpu_stats.system_cpu_usage > s.precpu_stats.system_cpu_usage);
    } finally {
      await d.docker(["rm", "-f", "busy"]);
    }
    assert.equal((await d.docker(["create", "--name", "still", "busybox", "true"])).status, 0);
    const still = await d.docker(["stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}", "still"]);
    assert.equal(still.stdout, "still 0.00% 0B / 0B 0\n", still.stderr);
    await d.docker(["rm", "still"]);
  });

  test("--restart: on-failure up to its count, always until docker stop, and Docker's refusals", async () => {
    const inspect = async (name: string) => (await d.docker(["inspect", "-f", "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}", name])).stdout.trim();
    const until = async (what: () => Promise<boolean>, ms: number) => {
      for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 200))) if (await what()) return true;
      return false;
    };
    assert.equal((await d.docker(["run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 3"])).status, 0);
    assert.ok(await until(async () => (await inspect("flaky")) === "2 exited 3", 15_000), await inspect("flaky"));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await inspect("flaky"), "2 exited 3", "no third restart");

    assert.equal((await d.docker(["run", "-d", "--name", "loop", "--restart", "always", "busybox", "sh", "-c", "sleep 0.3; exit 1"])).status, 0);
    assert.ok(await until(async () => Number((await inspect("loop")).split(" ")[0]) >= 2, 15_000), await inspect("loop"));
    // docker ps lists it whether it is up or waiting to restart, as Docker does.
    assert.match((await d.docker(["ps", "--filter", "name=loop", "--format", "{{.Status}}"])).stdout, /^(Up .*|Restarting \(1\) .* ago)$/m);
    assert.equal((await d.docker(["stop", "-t", "1", "loop"])).status, 0);
    const stopped = await inspect("loop");
    assert.match(stopped, / exited /);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await inspect("loop"), stopped, "docker stop keeps it stopped");
    await d.docker(["rm", "-f", "flaky", "loop"]);

    const rm = await d.api("POST", "/containers/create", { Image: "busybox", HostConfig: { AutoRemove: true, RestartPolicy: { Name: "always" } } });
    assert.equal(rm.status, 400);
    assert.equal(JSON.parse(rm.text).message, "can't create 'AutoRemove' container with restart policy");
    const bad = await d.api("POST", "/containers/create", { Image: "busybox", HostConfig: { RestartPolicy: { Name: "sometimes" } } });
    assert.equal(JSON.parse(bad.text).message, "invalid restart policy 'sometimes'");
  });

  test("--mount (volume, tmpfs), --tmpfs and -v /path make the mounts Docker makes; docker diff lists the changes", async () => {
    const w = await d.docker(["run", "--rm", "--mount", "type=volume,source=mvol,target=/v", "busybox", "sh", "-c", "echo kept > /v/f"]);
    assert.equal(w.status, 0, w.stderr);
    assert.equal((await d.docker(["run", "--rm", "--mount", "source=mvol,target=/w,readonly", "busybox", "cat", "/w/f"])).stdout, "kept\n");
    assert.match((await d.docker(["run", "--rm", "--mount", "source=mvol,target=/w,readonly", "busybox", "touch", "/w/g"])).stderr, /Read-only file system/);
    const t = await d.docker(["run", "--rm", "--mount", "type=tmpfs,target=/scratch,tmpfs-size=1048576", "busybox", "sh", "-c", "df -k /scratch | tail -1"]);
    assert.match(t.stdout, /^tmpfs\s+1024\s/, t.stderr);
    assert.equal((await d.docker(["run", "--rm", "--read-only", "--tmpfs", "/run", "busybox", "sh", "-c", "touch /run/x && echo ok"])).stdout, "ok\n");

    assert.equal((await d.docker(["run", "--name", "anon", "-v", "/data", "busybox", "sh", "-c", "touch /tmp/x; rm /bin/ls"])).status, 0);
    assert.equal((await d.docker(["inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Destination}}{{end}}", "anon"])).stdout, "volume /data\n");
    // The order is ours (sorted); Docker's is its directory walk's.
    assert.equal((await d.docker(["diff", "anon"])).stdout, "C /bin\nD /bin/ls\nA /data\nC /tmp\nA /tmp/x\n");
    await d.docker(["rm", "-v", "anon"]);
    await d.docker(["volume", "rm", "mvol"]);
  });

  test("docker update writes new limits to a running container's cgroup and keeps them", async () => {
    assert.equal((await d.docker(["run", "-d", "--name", "upd", "busybox", "sleep", "300"])).status, 0);
    try {
      const u = await d.docker(["update", "--memory", "32m", "--memory-swap", "32m", "--pids-limit", "20", "--cpus", "0.5", "--restart", "on-failure:3", "upd"]);
      assert.equal(u.status, 0, u.stderr);
      assert.equal(u.stdout, "upd\n");
      const cg = await d.docker(["exec", "upd", "cat", "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/cpu.max"]);
      assert.equal(cg.stdout, "33554432\n20\n50000 100000\n", cg.stderr);
      assert.equal((await d.docker(["inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "upd"])).stdout, "33554432 20 500000000 on-failure:3\n");
      const small = await d.docker(["update", "--memory", "1m", "upd"]);
      assert.notEqual(small.status, 0);
      assert.match(small.stderr, /Minimum memory limit allowed is 6MB/);
      // Kept for the next run.
      assert.equal((await d.docker(["restart", "-t", "0", "upd"])).status, 0);
      assert.equal((await d.docker(["exec", "upd", "cat", "/sys/fs/cgroup/pids.max"])).stdout, "20\n");
    } finally {
      await d.docker(["rm", "-f", "upd"]);
    }
  });

  test("docker network connect gives a running container one more interface, its peers' names, and keeps it across a restart", async () => {
    for (const n of ["netA", "netB"]) assert.equal((await d.docker(["network", "create", n])).status, 0);
    try {
      assert.equal((await d.docker(["run", "-d", "--name", "ca", "--network", "netA", "busybox", "sleep", "300"])).status, 0);
      assert.equal((await d.docker(["run", "-d", "--name", "cb", "--network", "netB", "busybox", "sleep", "300"])).status, 0);
      const ping = async () => (await d.docker(["exec", "ca", "ping", "-c", "1", "-W", "2", "cb"])).status;
      assert.notEqual(await ping(), 0, "on different networks, ca cannot reach cb");
      const c = await d.docker(["network", "connect", "netB", "ca"]);
      assert.equal(c.status, 0, c.stderr);
      assert.equal(await ping(), 0, "connected to netB, ca reaches cb by name");
      const ipB = (await d.docker(["inspect", "-f", "{{.NetworkSettings.Networks.netB.IPAddress}}", "ca"])).stdout.trim();
      assert.match(ipB, /^172\.\d+\.0\.\d+$/);
      assert.match((await d.docker(["exec", "ca", "ip", "-o", "-4", "addr", "show", "eth1"])).stdout, new RegExp(`inet ${ipB.replace(/\./g, "\\.")}/16`));
      assert.equal((await d.docker(["network", "inspect", "-f", "{{len .Containers}}", "netB"])).stdout, "2\n");
      const again = await d.docker(["network", "connect", "netB", "ca"]);
      assert.match(again.stderr, /endpoint with name ca already exists in network netB/);
      // A restart joins it again.
      assert.equal((await d.docker(["restart", "-t", "0", "ca"])).status, 0);
      assert.equal(await ping(), 0, "after a restart ca is on netB again");
      const off = await d.docker(["network", "disconnect", "netB", "ca"]);
      assert.equal(off.status, 0, off.stderr);
      assert.notEqual(await ping(), 0, "disconnected, ca cannot reach cb");
      assert.notEqual((await d.docker(["exec", "ca", "ip", "link", "show", "eth1"])).status, 0);
      assert.match((await d.docker(["network", "disconnect", "netB", "ca"])).stderr, /is not connected to network netB/);
    } finally {
      await d.docker(["rm", "-f", "ca", "cb"]);
      await d.docker(["network", "rm", "netA", "netB"]);
    }
  });

  test("--read-only makes the root file system read-only", async () => {
    const r = await d.docker(["run", "--rm", "--read-only", "busybox", "touch", "/x"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /touch: \/x: Read-only file system/);
    // /etc/hosts and friends are bind mounts of their own, as in Docker.
    assert.equal((await d.docker(["run", "--rm", "--read-only", "busybox", "sh", "-c", "echo 1.2.3.4 x >> /etc/hosts && echo ok"])).stdout, "ok\n");
  });

  test("a volume shared by two containers", async () => {
    assert.equal((await d.docker(["run", "--rm", "-v", "shared:/data", "busybox", "sh", "-c", "echo kept > /data/f"])).status, 0);
    const r = await d.docker(["run", "--rm", "-v", "shared:/data", "busybox", "cat", "/data/f"]);
    assert.equal(r.stdout, "kept\n");
    const ls = await d.docker(["volume", "ls", "--format", "{{.Name}}"]);
    assert.ok(ls.stdout.split("\n").includes("shared"));
  });

  test("a name already in use is refused", async () => {
    await d.docker(["create", "--name", "taken", "busybox"]);
    const r = await d.docker(["create", "--name", "taken", "busybox"]);
    // docker create exits 1 here (docker run would exit 125), as the real CLI does.
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Conflict\. The container name "\/taken" is already in use by container "[0-9a-f]{64}"/);
  });

  test("a container that fails to start leaves no mount, cgroup or veth behind", async () => {
    const before = await leftovers();
    const r = await d.docker(["run", "--name", "broken", "busybox", "/no/such/program"]);
    assert.equal(r.status, 127);
    assert.equal(await leftovers(), before);
    const s = await d.docker(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "broken"]);
    assert.equal(s.stdout.trim(), "created 127");
  });

  test("pause freezes every process, ps says (Paused), unpause resumes; Docker's words for the wrong state", async () => {
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const run = await d.docker(["run", "-d", "--network", "none", "--name", "frozen", "busybox", "sh", "-c", "while true; do echo x >> /tmp/count; sleep 0.2; done"]);
    assert.equal(run.status, 0, run.stderr);
    const id = run.stdout.trim();
    const count = async () => Number((await d.docker(["exec", "frozen", "sh", "-c", "wc -l < /tmp/count"])).stdout.trim());
    await waitUntil(async () => (await count()) > 0);
    assert.equal((await d.docker(["pause", "frozen"])).stdout, "frozen\n");
    const ps = await d.docker(["ps", "--filter", "name=frozen", "--format", "{{.Status}}|{{.State}}"]);
    assert.match(ps.stdout, /^Up .* \(Paused\)\|paused\n$/);
    const st = await d.docker(["inspect", "-f", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}", "frozen"]);
    assert.equal(st.stdout, "paused true true\n");
    // Frozen: the file stops growing. Read it from the guest: exec into a paused container is refused.
    const lines = async () => Number(await host(`wc -l < /var/lib/slipway/containers/${id}/upper/tmp/count`));
    const before = await lines();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await lines(), before, "a paused container went on writing");
    const ex = await d.docker(["exec", "frozen", "true"]);
    assert.equal(ex.status, 1);
    assert.equal(ex.stderr, "Error response from daemon: Container frozen is paused, unpause the container before exec\n");
    const again = await d.docker(["pause", "frozen"]);
    assert.equal(again.stderr, `Error response from daemon: Container ${id} is already paused\n`);
    const rm = await d.docker(["rm", "frozen"]);
    assert.equal(rm.stderr, `Error response from daemon: You cannot remove a paused container ${id}. Unpause and then stop the container before attempting removal or force remove\n`);
    assert.equal((await d.docker(["unpause", "frozen"])).stdout, "frozen\n");
    await waitUntil(async () => (await lines()) > before);
    const not = await d.docker(["unpause", "frozen"]);
    assert.equal(not.stderr, `Error response from daemon: Container ${id} is not paused\n`);
    assert.equal((await d.docker(["inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "frozen"])).stdout, "running false\n");
    const ev = await d.docker(["events", "--since", String(t0), "--until", String(Math.ceil(Date.now() / 1000) + 1), "--filter", "container=frozen", "--filter", "event=pause", "--filter", "event=unpause", "--format", "{{.Action}}"]);
    assert.equal(ev.stdout, "pause\nunpause\n");
    assert.equal((await d.docker(["pause", "frozen"])).status, 0);
    const rmf = await d.docker(["rm", "-f", "frozen"]);
    assert.equal(rmf.status, 0, rmf.stderr);
    assert.equal((await d.docker(["ps", "-aq", "--filter", "name=frozen"])).stdout, "");
  });

  test("stop and kill of a paused container, and pause of a stopped one, as Docker does them", async () => {
    const created = await d.docker(["create", "--network", "none", "--name", "idle", "busybox", "sleep", "1000"]);
    const id = created.stdout.trim();
    assert.equal((await d.docker(["pause", "idle"])).stderr, `Error response from daemon: Container ${id} is not running\n`);
    assert.equal((await d.docker(["unpause", "idle"])).stderr, `Error response from daemon: Container ${id} is not paused\n`);
    assert.equal((await d.docker(["pause", "nope"])).stderr, "Error response from daemon: No such container: nope\n");
    await d.docker(["start", "idle"]);
    await d.docker(["pause", "idle"]);
    // SIGTERM waits, frozen, until the timeout's SIGKILL: 137, as under dockerd.
    assert.equal((await d.docker(["stop", "-t", "1", "idle"])).status, 0);
    assert.equal((await d.docker(["inspect", "-f", "{{.State.Status}} {{.State.Paused}} {{.State.ExitCode}}", "idle"])).stdout, "exited false 137\n");
    await d.docker(["start", "idle"]);
    await d.docker(["pause", "idle"]);
    assert.equal((await d.docker(["kill", "idle"])).status, 0);
    await waitUntil(async () => (await d.docker(["inspect", "-f", "{{.State.Status}}", "idle"])).stdout === "exited\n");
    assert.equal((await d.docker(["inspect", "-f", "{{.State.Status}} {{.State.Paused}} {{.State.ExitCode}}", "idle"])).stdout, "exited false 137\n");
    await d.docker(["start", "idle"]);
    assert.equal((await d.docker(["exec", "idle", "echo", "alive"])).stdout, "alive\n");
    await d.docker(["rm", "-f", "idle"]);
  });
});

async function waitUntil(ok: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 200));
  }
}

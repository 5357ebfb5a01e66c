// nsrun, the guest's OCI runtime, run for real in the guest: bundles made from
// the guest's own busybox (see nsrun-lib.sh), one guest boot for the whole file.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { startGuest, type TestGuest } from "../helpers/guest.ts";

const lib = readFileSync(new URL("./nsrun-lib.sh", import.meta.url), "utf8");

describe("nsrun in the guest", () => {
  let guest: TestGuest;
  /** Run a command with the helpers loaded; resolves to output and status. */
  const ns = (command: string, timeoutMs = 120_000) => guest.exec(`. /tmp/nsrun-lib.sh; ${command}`, timeoutMs);
  /** Same, but fail unless it exits 0. */
  const ok = async (command: string, timeoutMs?: number) => {
    const r = await ns(command, timeoutMs);
    assert.equal(r.status, 0, `\`${command}\` exited ${r.status}:\n${r.output}`);
    return r.output;
  };

  before(async () => {
    guest = await startGuest();
    await guest.sh(`cat > /tmp/nsrun-lib.sh <<'NSRUN_LIB_EOF'\n${lib}NSRUN_LIB_EOF\n. /tmp/nsrun-lib.sh`);
  });
  after(() => guest?.stop());

  test("every verb has --help", async () => {
    for (const verb of ["spec", "create", "start", "run", "state", "kill", "delete", "exec", "ps", "list", "update", "pause", "resume"]) {
      const out = await ok(`nsrun ${verb} --help`);
      assert.match(out, new RegExp(`^Usage: nsrun ${verb}`), verb);
    }
    assert.match(await ok("nsrun --help"), /Commands:/);
  });

  test("spec writes a config.json that runs as it is, apart from the terminal", async () => {
    const out = await ok(
      `rm -rf /tmp/spec && mkdir -p /tmp/spec && cd /tmp/spec && ln -s $R rootfs && nsrun spec && ` +
        `sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"hostname"/' config.json && nsrun run spec1`,
    );
    assert.equal(out, "nsrun\n");
    assert.match((await ns("cd /tmp/spec && nsrun spec")).output, /config\.json exists already/);
  });

  test("the first process is pid 1 of its own namespace", async () => {
    assert.equal(await ok(`mkb /tmp/c-pid '["sh","-c","echo $$"]' && nsrun run -b /tmp/c-pid pid`), "1\n");
  });

  test("hostname is isolated both ways", async () => {
    const out = await ok(
      `mkb /tmp/c-uts '["sh","-c","hostname; hostname changed-inside; hostname"]' && nsrun run -b /tmp/c-uts uts && hostname`,
    );
    assert.equal(out, "ctr\nchanged-inside\ndocker-host\n");
  });

  test("host mounts and processes are out of sight", async () => {
    const out = await ok(
      `touch /tmp/host-only-file; mkb /tmp/c-see '["sh","-c","cat /proc/mounts; echo ---; cd /proc && echo [0-9]*; echo ---; ls /tmp/host-only-file"]' && ` +
        `nsrun run -b /tmp/c-see see; true`,
    );
    const [mounts, pids, rest] = out.split("---\n");
    assert.doesNotMatch(mounts, /9p|\/mnt\/host|\/run /, mounts);
    assert.match(mounts, /^\S+ \/ /m);
    assert.equal(pids.trim(), "1", "only the container's own sh in its /proc");
    assert.match(rest, /No such file/);
  });

  test("the network namespace has only loopback", async () => {
    const out = await ok(`mkb /tmp/c-net '["ip","-o","link"]' && nsrun run -b /tmp/c-net net`);
    const links = out.trim().split("\n").map((l) => l.split(":")[1].trim().replace(/@.*/, ""));
    assert.deepEqual(links, ["lo"], out);
  });

  test("env, cwd and uid/gid are applied", async () => {
    const out = await ok(
      `UIDGID="1000 1001" CWD=/tmp ENVX=',"GREETING=hello"' mkb /tmp/c-env '["sh","-c","echo $GREETING; pwd; id -u; id -g"]' && nsrun run -b /tmp/c-env env`,
    );
    assert.equal(out, "hello\n/tmp\n1000\n1001\n");
  });

  test("a read-only root refuses writes; /dev/shm still takes them", async () => {
    const r = await ns(`RO=true mkb /tmp/c-ro '["sh","-c","touch /dev/shm/ok && echo shm-ok; touch /x"]' && nsrun run -b /tmp/c-ro ro`);
    assert.notEqual(r.status, 0);
    assert.match(r.output, /shm-ok\n/);
    assert.match(r.output, /Read-only file system/);
  });

  test("exit statuses follow Docker: 0, 3, 126, 127, 137", async () => {
    const run = (name: string, args: string) => ns(`mkb /tmp/c-${name} '${args}' && nsrun run -b /tmp/c-${name} ${name}`);
    assert.equal((await run("ok", '["true"]')).status, 0);
    assert.equal((await run("three", '["sh","-c","exit 3"]')).status, 3);
    const noexec = await run("noexec", '["/notexec"]');
    assert.equal(noexec.status, 126, noexec.output);
    assert.match(noexec.output, /permission denied/i);
    const missing = await run("missing", '["no-such-program"]');
    assert.equal(missing.status, 127, missing.output);
    assert.match(missing.output, /executable file not found/);
    const killed = await ns(
      `mkb /tmp/c-k '["sleep","1000"]' && { nsrun run -b /tmp/c-k k137 & } && wait_status k137 running >/dev/null && nsrun kill k137 KILL; wait $!; echo status=$?`,
    );
    assert.match(killed.output, /status=137/);
  });

  test("create, start, kill: created -> running -> stopped, then delete", async () => {
    const out = await ok(
      `mkb /tmp/c-life '["sleep","1000"]' && nsrun create -b /tmp/c-life life && status life && ` +
        `nsrun start life && status life && nsrun list | grep -c '^life ' && ` +
        `nsrun kill life KILL && wait_status life stopped && nsrun state life | grep -E 'exitStatus|oomKilled' && ` +
        `nsrun delete life && ls /run/nsrun; ls /sys/fs/cgroup/nsrun | grep -c life; true`,
    );
    assert.equal(out, 'created\nrunning\n1\nstopped\n\t"exitStatus": 137,\n\t"oomKilled": false\n0\n');
  });

  test("update writes new limits to a running container's cgroup; pause freezes it and resume thaws it", async () => {
    const out = await ok(
      `mkb /tmp/c-upd '["sh","-c","while :; do echo x >> /tmp/ticks; sleep 0.05; done"]' && nsrun run -d -b /tmp/c-upd upd && ` +
        `nsrun update --memory 33554432 --memory-swap 33554432 --pids-limit 20 --cpu-quota 50000 --cpu-period 100000 upd && ` +
        `cat /sys/fs/cgroup/nsrun/upd/memory.max /sys/fs/cgroup/nsrun/upd/pids.max /sys/fs/cgroup/nsrun/upd/cpu.max && ` +
        `nsrun pause upd && grep frozen /sys/fs/cgroup/nsrun/upd/cgroup.events && a=$(wc -l < $R/tmp/ticks) && sleep 0.5 && b=$(wc -l < $R/tmp/ticks) && ` +
        `[ "$a" = "$b" ] && echo still && nsrun resume upd && grep frozen /sys/fs/cgroup/nsrun/upd/cgroup.events && sleep 0.5 && ` +
        `[ "$(wc -l < $R/tmp/ticks)" -gt "$b" ] && echo moving; nsrun delete --force upd; rm -f $R/tmp/ticks; ` +
        `nsrun update --memory x upd; echo rc=$?`,
    );
    assert.equal(out, '33554432\n20\n50000 100000\nfrozen 1\nstill\nfrozen 0\nmoving\nnsrun: --memory: not a number: x\nrc=1\n');
  });

  test("delete refuses a running container unless forced", async () => {
    const out = await ns(
      `mkb /tmp/c-del '["sleep","1000"]' && nsrun run -d -b /tmp/c-del del && nsrun delete del; echo rc=$?; nsrun delete --force del && echo gone && ls /run/nsrun`,
    );
    assert.match(out.output, /cannot delete container "del": it is running/);
    assert.match(out.output, /rc=1\ngone\n$/);
  });

  test("exec joins the container: its pid namespace, hostname, env and cgroup", async () => {
    const out = await ok(
      `mkb /tmp/c-exec '["sleep","1000"]' && nsrun run -d -b /tmp/c-exec ex && ` +
        `nsrun exec ex -- sh -c 'echo $$; cat /proc/1/cmdline; echo; hostname; echo $PATH; cat /proc/self/cgroup' && ` +
        `nsrun exec --env X=1 --cwd /tmp ex sh -c 'echo $X; pwd' && nsrun ps ex && nsrun delete -f ex`,
    );
    const lines = out.split("\n");
    assert.ok(Number(lines[0]) > 1 && Number(lines[0]) < 10, `pid inside: ${lines[0]}`);
    assert.equal(lines[1], "sleep\u00001000\u0000");
    assert.equal(lines[2], "ctr");
    assert.equal(lines[3], "/bin");
    assert.equal(lines[4], "0::/", "the cgroup namespace is rooted at the container's cgroup");
    assert.equal(lines[5], "1");
    assert.equal(lines[6], "/tmp");
    assert.match(out, /PID\s+NSPID\s+CMD\n\d+\s+1\s+sleep 1000\n/);
  });

  test("a fork bomb under pids.max is contained and the guest still answers", async () => {
    const out = await ok(
      `RES='{"pids":{"limit":20}}' mkb /tmp/c-bomb '["sh","-c","bomb() { bomb | bomb & }; bomb; sleep 1000"]' && ` +
        // The bomb's "can't fork" complaints go to a file, not into the output parsed here.
        `nsrun run -d -b /tmp/c-bomb bomb 2>/tmp/bomb.log && sleep 3 && cat /sys/fs/cgroup/nsrun/bomb/pids.max && ` +
        `cat /sys/fs/cgroup/nsrun/bomb/pids.current && grep max /sys/fs/cgroup/nsrun/bomb/pids.events && echo alive && ` +
        `nsrun delete -f bomb && ls /sys/fs/cgroup/nsrun | grep -c bomb; true`,
      180_000,
    );
    const [max, current, events, alive, left] = out.trim().split("\n");
    assert.equal(max, "20");
    assert.ok(Number(current) <= 20, `pids.current ${current}`);
    assert.ok(Number(events.split(" ")[1]) > 0, `pids.events: ${events}`);
    assert.equal(alive, "alive");
    assert.equal(left, "0");
  });

  test("a memory hog over memory.max is OOM-killed: 137, and oomKilled in state", async () => {
    const r = await ns(
      `RES='{"memory":{"limit":16777216}}' mkb /tmp/c-oom '["sh","-c","x=0123456789; while true; do x=$x$x; done"]' && ` +
        `nsrun run --keep -b /tmp/c-oom oom; echo status=$?; cat /sys/fs/cgroup/nsrun/oom/memory.max; nsrun state oom; nsrun delete oom`,
      180_000,
    );
    assert.match(r.output, /status=137\n/, r.output);
    assert.match(r.output, /the OOM killer killed a process/);
    assert.match(r.output, /\n16777216\n/);
    assert.match(r.output, /"status": "stopped"/);
    assert.match(r.output, /"exitStatus": 137/);
    assert.match(r.output, /"oomKilled": true/);
  });

  test("cpu quota/period and shares become cpu.max and cpu.weight, and throttle", async () => {
    const out = await ok(
      `RES='{"cpu":{"quota":10000,"period":100000,"shares":512}}' mkb /tmp/c-cpu '["sh","-c","while :; do :; done"]' && ` +
        `nsrun run -d -b /tmp/c-cpu cpu && sleep 2 && cat /sys/fs/cgroup/nsrun/cpu/cpu.max /sys/fs/cgroup/nsrun/cpu/cpu.weight && ` +
        `nsrun exec cpu cat /sys/fs/cgroup/cpu.max && grep nr_throttled /sys/fs/cgroup/nsrun/cpu/cpu.stat && nsrun delete -f cpu`,
    );
    const [max, weight, inside, throttled] = out.trim().split("\n");
    assert.equal(max, "10000 100000");
    assert.equal(weight, "20"); // 1 + (512 - 2) * 9999 / 262142
    assert.equal(inside, "10000 100000");
    assert.ok(Number(throttled.split(" ")[1]) > 0, throttled);
  });

  test("a terminal: run attaches it, the container sees /dev/pts/0", async () => {
    const out = await ok(`TTY=true mkb /tmp/c-tty '["sh","-c","tty; echo $TERM-x"]' && nsrun run -b /tmp/c-tty tty </dev/null`);
    assert.match(out, /^\/dev\/pts\/0\r?\n-x\r?\n$/);
  });

  test("exec -t gives the command a terminal of its own", async () => {
    const out = await ok(
      `mkb /tmp/c-ext '["sleep","1000"]' && nsrun run -d -b /tmp/c-ext ext && nsrun exec -t ext sh -c 'tty; echo in-tty' </dev/null; nsrun delete -f ext`,
    );
    assert.match(out, /^\/dev\/pts\/0\r?\nin-tty\r?\n$/);
  });

  test("a user namespace maps the container's root to an unprivileged host uid", async () => {
    const out = await ok(
      `mkb /tmp/c-user '["sh","-c","id -u; cat /proc/self/uid_map; hostname"]' && sed -i ` +
        `'s/{ "type": "cgroup" }/{ "type": "cgroup" }, { "type": "user" }/; s/"resources": {}/"resources": {}, ` +
        `"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}], "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]/' ` +
        `/tmp/c-user/config.json && nsrun run -b /tmp/c-user user`,
    );
    assert.match(out, /^0\n\s+0\s+100000\s+65536\nctr\n$/);
  });

  test("bind mounts, a joined network namespace (linux.namespaces[].path) and linux.cgroupsPath", async () => {
    const out = await ok(
      String.raw`mkdir -p /tmp/share && echo shared-data > /tmp/share/f && ` +
        String.raw`mkb /tmp/c-n1 '["sh","-c","ip link set lo up; sleep 1000"]' && nsrun run -d -b /tmp/c-n1 n1 && sleep 1 && ` +
        String.raw`pid=$(nsrun state n1 | sed -n 's/.*"pid": \([0-9]*\),/\1/p') && ` +
        String.raw`MOUNTX=',{"destination":"/data","type":"bind","source":"/tmp/share","options":["rbind","ro"]}' CGPATH=/mygroup/c2 ` +
        String.raw`NETNS="{ \"type\": \"network\", \"path\": \"/proc/$pid/ns/net\" }" mkb /tmp/c-n2 '["sleep","1000"]' && ` +
        String.raw`nsrun run -d -b /tmp/c-n2 n2 && nsrun exec n2 sh -c 'cat /data/f; touch /data/x 2>&1; ip -o link show lo' && ` +
        String.raw`wc -l < /sys/fs/cgroup/mygroup/c2/cgroup.procs && nsrun delete -f n2 && nsrun delete -f n1 && ls /sys/fs/cgroup/mygroup`,
    );
    const lines = out.trim().split("\n");
    assert.equal(lines[0], "shared-data");
    assert.match(lines[1], /Read-only file system/);
    assert.match(lines[2], /^1: lo: <LOOPBACK,UP,LOWER_UP>/, "lo is up: the namespace n1 set up");
    assert.equal(lines[3], "1", "n2's process is in /sys/fs/cgroup/mygroup/c2");
    assert.doesNotMatch(out, /c2/, "c2 is gone after delete");
  });

  test("a bad config.json creates nothing and names the field", async () => {
    const bad = await ns(
      `mkb /tmp/c-bad '["true"]' && sed -i 's/"type": "ipc"/"type": "ipx"/' /tmp/c-bad/config.json && nsrun create -b /tmp/c-bad bad; echo rc=$?; ls /run/nsrun; ls /sys/fs/cgroup/nsrun | grep -c bad`,
    );
    assert.match(bad.output, /linux\.namespaces\[2\]\.type: unknown namespace type "ipx"/);
    assert.match(bad.output, /rc=1\n0\n$/);
    const mount = await ns(
      `mkb /tmp/c-badm '["true"]' && sed -i 's/"type": "sysfs"/"type": "nosuchfs"/' /tmp/c-badm/config.json && nsrun run -b /tmp/c-badm badm; echo rc=$?; ls /run/nsrun; ls /sys/fs/cgroup/nsrun | grep -c badm`,
    );
    assert.match(mount.output, /nsrun: mount nosuchfs on \/tmp\/nsr\/rootfs\/sys: No such device/);
    assert.match(mount.output, /rc=1\n0\n$/);
  });

  test("100 create/start/delete cycles leave no mount, cgroup, process or state behind", async () => {
    const count = `echo "$(wc -l < /proc/self/mountinfo) $(ls /sys/fs/cgroup/nsrun | grep -vc '\\.') $(ls -d /proc/[0-9]* | wc -l) $(ls /run/nsrun | wc -l)"`;
    const out = await ok(
      `mkb /tmp/c-cyc '["true"]' && ${count} && i=0 && while [ $i -lt 100 ]; do ` +
        `nsrun create -b /tmp/c-cyc cyc$i && nsrun start cyc$i && nsrun delete -f cyc$i || exit 1; i=$((i + 1)); done && sleep 1 && ${count}`,
      600_000,
    );
    const [beforeCounts, afterCounts] = out.trim().split("\n");
    const [m0, c0, p0, s0] = beforeCounts.split(" ").map(Number);
    const [m1, c1, p1, s1] = afterCounts.split(" ").map(Number);
    assert.equal(m1, m0, "mounts");
    assert.equal(c1, c0, "cgroups");
    assert.equal(s1, s0, "state dirs");
    assert.ok(p1 <= p0 + 1, `processes: ${p0} before, ${p1} after`);
  });
});

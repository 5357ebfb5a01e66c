// The guest itself: the kernel and init give containers what they need.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { spawnSync } from "node:child_process";
import { startGuest, type TestGuest } from "../helpers/guest.ts";

describe("guest restored from the snapshot", () => {
  let guest: TestGuest;
  before(async () => {
    guest = await startGuest();
  });
  after(() => guest?.stop());

  test("restores, does not boot", () => {
    assert.equal(guest.machine.startedFrom, "snapshot", guest.notices.join("\n"));
  });

  test("runs Linux 6.1 on i686", async () => {
    const out = await guest.sh("uname -r; uname -m");
    assert.match(out, /^6\.1\.\d+\ni686\n$/);
  });

  test("has every namespace a container uses", async () => {
    const ns = (await guest.sh("ls /proc/self/ns")).split(/\s+/);
    for (const kind of ["cgroup", "ipc", "mnt", "net", "pid", "user", "uts"]) assert.ok(ns.includes(kind), `missing ${kind} in ${ns}`);
  });

  test("has overlayfs", async () => {
    assert.match(await guest.sh("cat /proc/filesystems"), /\toverlay\n/);
  });

  test("mounts cgroup2 with memory, pids and cpu for children", async () => {
    assert.equal(await guest.sh("awk '$2 == \"/sys/fs/cgroup\" {print $3}' /proc/mounts"), "cgroup2\n");
    const ctl = (await guest.sh("cat /sys/fs/cgroup/cgroup.subtree_control")).trim().split(" ");
    assert.deepEqual(ctl.sort(), ["cpu", "memory", "pids"]);
  });

  test("roots the system on a tmpfs, not rootfs, so pivot_root works", async () => {
    const root = await guest.sh("awk '$2 == \"/\" {print $1, $3}' /proc/mounts");
    assert.equal(root.trim(), "root tmpfs");
    // pivot_root into a fresh tmpfs in a private mount namespace: fails on rootfs.
    const out = await guest.sh(
      "unshare -m sh -c 'mount --make-rprivate / && mkdir -p /tmp/pr && mount -t tmpfs t /tmp/pr && mkdir /tmp/pr/old && cp /bin/busybox /tmp/pr/ && cd /tmp/pr && pivot_root . old && /busybox echo pivoted'",
    );
    assert.equal(out.trim(), "pivoted");
  });

  test("overlay mounts on tmpfs, whiteouts and all", async () => {
    const out = await guest.sh(
      "d=/tmp/ov; mkdir -p $d/l $d/u $d/w $d/m && echo a > $d/l/a && echo b > $d/l/b && mount -t overlay o -o lowerdir=$d/l,upperdir=$d/u,workdir=$d/w $d/m && rm $d/m/a && echo c > $d/m/c && ls -1 $d/m && stat -c %F $d/u/a && umount $d/m",
    );
    assert.equal(out, "b\nc\ncharacter special file\n");
  });

  test("passes the exit status through", async () => {
    assert.equal((await guest.exec("exit 7")).status, 7);
    assert.equal((await guest.exec("true")).status, 0);
    assert.equal((await guest.exec("no-such-command-here")).status, 127);
  });

  test("brings the network up", async () => {
    const out = await guest.sh("ip -4 addr show eth0; ip link show lo");
    assert.match(out, /inet 192\.168\.86\.100\/24/);
    assert.match(out, /lo: <LOOPBACK,UP/);
  });

  test("sleep really sleeps (COMPAT_32BIT_TIME)", async () => {
    const t = Date.now();
    await guest.sh("sleep 1");
    assert.ok(Date.now() - t >= 900, `sleep 1 took ${Date.now() - t} ms`);
  });
});

describe("guest booted cold", () => {
  test("reaches the prompt and runs a command", async () => {
    const guest = await startGuest({ cold: true });
    try {
      assert.equal(guest.machine.startedFrom, "cold");
      assert.equal(await guest.sh("echo $((6*7))"), "42\n");
    } finally {
      await guest.stop();
    }
  });
});

describe("the same guest under QEMU", () => {
  test("qemu-system-i386 boots the kernel and initramfs to the prompt", async () => {
    const { spawn } = await import("node:child_process");
    const { guestDir, loadGuestAssets } = await import("../../worker/node/guest-files.ts");
    const cmdline = loadGuestAssets().manifest.cmdline;
    const qemu = spawn("qemu-system-i386", ["-m", "256", "-nographic", "-no-reboot", "-kernel", `${guestDir}/bzImage`, "-initrd", `${guestDir}/initramfs.cpio.zst`, "-append", cmdline], { stdio: ["pipe", "pipe", "ignore"] });
    let out = "";
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no prompt from QEMU: ${out.slice(-500)}`)), 60_000);
        qemu.stdout.on("data", (d) => {
          out += d;
          if (out.includes("root@docker-host:") && !out.includes("SENT")) {
            out += "SENT";
            qemu.stdin.write("uname -m; cat /sys/fs/cgroup/cgroup.subtree_control\n");
          }
          if (/i686\r?\ncpu memory pids/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      qemu.kill("SIGKILL");
    }
  });
});

describe("slipway exec", () => {
  test("prints the output and exits with the command's status", () => {
    const r = spawnSync(process.execPath, ["bin/slipway.mjs", "exec", "--", "echo out; echo err >&2; exit 5"], { encoding: "utf8" });
    assert.equal(r.status, 5, r.stderr);
    assert.equal(r.stdout, "out\nerr\n");
  });

  test("refuses to run without a command", () => {
    const r = spawnSync(process.execPath, ["bin/slipway.mjs", "exec"], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Usage: slipway exec/);
  });
});

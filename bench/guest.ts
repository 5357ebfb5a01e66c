// Guest start-up in Node: cold boot to prompt, snapshot restore to first output,
// QEMU (TCG) booting the same kernel beside it, and what a first visit downloads.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { consoleExec } from "../worker/vm/console-exec.ts";
import { GuestMachine, PROMPT } from "../worker/vm/guest-machine.ts";
import { guestDir, loadGuestAssets, v86WasmPath } from "../worker/node/guest-files.ts";
import { median, mb, runs, secs } from "./_stats.ts";

const RUNS = 5;
const assets = loadGuestAssets();

async function coldBoot(): Promise<number> {
  const t = performance.now();
  const m = await GuestMachine.start(assets, { cold: true, wasmPath: v86WasmPath() });
  await m.waitForConsole(PROMPT, 60_000);
  const dt = performance.now() - t;
  await m.stop();
  return dt;
}

async function restoreToOutput(): Promise<number> {
  const t = performance.now();
  let notice = "";
  const m = await GuestMachine.start(assets, { wasmPath: v86WasmPath(), onNotice: (t) => (notice = t) });
  if (m.startedFrom !== "snapshot") throw new Error(`the snapshot was not restored: ${notice}`);
  await consoleExec(m, "echo hi");
  const dt = performance.now() - t;
  await m.stop();
  return dt;
}

function qemuBoot(): Promise<number> {
  const qemu = "/usr/bin/qemu-system-i386";
  if (spawnSync(qemu, ["--version"]).status !== 0) return Promise.resolve(NaN);
  return new Promise((resolve) => {
    const t = performance.now();
    const p = spawn(qemu, ["-m", "256", "-nographic", "-no-reboot", "-kernel", join(guestDir, "bzImage"), "-initrd", join(guestDir, "initramfs.cpio.zst"), "-append", assets.manifest.cmdline], { stdio: ["pipe", "pipe", "ignore"] });
    let out = "";
    const timer = setTimeout(() => { p.kill("SIGKILL"); resolve(NaN); }, 60_000);
    p.stdout.on("data", (d) => {
      out += d;
      if (out.includes(PROMPT)) {
        clearTimeout(timer);
        const dt = performance.now() - t;
        p.kill("SIGKILL");
        resolve(dt);
      }
    });
  });
}

const cold: number[] = [];
const restore: number[] = [];
const qemu: number[] = [];
for (let i = 0; i < RUNS; i++) cold.push(await coldBoot());
for (let i = 0; i < RUNS; i++) restore.push(await restoreToOutput());
for (let i = 0; i < 3; i++) qemu.push(await qemuBoot());

console.log(`guest: cold boot to prompt (Node)             median ${secs(median(cold))}  (runs: ${runs(cold)})  target <= 5 s`);
if (qemu.every((x) => !Number.isNaN(x)))
  console.log(`guest: qemu-system-i386 (TCG) boot to prompt  median ${secs(median(qemu))}  v86/qemu ratio ${(median(cold) / median(qemu)).toFixed(2)}`);
else console.log("guest: qemu-system-i386 not installed (apt-get install qemu-system-x86) or did not reach the prompt");
console.log(`guest: snapshot restore to first output (Node) median ${secs(median(restore))}  (runs: ${runs(restore)})`);

const m = assets.manifest.files;
const size = (name: string) => gzipSync(readFileSync(join(guestDir, name)), { level: 9 }).length;
// Already-compressed files gain nothing from HTTP gzip; count them as they are.
const kernel = readFileSync(join(guestDir, m.bzImage.name)).length;
const initrd = readFileSync(join(guestDir, m.initrd.name)).length;
const state = readFileSync(join(guestDir, m.state!.name)).length;
const bios = size(m.bios.name) + size(m.vgaBios.name);
const wasm = gzipSync(readFileSync(v86WasmPath()), { level: 9 }).length;
console.log(`guest: compressed sizes  kernel ${mb(kernel)}  initramfs ${mb(initrd)}  snapshot ${mb(state)}  bios ${mb(bios)}  v86.wasm ${mb(wasm)}`);
console.log(`guest: first-visit guest download  ${mb(kernel + initrd + state + bios + wasm)} (page code not counted here; see bench/browser.ts)  target <= 8 MB`);

// The initramfs: kernel-image/rootfs, busybox and the guest programs, as a zstd'd cpio
// (zstd's window spans files: the programs' shared static glibc is stored about once).
// Reproducible: sorted entries, owner root, fixed mtimes.
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, hashInputs, isFile } from "./cache.ts";
import { run } from "./run.ts";

const rootfs = new URL("../rootfs/", import.meta.url).pathname;

export function initramfsHash(busybox: string, programsDir: string): string {
  return hashInputs([rootfs, busybox, programsDir, new URL("./initramfs.ts", import.meta.url).pathname]);
}

export async function buildInitramfs(hash: string, busybox: string, programsDir: string, logDir: string): Promise<string> {
  const out = join(cacheRoot(), "initramfs", hash, "initramfs.cpio.zst");
  if (isFile(out)) return out;
  const stage = join(cacheRoot(), "initramfs", hash, "stage");
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  cpSync(rootfs, stage, { recursive: true });
  for (const d of ["bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "run", "tmp", "var", "mnt"]) mkdirSync(join(stage, d), { recursive: true });
  cpSync(busybox, join(stage, "bin/busybox"));
  chmodSync(join(stage, "bin/busybox"), 0o755);
  // Just enough links to reach rcS, which installs the rest (the host cannot run i386 busybox --install).
  symlinkSync("busybox", join(stage, "bin/sh"));
  symlinkSync("../bin/busybox", join(stage, "sbin/init"));
  for (const name of existsSync(programsDir) ? readdirSync(programsDir) : []) {
    if (name.startsWith(".")) continue;
    cpSync(join(programsDir, name), join(stage, "usr/bin", name));
    chmodSync(join(stage, "usr/bin", name), 0o755);
  }
  const log = join(logDir, "initramfs.log");
  await run("mknod", ["-m", "600", join(stage, "dev/console"), "c", "5", "1"], { log });
  await run("bash", ["-c", `cd "${stage}" && find . -mindepth 1 -exec touch -h -d @0 {} + && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible | zstd -19 -q -c > "${out}.tmp" && mv "${out}.tmp" "${out}"`], { log });
  rmSync(stage, { recursive: true, force: true });
  return out;
}

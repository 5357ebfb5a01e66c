// Helpers the benchmarks run inside the guest, kept out of the guest image (every byte of the
// initramfs is downloaded by every visitor): compiled here, static i386 like the guest's own
// programs, and handed over through the 9p share.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { consoleExec } from "../worker/vm/console-exec.ts";
import type { GuestMachine } from "../worker/vm/guest-machine.ts";

/** Builds bench/guest-tools/<name>.c and installs it in the guest as /usr/local/bin/<name>. */
export async function installGuestTool(machine: GuestMachine, name: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "slipway-guest-tool-"));
  try {
    const src = fileURLToPath(new URL(`./guest-tools/${name}.c`, import.meta.url));
    const bin = join(dir, name);
    await promisify(execFile)("gcc", ["-Wall", "-Wextra", "-Werror", "-std=gnu11", "-m32", "-static", "-Os", "-s", "-o", bin, src]);
    await machine.writeSharedFile(name, readFileSync(bin));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const r = await consoleExec(machine, `mkdir -p /usr/local/bin && mv /mnt/host/${name} /usr/local/bin/${name} && chmod 755 /usr/local/bin/${name}`);
  if (r.status !== 0) throw new Error(`installing ${name} in the guest: ${r.output}`);
}

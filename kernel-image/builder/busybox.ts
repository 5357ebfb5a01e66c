// The guest's userland: Debian's static i386 busybox, taken from its .deb
// (installing busybox-static:i386 would replace the host's own busybox).
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, isFile } from "./cache.ts";
import { ensureI386 } from "./packages.ts";
import { capture, run, StepError } from "./run.ts";

export async function busyboxVersion(): Promise<string> {
  await ensureI386();
  const { stdout } = await capture("apt-cache", ["policy", "busybox-static:i386"]);
  const m = /Candidate:\s*(\S+)/.exec(stdout);
  if (!m || m[1] === "(none)") {
    await capture("apt-get", ["update"]);
    const again = /Candidate:\s*(\S+)/.exec((await capture("apt-cache", ["policy", "busybox-static:i386"])).stdout);
    if (!again || again[1] === "(none)") throw new StepError("apt has no busybox-static:i386 (is the i386 architecture enabled and apt-get update done?)");
    return again[1];
  }
  return m[1];
}

/** Path of the static i386 busybox binary. */
export async function fetchBusybox(version: string, logDir: string): Promise<string> {
  const dir = join(cacheRoot(), "busybox", version.replace(/[^\w.+-]/g, "_"));
  const bin = join(dir, "root", "bin", "busybox");
  if (isFile(bin)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const log = join(logDir, "busybox.log");
  await run("apt-get", ["download", `busybox-static:i386=${version}`], { log, cwd: dir });
  const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
  if (!deb) throw new StepError(`apt-get download busybox-static:i386 left no .deb; read ${log}`);
  await run("dpkg-deb", ["-x", join(dir, deb), join(dir, "root")], { log });
  return bin;
}

// The guest kernel: Debian's linux-source-6.1, i386, tinyconfig + kernel/slipway.config.
import { copyFileSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, hashInputs, isFile } from "./cache.ts";
import { packageVersion } from "./packages.ts";
import { run } from "./run.ts";

const here = new URL("../kernel/", import.meta.url).pathname;

export async function kernelHash(): Promise<string> {
  return hashInputs([here], [await packageVersion("linux-source-6.1")]);
}

/** Returns the path of a bzImage for the current inputs, building it if needed. */
export async function buildKernel(hash: string, logDir: string): Promise<string> {
  const out = join(cacheRoot(), "kernel", hash, "bzImage");
  if (isFile(out)) return out;
  mkdirSync(join(cacheRoot(), "kernel", hash), { recursive: true });
  const tmp = `${out}.tmp`;
  await run("bash", [join(here, "build-kernel.sh"), join(cacheRoot(), "kernel-work"), tmp], { log: join(logDir, "kernel.log") });
  renameSync(tmp, out);
  return out;
}

export function copyInto(src: string, dest: string): void {
  copyFileSync(src, `${dest}.tmp`);
  renameSync(`${dest}.tmp`, dest);
}

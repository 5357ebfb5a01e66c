// The guest's own C programs (nsrun, the agent, the docker client), built static for i386.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, hashInputs } from "./cache.ts";
import { run } from "./run.ts";

const here = new URL("../programs/", import.meta.url).pathname;

export function programsHash(): string {
  return hashInputs([here]);
}

/** Returns the folder of built binaries (empty when there are no programs yet). */
export async function buildPrograms(hash: string, logDir: string): Promise<string> {
  const out = join(cacheRoot(), "programs", hash);
  if (existsSync(join(out, ".done"))) return out;
  const tmp = `${out}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  if (existsSync(join(here, "Makefile"))) {
    const log = join(logDir, "programs.log");
    const sysroot = join(cacheRoot(), "sysroot-i386");
    if (existsSync(join(here, "sysroot.sh"))) await run("bash", [join(here, "sysroot.sh"), sysroot], { log });
    await run("make", ["-C", here, `OUT=${tmp}`, `SYSROOT=${sysroot}`, `-j2`], { log });
  }
  await run("touch", [join(tmp, ".done")], { log: join(logDir, "programs.log") });
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return out;
}

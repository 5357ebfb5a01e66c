// The base images (busybox, hello-world, docker/getting-started) as OCI image layouts,
// built by kernel-image/images/build.sh into build/images.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashInputs } from "./cache.ts";
import { run } from "./run.ts";

const here = new URL("../images/", import.meta.url).pathname;

export function imagesHash(): string {
  return hashInputs([here]);
}

export async function buildImages(hash: string, out: string, logDir: string): Promise<void> {
  const script = join(here, "build.sh");
  if (!existsSync(script)) return;
  const stamp = join(out, ".inputs");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  const tmp = `${out}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await run("bash", [script, tmp], { log: join(logDir, "images.log") });
  writeFileSync(join(tmp, ".inputs"), hash);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
}

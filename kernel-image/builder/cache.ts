// The guest build's cache: outside the repo, one folder per step keyed by a hash
// of every input of that step, so a second build with nothing changed takes seconds.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, lstatSync, readlinkSync } from "node:fs";
import { homedir } from "node:os";
import { join, relative } from "node:path";

export function cacheRoot(): string {
  return process.env.SLIPWAY_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "slipway");
}

/** Hash of files and folders (contents, names, modes, link targets) plus any extra strings. */
export function hashInputs(paths: string[], extras: string[] = []): string {
  const h = createHash("sha256");
  for (const root of paths) {
    for (const file of walk(root)) {
      const st = lstatSync(file);
      h.update(`${relative(root, file)}\0${st.mode & 0o777}\0`);
      h.update(st.isSymbolicLink() ? `link:${readlinkSync(file)}` : readFileSync(file));
      h.update("\0");
    }
  }
  for (const e of extras) h.update(`extra:${e}\0`);
  return h.digest("hex").slice(0, 16);
}

function walk(path: string): string[] {
  if (!existsSync(path)) return [];
  const st = lstatSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => walk(join(path, name)));
}

export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

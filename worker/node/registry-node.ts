// What the registry needs only in Node: base-image layouts read from a folder, and
// Node's native sha256.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LayoutSource } from "../registry/seed.ts";
import type { Hasher, Algorithm } from "../registry/digest.ts";

/** Node's native sha256: ten times the portable one, which matters on big layers. */
export function nodeHasher(algorithm: Algorithm): Hasher {
  const h = createHash(algorithm);
  let hex: string | null = null;
  return {
    update: (chunk) => void h.update(chunk),
    digest: () => ({ algorithm, hex: (hex ??= h.digest("hex")) }),
  };
}

/** Base-image layouts read from a folder (build/images). */
export function dirSource(dir: string): LayoutSource {
  return {
    async read(path) {
      try {
        return new Uint8Array(await readFile(join(dir, path)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
  };
}


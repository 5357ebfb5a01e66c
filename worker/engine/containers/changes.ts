// docker diff: what a container changed in its image's files, from its overlay upper dir
// (the agent's diff, an OCI layer tar) read against the image's own files. As dockerd's
// overlay driver reports it: a whiteout is a deletion (D), anything else is a change (C) when
// the image has that path and an addition (A) when it does not, parent directories included.
import type { Image, ImageStore } from "../images/image-store.ts";
import { RootFs } from "../build/rootfs.ts";
import { cleanName, readTar } from "../build/tar.ts";

/** The Engine API's Kind: 0 modified, 1 added, 2 deleted. */
export interface Change {
  Path: string;
  Kind: 0 | 1 | 2;
}

// What the runtime itself puts in every container (dockerd keeps these in the "-init" layer
// beneath the container's own, so docker diff never shows them): the files it bind-mounts over
// and the mount points of proc, sysfs and /dev. Writes to them never reach the upper dir.
const RUNTIME_FILES = new Set(["etc/hosts", "etc/hostname", "etc/resolv.conf"]);
const RUNTIME_MOUNTS = ["dev", "proc", "sys"];
const runtimeMade = (path: string) => RUNTIME_FILES.has(path) || RUNTIME_MOUNTS.some((m) => path === m || path.startsWith(m + "/"));

export async function containerChanges(store: ImageStore, image: Image, upperTar: Uint8Array): Promise<Change[]> {
  const base = await RootFs.of(store, image);
  const changes = new Map<string, Change["Kind"]>();
  let runtimeParents = new Set<string>();
  for await (const entry of readTar(upperTar)) {
    const path = cleanName(entry.header.name);
    if (!path) continue;
    const slash = path.lastIndexOf("/");
    const dir = path.slice(0, slash + 1);
    const name = path.slice(slash + 1);
    if (name === ".wh..wh..opq") continue; // the directory itself is listed as changed
    if (name.startsWith(".wh.")) changes.set(dir + name.slice(4), 2);
    else if (runtimeMade(path)) runtimeParents.add(dir.slice(0, -1));
    else changes.set(path, base.entries.has(path) ? 0 : 1);
  }
  // A directory copied up only because the runtime made a mount point in it (/etc for
  // /etc/hosts) did not change, unless something else in it did.
  runtimeParents = new Set([...runtimeParents].filter((d) => d && changes.get(d) === 0 && ![...changes.keys()].some((p) => p.startsWith(d + "/"))));
  for (const d of runtimeParents) changes.delete(d);
  return [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([p, Kind]) => ({ Path: "/" + p, Kind }));
}

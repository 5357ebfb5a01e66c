// An image's filesystem as the daemon can see it without the guest: its layers applied
// in order, OCI whiteouts (.wh.name, .wh..wh..opq) removing what lower layers had.
// The builder needs it for COPY (does the destination exist, is it a directory,
// COPY --from another stage), USER/--chown names (/etc/passwd), and export flattens it.
import type { Image, ImageStore } from "../images/image-store.ts";
import { readLayer } from "./layers.ts";
import { readTar, tarEntry, TAR_END, type TarEntry } from "./tar.ts";

export class RootFs {
  /** Path (no leading slash) → entry; hard links are resolved to copies. */
  readonly entries = new Map<string, TarEntry>();

  static async of(store: ImageStore, image: Image | undefined): Promise<RootFs> {
    const fs = new RootFs();
    if (!image) return fs;
    const hit = cache.get(image.id);
    if (hit) return hit;
    for (const l of image.layers) await fs.apply(await readLayer(store, l));
    cache.set(image.id, fs);
    // A handful is enough for a build (the stages' bases); drop the oldest.
    if (cache.size > 6) cache.delete(cache.keys().next().value!);
    return fs;
  }

  clone(): RootFs {
    const c = new RootFs();
    for (const [k, v] of this.entries) c.entries.set(k, v);
    return c;
  }

  /** Applies one layer tar: its whiteouts delete from what is below, then its entries land. */
  async apply(tar: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const adds: TarEntry[] = [];
    const below = new Map(this.entries);
    for await (const e of readTar(tar)) {
      const name = e.header.name;
      const base = name.slice(name.lastIndexOf("/") + 1);
      const dir = name.includes("/") ? name.slice(0, name.lastIndexOf("/")) : "";
      if (base === ".wh..wh..opq") {
        for (const k of below.keys()) if (dir === "" || k.startsWith(dir + "/")) this.entries.delete(k);
      } else if (base.startsWith(".wh.")) {
        const target = (dir ? dir + "/" : "") + base.slice(4);
        this.remove(target);
      } else adds.push(e);
    }
    for (const e of adds) {
      if (e.header.type === "link" && e.header.linkname) {
        const target = this.entries.get(e.header.linkname.replace(/^\/+/, ""));
        if (target) {
          this.entries.set(e.header.name, { header: { ...target.header, name: e.header.name }, data: target.data });
          continue;
        }
      }
      const old = this.entries.get(e.header.name);
      if (old && old.header.type === "dir" && e.header.type !== "dir") this.remove(e.header.name);
      this.entries.set(e.header.name, { header: e.header, data: e.data.slice() });
    }
  }

  remove(path: string): void {
    this.entries.delete(path);
    for (const k of [...this.entries.keys()]) if (k.startsWith(path + "/")) this.entries.delete(k);
  }

  get(path: string): TarEntry | undefined {
    return this.entries.get(path.replace(/^\/+|\/+$/g, ""));
  }

  /** Follows symlinks in the path's directories, as the kernel would inside the container. */
  resolve(path: string, depth = 0): string {
    const parts = path.split("/").filter((p) => p && p !== ".");
    let cur: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === "..") {
        cur.pop();
        continue;
      }
      cur.push(parts[i]);
      const e = this.entries.get(cur.join("/"));
      if (e?.header.type === "symlink" && e.header.linkname && depth < 16) {
        const link = e.header.linkname;
        const base = link.startsWith("/") ? [] : cur.slice(0, -1);
        cur = this.resolve([...base, ...link.split("/"), ...parts.slice(i + 1)].join("/"), depth + 1).split("/").filter(Boolean);
        return cur.join("/");
      }
    }
    return cur.join("/");
  }

  isDir(path: string): boolean {
    return this.get(this.resolve(path))?.header.type === "dir" || this.resolve(path) === "";
  }

  /** The file's content as text, or undefined. */
  text(path: string): string | undefined {
    const e = this.get(this.resolve(path));
    return e && e.header.type === "file" ? new TextDecoder().decode(e.data) : undefined;
  }

  /** The whole tree as one flat tar, parents before children: `docker export`. */
  *tar(): Generator<Uint8Array> {
    for (const k of [...this.entries.keys()].sort()) {
      const e = this.entries.get(k)!;
      yield* tarEntry(e.header, e.data);
    }
    yield TAR_END;
  }
}

const cache = new Map<string, RootFs>();

/** "name[:group]" → numeric ids, looked up in the image's /etc/passwd and /etc/group. */
export function lookupUser(fs: RootFs, spec: string): { uid: number; gid: number } {
  const [user, group] = spec.split(":");
  const passwd = (fs.text("/etc/passwd") ?? "").split("\n").map((l) => l.split(":"));
  const groups = (fs.text("/etc/group") ?? "").split("\n").map((l) => l.split(":"));
  let uid: number;
  let gid: number;
  if (/^\d+$/.test(user)) {
    uid = Number(user);
    gid = Number(passwd.find((p) => p[2] === user)?.[3] ?? uid);
  } else {
    const p = passwd.find((x) => x[0] === user);
    if (!p) throw new Error(`unable to find user ${user}: no matching entries in passwd file`);
    uid = Number(p[2]);
    gid = Number(p[3]);
  }
  if (group !== undefined) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const g = groups.find((x) => x[0] === group);
      if (!g) throw new Error(`unable to find group ${group}: no matching entries in group file`);
      gid = Number(g[2]);
    }
  }
  return { uid, gid };
}

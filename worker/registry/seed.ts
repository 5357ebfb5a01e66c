// Pre-filling the registry with the base images (busybox, hello-world,
// docker/getting-started): the sandbox's "Docker Hub".
//
// The images are built at build time as OCI image layouts
// (kernel-image/images/build.sh): one folder per image holding index.json
// and blobs/sha256/…, plus an images.json listing the folders. A
// LayoutSource reads those files: from static files over fetch in the
// browser, from the build folder in Node.
//
// Seeding goes through the same store as a push, so it keeps the same
// rules: blobs first, then the manifest, then the tag. And it respects the
// user: a tag is (re)pointed only if it is missing or still points where
// the last seeding put it, so a user's own `busybox:latest` survives.
import { parseDigest, formatDigest, type Digest } from "./digest.ts";
import { parseManifest } from "./manifests.ts";
import { isValidName, isValidTag } from "./names.ts";
import type { Store } from "./store.ts";
import * as paths from "./paths.ts";

export interface LayoutSource {
  /** A file below the images folder ("busybox/index.json"), or null if there is none. */
  read(path: string): Promise<Uint8Array | null>;
}

/** A LayoutSource over HTTP: the images folder served as static files (the browser's case). */
export function fetchSource(base: string | URL): LayoutSource {
  const root = new URL(String(base).endsWith("/") ? String(base) : `${base}/`, globalThis.location?.href);
  return {
    async read(path) {
      const res = await fetch(new URL(path, root));
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`seed: GET ${path}: ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

const refName = "org.opencontainers.image.ref.name";

export class Seeder {
  private names: Promise<string[]> | null = null;
  private seeding = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly source: LayoutSource,
  ) {}

  /** The image names images.json lists (once). */
  private list(): Promise<string[]> {
    this.names ??= (async () => {
      const bytes = await this.source.read("images.json");
      if (!bytes) return [];
      const names = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
      if (!Array.isArray(names)) throw new Error("seed: images.json is not a list");
      return names.filter((n): n is string => typeof n === "string" && isValidName(n));
    })().catch((e) => {
      this.names = null; // try again on the next request
      console.warn("registry: cannot list the base images:", e);
      return [];
    });
    return this.names;
  }

  /** Seeds `name` if it is one of the base images; once per registry. */
  async ensure(name: string): Promise<void> {
    if (!(await this.list()).includes(name)) return;
    let p = this.seeding.get(name);
    if (!p) {
      p = this.seedImage(name).catch((e) => {
        this.seeding.delete(name);
        console.warn(`registry: cannot seed ${name}:`, e);
      });
      this.seeding.set(name, p);
    }
    await p;
  }

  async ensureAll(): Promise<void> {
    for (const name of await this.list()) await this.ensure(name);
  }

  private async readJson(path: string): Promise<{ bytes: Uint8Array; doc: Record<string, unknown> }> {
    const bytes = await this.source.read(path);
    if (!bytes) throw new Error(`seed: ${path} is missing`);
    return { bytes, doc: JSON.parse(new TextDecoder().decode(bytes)) };
  }

  /** A blob of the layout, checked against its digest (a corrupt build must not reach the store). */
  private async readBlob(name: string, digest: string): Promise<{ d: Digest; bytes: Uint8Array }> {
    const d = parseDigest(digest);
    if (typeof d === "string") throw new Error(`seed: bad digest ${digest}`);
    const bytes = await this.source.read(`${name}/blobs/${d.algorithm}/${d.hex}`);
    if (!bytes) throw new Error(`seed: ${name}: blob ${digest} is missing`);
    const h = this.store.newHasher(d.algorithm);
    h.update(bytes);
    if (formatDigest(h.digest()) !== digest) throw new Error(`seed: ${name}: blob ${digest} does not match its digest`);
    return { d, bytes };
  }

  private async seedImage(name: string): Promise<void> {
    const { doc: index } = await this.readJson(`${name}/index.json`);
    for (const desc of (index.manifests as Array<Record<string, any>>) ?? []) {
      const d = await this.seedManifest(name, desc.digest);
      const tag = desc.annotations?.[refName];
      if (typeof tag === "string" && isValidTag(tag)) await this.tag(name, tag, d);
    }
  }

  /** Stores a manifest and, first, everything it points at. */
  private async seedManifest(name: string, digest: string): Promise<Digest> {
    const { d, bytes } = await this.readBlob(name, digest);
    if (await this.store.hasManifest(name, d)) return d;
    const m = parseManifest(bytes, null);
    for (const b of m.blobs) {
      const bd = parseDigest(b.digest) as Digest;
      if ((await this.store.layerSize(name, bd)) !== null) continue;
      if ((await this.store.blobSize(bd)) === null) await this.store.putBlob(bd, (await this.readBlob(name, b.digest)).bytes);
      await this.store.linkLayer(name, bd);
    }
    for (const c of m.manifests) await this.seedManifest(name, c.digest);
    await this.store.putManifest(name, d, bytes, m.mediaType, null, m.subject);
    return d;
  }

  /** Points a tag at the seeded manifest, unless the user has pointed it elsewhere. */
  private async tag(name: string, tag: string, d: Digest): Promise<void> {
    const current = await this.store.resolveTag(name, tag);
    const seeded = await this.store.readLink(paths.seedMark(name, tag));
    const ours = current === null || (seeded !== null && formatDigest(seeded) === formatDigest(current));
    if (ours && (current === null || formatDigest(current) !== formatDigest(d))) {
      await this.store.writeLink(paths.tagLink(name, tag), d);
    }
    if (ours) await this.store.writeLink(paths.seedMark(name, tag), d);
  }
}

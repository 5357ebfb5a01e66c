// The registry's content store: blobs, manifests and tags on top of a
// storage driver, in the layout of paths.ts. The HTTP handlers and the
// seeder both go through here, so both keep the same rules:
//   - bytes first, link last (a link only ever points at complete content);
//   - a blob is stored once, whatever the number of repositories using it.
import { exists, getOrNull, listOrEmpty, deleteIfExists, basename, PathNotFoundError, type StorageDriver } from "./storage/driver.ts";
import { parseDigest, formatDigest, createHasher, type Digest, type Hasher, type Algorithm } from "./digest.ts";
import * as paths from "./paths.ts";

export type HasherFactory = (algorithm: Algorithm) => Hasher;

const text = new TextEncoder();
const untext = new TextDecoder();

export class Store {
  constructor(
    readonly driver: StorageDriver,
    readonly newHasher: HasherFactory = createHasher,
  ) {}

  // --- links ---------------------------------------------------------------

  async readLink(path: string): Promise<Digest | null> {
    const bytes = await getOrNull(this.driver, path);
    if (!bytes) return null;
    const d = parseDigest(untext.decode(bytes).trim());
    return typeof d === "string" ? null : d;
  }

  async writeLink(path: string, d: Digest): Promise<void> {
    await this.driver.putContent(path, text.encode(formatDigest(d)));
  }

  // --- blobs ---------------------------------------------------------------

  /** Size of a stored blob, or null. */
  async blobSize(d: Digest): Promise<number | null> {
    try {
      const info = await this.driver.stat(paths.blobData(d));
      return info.isDir ? null : info.size;
    } catch (e) {
      if (e instanceof PathNotFoundError) return null;
      throw e;
    }
  }

  /** Size of a blob this repository has, or null: both the link and the bytes must be there. */
  async layerSize(name: string, d: Digest): Promise<number | null> {
    if (!(await exists(this.driver, paths.layerLink(name, d)))) return null;
    return this.blobSize(d);
  }

  async linkLayer(name: string, d: Digest): Promise<void> {
    await this.writeLink(paths.layerLink(name, d), d);
  }

  /** Stores bytes already checked against `d` (writing nothing if the blob is there). */
  async putBlob(d: Digest, data: Uint8Array): Promise<void> {
    if ((await this.blobSize(d)) === data.byteLength) return;
    await this.driver.putContent(paths.blobData(d), data);
  }

  async getBlob(d: Digest): Promise<Uint8Array | null> {
    return getOrNull(this.driver, paths.blobData(d));
  }

  /**
   * Unlinks a blob from a repository; drops its bytes too once no
   * repository links it as a layer or a manifest.
   */
  async deleteLayer(name: string, d: Digest): Promise<boolean> {
    if (!(await exists(this.driver, paths.layerLink(name, d)))) return false;
    await this.driver.delete(paths.layerLink(name, d).replace(/\/link$/, ""));
    for (const repo of await this.walk(["_layers", "_manifests"])) {
      if (await exists(this.driver, paths.layerLink(repo, d))) return true;
      if (await exists(this.driver, paths.revisionLink(repo, d))) return true;
    }
    await deleteIfExists(this.driver, paths.blobData(d).replace(/\/data$/, ""));
    return true;
  }

  // --- manifests -------------------------------------------------------------

  async hasManifest(name: string, d: Digest): Promise<boolean> {
    return exists(this.driver, paths.revisionLink(name, d));
  }

  /** A manifest's bytes, exactly as pushed, and its media type. */
  async getManifest(name: string, d: Digest): Promise<{ bytes: Uint8Array; mediaType: string } | null> {
    if (!(await this.hasManifest(name, d))) return null;
    const bytes = await this.getBlob(d);
    if (!bytes) return null;
    const type = await getOrNull(this.driver, paths.revisionLink(name, d).replace(/link$/, "mediatype"));
    return { bytes, mediaType: type ? untext.decode(type) : "application/vnd.oci.image.manifest.v1+json" };
  }

  /**
   * Stores a checked manifest: bytes, media type, the revision link, the
   * referrers link, and last the tag, so a reader finds it whole or not at all.
   */
  async putManifest(name: string, d: Digest, bytes: Uint8Array, mediaType: string, tag: string | null, subject: Digest | null): Promise<void> {
    await this.putBlob(d, bytes);
    await this.driver.putContent(paths.revisionLink(name, d).replace(/link$/, "mediatype"), text.encode(mediaType));
    await this.writeLink(paths.revisionLink(name, d), d);
    if (subject) await this.writeLink(paths.referrerLink(name, subject, d), d);
    if (tag) await this.writeLink(paths.tagLink(name, tag), d);
  }

  /** Removes a manifest from a repository, and every tag pointing at it. */
  async deleteManifest(name: string, d: Digest, subject: Digest | null): Promise<void> {
    for (const tag of await this.tags(name)) {
      const t = await this.readLink(paths.tagLink(name, tag));
      if (t && formatDigest(t) === formatDigest(d)) await deleteIfExists(this.driver, `${paths.tagsDir(name)}/${tag}`);
    }
    if (subject) await deleteIfExists(this.driver, paths.referrerLink(name, subject, d).replace(/\/link$/, ""));
    await deleteIfExists(this.driver, paths.revisionLink(name, d).replace(/\/link$/, ""));
  }

  // --- tags and repositories -----------------------------------------------

  async resolveTag(name: string, tag: string): Promise<Digest | null> {
    return this.readLink(paths.tagLink(name, tag));
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    if (!(await exists(this.driver, paths.tagLink(name, tag)))) return false;
    await this.driver.delete(`${paths.tagsDir(name)}/${tag}`);
    return true;
  }

  /** Tag names, sorted (byte order, as the spec's "lexical" order). */
  async tags(name: string): Promise<string[]> {
    return (await listOrEmpty(this.driver, paths.tagsDir(name))).map(basename).sort(compare);
  }

  /** A repository exists once it has a manifest (blobs and uploads alone do not make one, as in distribution). */
  async repositoryExists(name: string): Promise<boolean> {
    return exists(this.driver, `${paths.repository(name)}/_manifests`);
  }

  /** All repositories with at least one manifest, sorted (what the catalog shows). */
  async repositories(): Promise<string[]> {
    return this.walk(["_manifests"]);
  }

  /**
   * Repository names whose folder holds one of `markers`. Names nest
   * ("docker/getting-started"), so this walks down until it meets a
   * "_"-folder: those are the repository's own, never part of a name.
   */
  private async walk(markers: string[]): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string, name: string): Promise<void> => {
      let hit = false;
      for (const child of await listOrEmpty(this.driver, dir)) {
        const part = basename(child);
        if (markers.includes(part)) hit = true;
        else if (!part.startsWith("_")) await walk(child, name ? `${name}/${part}` : part);
      }
      if (hit) found.push(name);
    };
    await walk(paths.repositoriesRoot, "");
    return found.sort(compare);
  }

  /** Digests of the manifests in a repository whose subject is `subject`. */
  async referrers(name: string, subject: Digest): Promise<Digest[]> {
    const out: Digest[] = [];
    for (const algDir of await listOrEmpty(this.driver, paths.referrersDir(name, subject))) {
      for (const hexDir of await listOrEmpty(this.driver, algDir)) {
        const d = await this.readLink(`${hexDir}/link`);
        if (d) out.push(d);
      }
    }
    return out;
  }
}

/** Plain code-unit order: what "lexical" means in the spec, and stable across locales. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

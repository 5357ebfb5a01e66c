// The daemon's local images: what `docker images` lists. An image is its config
// (its ID is the config's sha256) plus its layers; tags and digests point at IDs.
// Compressed layer blobs are kept for push and save; the guest holds them unpacked.
import type { StorageDriver } from "../../registry/storage/driver.ts";
import { PathNotFoundError } from "../../registry/storage/driver.ts";
import { conflict, noSuchImage } from "../errors.ts";
import { familiarString, parseReference, withDefaultTag, type Reference } from "./reference.ts";

export interface LayerRecord {
  /** The blob as a registry stores it (usually gzip). */
  digest: string;
  mediaType: string;
  size: number;
  /** sha256 of the uncompressed tar, as the config's rootfs lists it. */
  diffId: string;
  /** Uncompressed size. */
  unpackedSize: number;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  author?: string;
  config?: ContainerConfigPart;
  container_config?: ContainerConfigPart;
  rootfs: { type: "layers"; diff_ids: string[] };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string; author?: string }[];
  [k: string]: unknown;
}

export interface ContainerConfigPart {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: unknown;
  Shell?: string[];
  OnBuild?: string[] | null;
  [k: string]: unknown;
}

export interface Image {
  id: string;
  config: ImageConfig;
  configBytes: Uint8Array;
  layers: LayerRecord[];
  /** When it arrived here (pull, build, load), ms. */
  addedAt: number;
  /** The image it was built or committed on ("" for a build FROM scratch); pulled and loaded images have none. */
  parent?: string;
}

interface Repositories {
  /** "docker.io/library/busybox:latest" → image id */
  tags: Record<string, string>;
  /** "docker.io/library/busybox@sha256:…" → image id */
  digests: Record<string, string>;
}

const ROOT = "/engine/images";

export class ImageStore {
  private images = new Map<string, Image>();
  private repos: Repositories = { tags: {}, digests: {} };

  private constructor(private readonly driver: StorageDriver) {}

  static async open(driver: StorageDriver): Promise<ImageStore> {
    const s = new ImageStore(driver);
    await s.load();
    return s;
  }

  private async load(): Promise<void> {
    try {
      this.repos = JSON.parse(new TextDecoder().decode(await this.driver.getContent(`${ROOT}/repositories.json`)));
    } catch (e) {
      if (!(e instanceof PathNotFoundError)) throw e;
    }
    let dirs: string[] = [];
    try {
      dirs = await this.driver.list(`${ROOT}/by-id`);
    } catch (e) {
      if (!(e instanceof PathNotFoundError)) throw e;
    }
    for (const dir of dirs) {
      try {
        const configBytes = await this.driver.getContent(`${dir}/config.json`);
        const meta = JSON.parse(new TextDecoder().decode(await this.driver.getContent(`${dir}/meta.json`)));
        const id = `sha256:${dir.split("/").pop()}`;
        this.images.set(id, { id, config: JSON.parse(new TextDecoder().decode(configBytes)), configBytes, layers: meta.layers, addedAt: meta.addedAt, parent: meta.parent });
      } catch {
        // A folder without its meta.json is an image whose write never finished: not an image.
      }
    }
  }

  list(): Image[] {
    return [...this.images.values()].sort((a, b) => b.addedAt - a.addedAt);
  }

  get(id: string): Image | undefined {
    return this.images.get(id);
  }

  /** Adds an image; its blobs must already be stored. meta.json is written last: it marks the image complete. */
  async add(configBytes: Uint8Array, config: ImageConfig, id: string, layers: LayerRecord[], parent?: string): Promise<Image> {
    const existing = this.images.get(id);
    if (existing) return existing;
    const hex = id.slice("sha256:".length);
    await this.driver.putContent(`${ROOT}/by-id/${hex}/config.json`, configBytes);
    const img: Image = { id, config, configBytes, layers, addedAt: Date.now(), parent };
    await this.driver.putContent(`${ROOT}/by-id/${hex}/meta.json`, new TextEncoder().encode(JSON.stringify({ layers, addedAt: img.addedAt, parent })));
    this.images.set(id, img);
    return img;
  }

  /** Images built or committed on this one: the build cache's candidates, and what `docker images` hides. */
  children(id: string): Image[] {
    return [...this.images.values()].filter((i) => i.parent === id);
  }

  blobPath(digest: string): string {
    return `${ROOT}/blobs/${digest.replace(":", "/")}`;
  }

  async hasBlob(digest: string): Promise<boolean> {
    try {
      await this.driver.stat(this.blobPath(digest));
      return true;
    } catch {
      return false;
    }
  }

  writeBlob(digest: string, body: AsyncIterable<Uint8Array>, onChunk?: (c: Uint8Array) => void): Promise<number> {
    return this.driver.writeStream(this.blobPath(digest), body, onChunk);
  }

  readBlob(digest: string): Promise<ReadableStream<Uint8Array>> {
    return this.driver.reader(this.blobPath(digest));
  }

  async tag(id: string, ref: Reference): Promise<void> {
    const r = withDefaultTag(ref);
    this.repos.tags[`${r.domain}/${r.path}:${r.tag}`] = id;
    await this.saveRepos();
  }

  async addDigest(id: string, ref: Reference, digest: string): Promise<void> {
    this.repos.digests[`${ref.domain}/${ref.path}@${digest}`] = id;
    await this.saveRepos();
  }

  private async saveRepos(): Promise<void> {
    await this.driver.putContent(`${ROOT}/repositories.json`, new TextEncoder().encode(JSON.stringify(this.repos)));
  }

  repoTags(id: string): string[] {
    return Object.entries(this.repos.tags)
      .filter(([, v]) => v === id)
      .map(([k]) => familiarString(parseReference(k)));
  }

  repoDigests(id: string): string[] {
    return Object.entries(this.repos.digests)
      .filter(([, v]) => v === id)
      .map(([k]) => familiarString(parseReference(k)));
  }

  /** Finds an image by name[:tag], name@digest, full ID or a unique ID prefix, as Docker does. */
  resolve(nameOrId: string): Image | undefined {
    const bare = nameOrId.startsWith("sha256:") ? nameOrId.slice(7) : nameOrId;
    if (/^[a-f0-9]{64}$/.test(bare)) return this.images.get(`sha256:${bare}`);
    let ref: Reference | undefined;
    try {
      ref = withDefaultTag(parseReference(nameOrId));
    } catch {
      ref = undefined;
    }
    if (ref) {
      const key = ref.digest ? `${ref.domain}/${ref.path}@${ref.digest}` : `${ref.domain}/${ref.path}:${ref.tag}`;
      const id = ref.digest ? this.repos.digests[key] : this.repos.tags[key];
      if (id && this.images.has(id)) return this.images.get(id);
    }
    if (/^[a-f0-9]{1,63}$/.test(bare)) {
      const hits = [...this.images.keys()].filter((id) => id.startsWith(`sha256:${bare}`));
      if (hits.length === 1) return this.images.get(hits[0]);
    }
    return undefined;
  }

  mustResolve(nameOrId: string): Image {
    const img = this.resolve(nameOrId);
    if (!img) throw noSuchImage(nameOrId);
    return img;
  }

  /** Removes a tag; returns true if it was there. */
  async untag(ref: Reference): Promise<boolean> {
    const r = withDefaultTag(ref);
    const key = r.digest ? `${r.domain}/${r.path}@${r.digest}` : `${r.domain}/${r.path}:${r.tag}`;
    const table = r.digest ? this.repos.digests : this.repos.tags;
    if (!(key in table)) return false;
    delete table[key];
    await this.saveRepos();
    return true;
  }

  /** Deletes an image with no tags left; blobs no other image uses go too. */
  async delete(id: string): Promise<string[]> {
    const img = this.images.get(id);
    if (!img) return [];
    if (this.repoTags(id).length) throw conflict(`conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
    for (const [k, v] of Object.entries(this.repos.digests)) if (v === id) delete this.repos.digests[k];
    await this.saveRepos();
    this.images.delete(id);
    await this.driver.delete(`${ROOT}/by-id/${id.slice(7)}`).catch(() => {});
    const inUse = new Set([...this.images.values()].flatMap((i) => i.layers.map((l) => l.digest)));
    for (const l of img.layers) if (!inUse.has(l.digest)) await this.driver.delete(this.blobPath(l.digest)).catch(() => {});
    return img.layers.filter((l) => !inUse.has(l.digest)).map((l) => l.diffId);
  }

  /** Unpacked size of all layers, as `docker images` shows it. */
  size(img: Image): number {
    return img.layers.reduce((n, l) => n + l.unpackedSize, 0);
  }
}

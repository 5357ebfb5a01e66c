// Layers made by the daemon (COPY/ADD, RUN, commit, load, import): the uncompressed
// tar's sha256 is the diff_id the config lists, the gzip blob's sha256 the digest a
// manifest names. Compression is the platform's CompressionStream, in Node and browsers.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { ImageStore, LayerRecord } from "../images/image-store.ts";
import { streamOf } from "../images/pull.ts";
import { concatBytes } from "../bytes.ts";
import { readTar } from "./tar.ts";

export const LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
/** diff_id of a tar with no entries: what an empty RUN or a metadata step would produce. */
export const EMPTY_TAR_DIFF_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

export const digestOf = (b: Uint8Array) => `sha256:${bytesToHex(sha256(b))}`;

export async function collect(src: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of src) parts.push(c);
  return concatBytes(parts);
}

type Pair = ReadableWritablePair<Uint8Array, Uint8Array>;

export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream("gzip") as unknown as Pair);
  return collect(streamOf(s));
}

export async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([data as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip") as unknown as Pair);
  return collect(streamOf(s));
}

export const isGzip = (b: Uint8Array) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

/** True when a tar holds no entries at all (a step that changed nothing). */
export async function isEmptyTar(tar: Uint8Array): Promise<boolean> {
  for await (const _ of readTar(tar)) return false;
  return true;
}

/** Stores an uncompressed layer tar as a gzip blob; returns its record. */
export async function storeLayer(store: ImageStore, tar: Uint8Array): Promise<LayerRecord> {
  const diffId = digestOf(tar);
  const gz = await gzip(tar);
  const digest = digestOf(gz);
  if (!(await store.hasBlob(digest))) await store.writeBlob(digest, streamOf(new Blob([gz as BlobPart]).stream()));
  return { digest, mediaType: LAYER_GZIP, size: gz.length, diffId, unpackedSize: tar.length };
}

/** A stored layer's uncompressed tar. */
export async function readLayer(store: ImageStore, l: LayerRecord): Promise<Uint8Array> {
  const raw = await collect(streamOf(await store.readBlob(l.digest)));
  return isGzip(raw) ? gunzip(raw) : raw;
}

const contentSizes = new Map<string, number>();

/**
 * A layer's size as Docker shows it in `docker history`: what its files take on disk
 * (regular files' bytes and symlink targets, hard links once), not the tar's length.
 */
export async function layerContentSize(store: ImageStore, l: LayerRecord): Promise<number> {
  const known = contentSizes.get(l.diffId);
  if (known !== undefined) return known;
  let n = 0;
  for await (const e of readTar(await readLayer(store, l))) {
    if (e.header.type === "file") n += e.header.size;
    else if (e.header.type === "symlink") n += (e.header.linkname ?? "").length;
  }
  contentSizes.set(l.diffId, n);
  return n;
}

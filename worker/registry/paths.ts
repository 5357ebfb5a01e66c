// Where each thing lives in storage: the same layout as distribution
// (registry/storage/paths.go), so its docs describe ours.
//
//   /docker/registry/v2/blobs/sha256/ab/abcd…/data            every blob's bytes, once, shared by all repositories
//   /docker/registry/v2/repositories/<name>/
//       _layers/sha256/abcd…/link                            "this repository has that blob" (holds the digest)
//       _manifests/revisions/sha256/abcd…/link               "this repository has that manifest"
//       _manifests/tags/<tag>/current/link                   the tag: holds the digest it points at
//       _referrers/sha256/<subject>/sha256/<referrer>/link   manifests whose `subject` is <subject> (OCI 1.1)
//       _uploads/<id>/startedat, chunks/<offset>             an upload in progress
//
// A link is a tiny file naming a digest. Writing the blob first and the
// link second is what makes a push atomic: nothing points at bytes that are
// not fully there.
import type { Digest } from "./digest.ts";

export const root = "/docker/registry/v2";
export const repositoriesRoot = `${root}/repositories`;

export function blobData(d: Digest): string {
  return `${root}/blobs/${d.algorithm}/${d.hex.slice(0, 2)}/${d.hex}/data`;
}

export function repository(name: string): string {
  return `${repositoriesRoot}/${name}`;
}

export function layerLink(name: string, d: Digest): string {
  return `${repository(name)}/_layers/${d.algorithm}/${d.hex}/link`;
}

export function layersDir(name: string): string {
  return `${repository(name)}/_layers`;
}

export function revisionLink(name: string, d: Digest): string {
  return `${repository(name)}/_manifests/revisions/${d.algorithm}/${d.hex}/link`;
}

export function revisionsDir(name: string): string {
  return `${repository(name)}/_manifests/revisions`;
}

export function tagsDir(name: string): string {
  return `${repository(name)}/_manifests/tags`;
}

export function tagLink(name: string, tag: string): string {
  return `${tagsDir(name)}/${tag}/current/link`;
}

export function referrersDir(name: string, subject: Digest): string {
  return `${repository(name)}/_referrers/${subject.algorithm}/${subject.hex}`;
}

export function referrerLink(name: string, subject: Digest, referrer: Digest): string {
  return `${referrersDir(name, subject)}/${referrer.algorithm}/${referrer.hex}/link`;
}

export function uploadDir(name: string, id: string): string {
  return `${repository(name)}/_uploads/${id}`;
}

/** Chunks are named by their offset, zero-padded so that names sort in byte order. */
export function uploadChunk(name: string, id: string, offset: number): string {
  return `${uploadDir(name, id)}/chunks/${String(offset).padStart(16, "0")}`;
}

/** Where the seeder notes which digest it last gave each tag (see seed.ts). */
export function seedMark(name: string, tag: string): string {
  return `/slipway/seeded/${name}/${tag}`;
}

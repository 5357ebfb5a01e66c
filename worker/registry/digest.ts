// Content digests: "sha256:<64 hex>". In OCI every blob and manifest is
// named by the hash of its bytes, so a registry can check that what it
// received is what the client meant, and anyone can check what they pulled.
//
// Hashing is incremental (@noble/hashes) so a big layer is checked as it
// streams in, and works the same in Node and in a browser worker.
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** The algorithms this registry can verify, with the length of their hex encoding. */
const algorithms = {
  sha256: { hexLength: 64, create: () => sha256.create() },
  sha512: { hexLength: 128, create: () => sha512.create() },
} as const;

export type Algorithm = keyof typeof algorithms;

export interface Digest {
  algorithm: Algorithm;
  hex: string;
}

/** The grammar of the OCI image spec: algorithm ":" encoded. */
const digestRe = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** The reasons a digest string is refused, for the error message. */
export type DigestProblem = "malformed" | "unsupported";

/** Parses a digest string; answers a problem instead of throwing so callers choose the error code. */
export function parseDigest(s: string): Digest | DigestProblem {
  if (!digestRe.test(s)) return "malformed";
  const [alg, hex] = s.split(":") as [string, string];
  if (!(alg in algorithms)) return "unsupported";
  const { hexLength } = algorithms[alg as Algorithm];
  if (hex.length !== hexLength || !/^[a-f0-9]+$/.test(hex)) return "malformed";
  return { algorithm: alg as Algorithm, hex };
}

export function formatDigest(d: Digest): string {
  return `${d.algorithm}:${d.hex}`;
}

/** An incremental hash: feed it chunks, then ask for the digest. */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Digest;
}

export function createHasher(algorithm: Algorithm = "sha256"): Hasher {
  const h = algorithms[algorithm].create();
  let done: Digest | null = null;
  return {
    update(chunk) {
      h.update(chunk);
    },
    digest() {
      done ??= { algorithm, hex: bytesToHex(h.digest()) };
      return done;
    },
  };
}

/** The digest of some bytes in one go. */
export function digestOf(data: Uint8Array, algorithm: Algorithm = "sha256"): Digest {
  const h = createHasher(algorithm);
  h.update(data);
  return h.digest();
}

/** "sha256:abc…" for some bytes. */
export function digestString(data: Uint8Array, algorithm: Algorithm = "sha256"): string {
  return formatDigest(digestOf(data, algorithm));
}

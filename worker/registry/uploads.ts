// Pushing a blob: the upload protocol.
//
//   POST   /v2/<name>/blobs/uploads/                     start an upload → 202, Location: …/uploads/<id>
//   POST   /v2/<name>/blobs/uploads/?digest=<d>          the whole blob in one request → 201
//   POST   /v2/<name>/blobs/uploads/?mount=<d>&from=<r>  reuse a blob another repository has → 201
//   PATCH  /v2/<name>/blobs/uploads/<id>                 one more chunk (Content-Range: start-end) → 202
//   PUT    /v2/<name>/blobs/uploads/<id>?digest=<d>      last chunk (optional), finish → 201
//   GET    /v2/<name>/blobs/uploads/<id>                 how far along → 204, Range: 0-<last byte>
//   DELETE /v2/<name>/blobs/uploads/<id>                 cancel → 204
//
// Chunks land in the upload's own directory, invisible to pulls. Finishing
// checks the digest of everything received; only if it matches does the
// data move to the blob store (a rename) and the repository get its link.
import { RegistryError } from "./errors.ts";
import { formatDigest, type Digest, type Hasher } from "./digest.ts";
import { isValidName, isValidUploadId } from "./names.ts";
import { digestParam } from "./blobs.ts";
import { bodyChunks, declaredLength, empty, type Context } from "./context.ts";
import { StorageFullError, deleteIfExists, exists, listOrEmpty, basename, iterate, type StorageDriver } from "./storage/driver.ts";
import type { Store } from "./store.ts";
import * as paths from "./paths.ts";

/** The running sha256 of an upload, so finishing need not read it all back. */
interface HashState {
  hasher: Hasher;
  size: number;
}

export class Uploads {
  /** Hash states by upload id; lost on reload, when finishing re-reads the chunks instead. */
  private hashes = new Map<string, HashState>();

  constructor(private readonly store: Store) {}

  private get driver(): StorageDriver {
    return this.store.driver;
  }

  async create(name: string): Promise<string> {
    const id = crypto.randomUUID();
    await this.driver.putContent(`${paths.uploadDir(name, id)}/startedat`, new TextEncoder().encode(new Date().toISOString()));
    return id;
  }

  async exists(name: string, id: string): Promise<boolean> {
    return isValidUploadId(id) && exists(this.driver, `${paths.uploadDir(name, id)}/startedat`);
  }

  /** Bytes received so far: the last chunk's offset plus its size. */
  async size(name: string, id: string): Promise<number> {
    const chunks = await listOrEmpty(this.driver, `${paths.uploadDir(name, id)}/chunks`);
    const last = chunks.at(-1);
    if (!last) return 0;
    return Number(basename(last)) + (await this.driver.stat(last)).size;
  }

  /**
   * Appends a chunk at `offset` (which the caller checked is the current
   * size). The bytes go to a scratch file first and become a chunk only
   * once complete, so a cut-off request adds nothing.
   */
  async append(name: string, id: string, offset: number, body: AsyncIterable<Uint8Array>, expected: number | null): Promise<number> {
    const scratch = `${paths.uploadDir(name, id)}/incoming`;
    const state = this.hashes.get(id);
    const hashing = state && state.size === offset ? state : offset === 0 ? { hasher: this.store.newHasher("sha256"), size: 0 } : null;
    this.hashes.delete(id); // put back only if this chunk is accepted
    let written: number;
    try {
      written = await this.driver.writeStream(scratch, body, hashing ? (c) => hashing.hasher.update(c) : undefined);
    } catch (e) {
      await deleteIfExists(this.driver, scratch);
      if (e instanceof StorageFullError || e instanceof RegistryError) throw e;
      // The request body broke off (client gone, connection cut): the chunk is dropped whole.
      throw new RegistryError("BLOB_UPLOAD_INVALID", `request body ended early: ${(e as Error)?.message ?? e}`);
    }
    if (expected !== null && written !== expected) {
      await deleteIfExists(this.driver, scratch);
      throw new RegistryError("SIZE_INVALID", `received ${written} bytes, expected ${expected}`, { received: written, expected });
    }
    if (written > 0) await this.driver.move(scratch, paths.uploadChunk(name, id, offset));
    else await deleteIfExists(this.driver, scratch);
    if (hashing) this.hashes.set(id, { hasher: hashing.hasher, size: offset + written });
    return offset + written;
  }

  /**
   * Finishes an upload: checks the digest, moves the bytes into the blob
   * store, links the blob into the repository, and removes the upload.
   * On a mismatch nothing is stored and the upload is gone.
   */
  async commit(name: string, id: string, want: Digest): Promise<void> {
    const dir = paths.uploadDir(name, id);
    const chunks = await listOrEmpty(this.driver, `${dir}/chunks`);
    const last = chunks.at(-1);
    const size = last ? Number(basename(last)) + (await this.driver.stat(last)).size : 0;
    const state = this.hashes.get(id);
    this.hashes.delete(id);
    let got: Digest;
    if (state && state.size === size && want.algorithm === "sha256") {
      got = state.hasher.digest();
    } else {
      const h = this.store.newHasher(want.algorithm);
      for (const c of chunks) for await (const b of iterate(await this.driver.reader(c))) h.update(b);
      got = h.digest();
    }
    if (formatDigest(got) !== formatDigest(want)) {
      await deleteIfExists(this.driver, dir);
      throw new RegistryError("DIGEST_INVALID", `digest mismatch: content is ${formatDigest(got)}`, { expected: formatDigest(want), actual: formatDigest(got) });
    }
    if ((await this.store.blobSize(want)) !== size) {
      if (chunks.length === 1) {
        await this.driver.move(chunks[0], paths.blobData(want)); // one rename, however big
      } else if (chunks.length === 0) {
        await this.driver.putContent(paths.blobData(want), new Uint8Array(0));
      } else {
        const driver = this.driver;
        async function* all(): AsyncGenerator<Uint8Array> {
          for (const c of chunks) yield* iterate(await driver.reader(c));
        }
        await this.driver.writeStream(paths.blobData(want), all());
      }
    }
    await this.store.linkLayer(name, want);
    await deleteIfExists(this.driver, dir);
  }

  async cancel(name: string, id: string): Promise<void> {
    this.hashes.delete(id);
    await deleteIfExists(this.driver, paths.uploadDir(name, id));
  }
}

// --- HTTP --------------------------------------------------------------------

function uploadHeaders(name: string, id: string, size: number): Record<string, string> {
  return {
    Location: `/v2/${name}/blobs/uploads/${id}`,
    // Inclusive end; distribution says "0-0" for an empty upload, and clients expect that.
    Range: `0-${Math.max(0, size - 1)}`,
    "Docker-Upload-UUID": id,
  };
}

function blobCreated(name: string, d: Digest): Response {
  return empty(201, { Location: `/v2/${name}/blobs/${formatDigest(d)}`, "Docker-Content-Digest": formatDigest(d) });
}

async function knownUpload(ctx: Context, id: string): Promise<void> {
  if (!(await ctx.uploads.exists(ctx.name, id))) throw new RegistryError("BLOB_UPLOAD_UNKNOWN", undefined, { uuid: id });
}

/** POST …/blobs/uploads/: start, monolithic push, or mount. */
export async function startUpload(ctx: Context): Promise<Response> {
  const q = ctx.url.searchParams;
  const mount = q.get("mount");
  if (mount !== null) {
    const d = digestParam(mount);
    const from = q.get("from");
    if (from !== null && !isValidName(from)) throw new RegistryError("NAME_INVALID", `invalid repository name: ${from}`, { name: from });
    // With `from`, the blob must be that repository's; without, any stored copy will do (OCI 1.1 allows it).
    const size = from !== null ? await ctx.store.layerSize(from, d) : await ctx.store.blobSize(d);
    if (size !== null) {
      await ctx.store.linkLayer(ctx.name, d);
      return blobCreated(ctx.name, d);
    }
    // Not mountable: fall through to an ordinary upload, as the spec says.
  }
  const digest = q.get("digest");
  if (digest !== null) {
    const d = digestParam(digest);
    const id = await ctx.uploads.create(ctx.name);
    try {
      await ctx.uploads.append(ctx.name, id, 0, bodyChunks(ctx.req), declaredLength(ctx.req));
      await ctx.uploads.commit(ctx.name, id, d);
    } finally {
      await ctx.uploads.cancel(ctx.name, id);
    }
    return blobCreated(ctx.name, d);
  }
  const id = await ctx.uploads.create(ctx.name);
  return empty(202, uploadHeaders(ctx.name, id, 0));
}

/** "start-end" (inclusive), as the spec writes Content-Range; "bytes " and "/total" tolerated. */
function parseContentRange(v: string): { start: number; end: number } | null {
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(v.trim());
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  return end >= start ? { start, end } : null;
}

/** PATCH …/uploads/<id>: one more chunk. */
export async function patchUpload(ctx: Context, id: string): Promise<Response> {
  await knownUpload(ctx, id);
  const size = await ctx.uploads.size(ctx.name, id);
  const header = ctx.req.headers.get("content-range");
  let expected = declaredLength(ctx.req);
  if (header !== null) {
    const range = parseContentRange(header);
    if (!range) throw new RegistryError("BLOB_UPLOAD_INVALID", `invalid Content-Range: ${header}`, undefined, { status: 416, headers: uploadHeaders(ctx.name, id, size) });
    if (range.start !== size) {
      // Out of order: the spec's 416, with where the upload really stands.
      throw new RegistryError("BLOB_UPLOAD_INVALID", `chunk starts at ${range.start}, upload has ${size} bytes`, { expected: size, start: range.start }, { status: 416, headers: uploadHeaders(ctx.name, id, size) });
    }
    const length = range.end - range.start + 1;
    if (expected !== null && expected !== length) throw new RegistryError("SIZE_INVALID", `Content-Length ${expected} does not match Content-Range ${header}`);
    expected = length;
  }
  const total = await ctx.uploads.append(ctx.name, id, size, bodyChunks(ctx.req), expected);
  return empty(202, uploadHeaders(ctx.name, id, total));
}

/** PUT …/uploads/<id>?digest=: the last chunk, if any, and finish. */
export async function putUpload(ctx: Context, id: string): Promise<Response> {
  await knownUpload(ctx, id);
  const digest = ctx.url.searchParams.get("digest");
  if (digest === null) throw new RegistryError("DIGEST_INVALID", "the digest query parameter is required");
  const d = digestParam(digest);
  const size = await ctx.uploads.size(ctx.name, id);
  const header = ctx.req.headers.get("content-range");
  if (header !== null) {
    const range = parseContentRange(header);
    if (!range || range.start !== size) {
      throw new RegistryError("BLOB_UPLOAD_INVALID", `chunk does not start at ${size}`, undefined, { status: 416, headers: uploadHeaders(ctx.name, id, size) });
    }
  }
  // Most clients send the data in PATCHes and an empty PUT: skip the empty append.
  const declared = declaredLength(ctx.req);
  if (declared !== 0 && ctx.req.body) await ctx.uploads.append(ctx.name, id, size, bodyChunks(ctx.req), declared);
  await ctx.uploads.commit(ctx.name, id, d);
  return blobCreated(ctx.name, d);
}

/** GET …/uploads/<id>: progress, so a client can resume. */
export async function uploadStatus(ctx: Context, id: string): Promise<Response> {
  await knownUpload(ctx, id);
  return empty(204, uploadHeaders(ctx.name, id, await ctx.uploads.size(ctx.name, id)));
}

/** DELETE …/uploads/<id>: cancel. */
export async function cancelUpload(ctx: Context, id: string): Promise<Response> {
  await knownUpload(ctx, id);
  await ctx.uploads.cancel(ctx.name, id);
  return empty(204);
}

// Manifests: the JSON that makes blobs an image. An image manifest names a
// config blob and layer blobs; an index names other manifests (one per
// platform). A manifest is addressed by digest, or by a tag pointing at one.
//   GET/HEAD /v2/<name>/manifests/<tag|digest>   (Accept: which formats the client reads)
//   PUT      /v2/<name>/manifests/<tag|digest>
//   DELETE   /v2/<name>/manifests/<tag|digest>
//
// Stored byte-exact: the digest is of the bytes, so re-serialising the JSON
// would change the image's identity.
import { RegistryError } from "./errors.ts";
import { parseDigest, formatDigest, digestOf, type Digest } from "./digest.ts";
import { isValidTag } from "./names.ts";
import { digestParam } from "./blobs.ts";
import { declaredLength, empty, readBody, type Context } from "./context.ts";
import { manifestTypes, foreignLayerTypes, bareType, acceptedTypes, ociManifest, ociIndex } from "./mediatypes.ts";

/** Registries must take at least 4 MiB manifests; we take exactly that. */
export const maxManifestSize = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

/** What a checked manifest holds that the registry cares about. */
export interface ParsedManifest {
  mediaType: string;
  kind: "image" | "index";
  /** Blobs it needs (config and layers), for an image manifest. */
  blobs: Descriptor[];
  /** Manifests it needs, for an index. */
  manifests: Descriptor[];
  subject: Digest | null;
  artifactType?: string;
  configMediaType?: string;
  annotations?: Record<string, string>;
}

function invalid(why: string): never {
  throw new RegistryError("MANIFEST_INVALID", `manifest invalid: ${why}`, { reason: why });
}

function checkDescriptor(v: unknown, where: string): Descriptor {
  if (typeof v !== "object" || v === null || Array.isArray(v)) invalid(`${where} is not a descriptor`);
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== "string" || !d.mediaType) invalid(`${where}.mediaType is missing`);
  if (typeof d.digest !== "string" || typeof parseDigest(d.digest) === "string") invalid(`${where}.digest is not a valid digest`);
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) invalid(`${where}.size is not a size`);
  return d as unknown as Descriptor;
}

/**
 * Checks a manifest's structure against the OCI image spec (and Docker's
 * schema 2). `contentType` is the request's; a `mediaType` in the body must agree.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | null): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    invalid("not valid JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) invalid("not a JSON object");
  const m = doc as Record<string, unknown>;
  if (m.schemaVersion !== 2) invalid("schemaVersion must be 2");
  const header = bareType(contentType);
  const declared = typeof m.mediaType === "string" ? m.mediaType : undefined;
  if (m.mediaType !== undefined && declared === undefined) invalid("mediaType must be a string");
  if (declared && header && header !== declared) invalid(`Content-Type ${header} does not match mediaType ${declared}`);
  // OCI lets the body leave mediaType out; then the header says, or the shape does.
  const mediaType = declared ?? (manifestTypes[header] ? header : Array.isArray(m.manifests) ? ociIndex : ociManifest);
  const kind = manifestTypes[mediaType];
  if (!kind) invalid(`unknown manifest type ${mediaType}`);

  const parsed: ParsedManifest = { mediaType, kind, blobs: [], manifests: [], subject: null };
  if (kind === "image") {
    parsed.blobs.push(checkDescriptor(m.config, "config"));
    parsed.configMediaType = parsed.blobs[0].mediaType;
    if (!Array.isArray(m.layers)) invalid("layers must be an array");
    m.layers.forEach((l, i) => parsed.blobs.push(checkDescriptor(l, `layers[${i}]`)));
  } else {
    if (!Array.isArray(m.manifests)) invalid("manifests must be an array");
    m.manifests.forEach((l, i) => parsed.manifests.push(checkDescriptor(l, `manifests[${i}]`)));
  }
  if (m.subject !== undefined) parsed.subject = parseDigest(checkDescriptor(m.subject, "subject").digest) as Digest;
  if (m.artifactType !== undefined) {
    if (typeof m.artifactType !== "string") invalid("artifactType must be a string");
    parsed.artifactType = m.artifactType;
  }
  if (m.annotations !== undefined) {
    if (typeof m.annotations !== "object" || m.annotations === null) invalid("annotations must be an object");
    parsed.annotations = m.annotations as Record<string, string>;
  }
  return parsed;
}

/** A reference is a digest if it has a colon (tags cannot). */
function isDigestRef(ref: string): boolean {
  return ref.includes(":");
}

function manifestHeaders(d: Digest, mediaType: string, size: number): Record<string, string> {
  return {
    "Content-Type": mediaType,
    "Content-Length": String(size),
    "Docker-Content-Digest": formatDigest(d),
    ETag: `"${formatDigest(d)}"`,
  };
}

/** Finds the digest a reference names in this repository. */
async function resolve(ctx: Context, ref: string): Promise<Digest> {
  if (isDigestRef(ref)) return digestParam(ref);
  if (!isValidTag(ref)) throw new RegistryError("MANIFEST_UNKNOWN", `invalid tag: ${ref}`, { tag: ref });
  const d = await ctx.store.resolveTag(ctx.name, ref);
  if (!d) throw new RegistryError("MANIFEST_UNKNOWN", `manifest unknown: ${ctx.name}:${ref}`, { tag: ref });
  return d;
}

export async function getManifest(ctx: Context, ref: string): Promise<Response> {
  const d = await resolve(ctx, ref);
  const m = await ctx.store.getManifest(ctx.name, d);
  if (!m) throw new RegistryError("MANIFEST_UNKNOWN", `manifest unknown: ${ctx.name}@${formatDigest(d)}`, { digest: formatDigest(d) });
  // Honour Accept for tags, as distribution does: a client that cannot read
  // an index must not be handed one. By digest the client asked for exact bytes.
  const accepted = acceptedTypes(ctx.req.headers.get("accept"));
  if (!isDigestRef(ref) && accepted && !accepted.has(m.mediaType)) {
    throw new RegistryError("MANIFEST_UNKNOWN", `manifest is ${m.mediaType}, which the Accept header does not list`, { tag: ref, mediaType: m.mediaType });
  }
  const headers = manifestHeaders(d, m.mediaType, m.bytes.byteLength);
  return new Response(ctx.req.method === "HEAD" ? null : (m.bytes as Uint8Array<ArrayBuffer>), { status: 200, headers });
}

export async function putManifest(ctx: Context, ref: string): Promise<Response> {
  const byDigest = isDigestRef(ref);
  const want = byDigest ? digestParam(ref) : null;
  if (!byDigest && !isValidTag(ref)) throw new RegistryError("MANIFEST_INVALID", `invalid tag: ${ref}`, { tag: ref });

  const body = await readBody(ctx.req, maxManifestSize);
  if (body === "too-large") throw new RegistryError("SIZE_INVALID", `manifest is larger than ${maxManifestSize} bytes`, undefined, { status: 413 });
  const declared = declaredLength(ctx.req);
  if (declared !== null && declared !== body.byteLength) {
    throw new RegistryError("SIZE_INVALID", `received ${body.byteLength} bytes, Content-Length said ${declared}`);
  }
  const parsed = parseManifest(body, ctx.req.headers.get("content-type"));
  const d = digestOf(body, want?.algorithm ?? "sha256");
  if (want && formatDigest(want) !== formatDigest(d)) {
    throw new RegistryError("DIGEST_INVALID", `manifest digest is ${formatDigest(d)}, not ${ref}`, { expected: ref, actual: formatDigest(d) });
  }

  // Everything it names must be here first: that is what keeps a pushed image whole.
  for (const b of parsed.blobs) {
    if (foreignLayerTypes.has(b.mediaType) && b.urls?.length) continue;
    if ((await ctx.store.layerSize(ctx.name, parseDigest(b.digest) as Digest)) === null) {
      throw new RegistryError("MANIFEST_BLOB_UNKNOWN", `blob unknown to registry: ${b.digest}`, { digest: b.digest });
    }
  }
  for (const c of parsed.manifests) {
    if (!(await ctx.store.hasManifest(ctx.name, parseDigest(c.digest) as Digest))) {
      throw new RegistryError("MANIFEST_BLOB_UNKNOWN", `manifest unknown to registry: ${c.digest}`, { digest: c.digest });
    }
  }

  await ctx.store.putManifest(ctx.name, d, body, parsed.mediaType, byDigest ? null : ref, parsed.subject);
  const headers: Record<string, string> = {
    Location: `/v2/${ctx.name}/manifests/${formatDigest(d)}`,
    "Docker-Content-Digest": formatDigest(d),
  };
  if (parsed.subject) headers["OCI-Subject"] = formatDigest(parsed.subject);
  return empty(201, headers);
}

export async function deleteManifest(ctx: Context, ref: string): Promise<Response> {
  if (!isDigestRef(ref)) {
    // OCI 1.1: deleting by tag removes the tag, not the manifest.
    if (!isValidTag(ref)) throw new RegistryError("MANIFEST_UNKNOWN", `invalid tag: ${ref}`, { tag: ref });
    if (!(await ctx.store.deleteTag(ctx.name, ref))) throw new RegistryError("MANIFEST_UNKNOWN", undefined, { tag: ref });
    return empty(202);
  }
  const d = digestParam(ref);
  const m = await ctx.store.getManifest(ctx.name, d);
  if (!m) throw new RegistryError("MANIFEST_UNKNOWN", undefined, { digest: ref });
  let subject: Digest | null = null;
  try {
    subject = parseManifest(m.bytes, m.mediaType).subject;
  } catch {
    // stored before it was checked? then it has no referrers link to clean either
  }
  await ctx.store.deleteManifest(ctx.name, d, subject);
  return empty(202);
}

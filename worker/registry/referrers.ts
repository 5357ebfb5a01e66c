// GET /v2/<name>/referrers/<digest>[?artifactType=]: the manifests whose
// `subject` is <digest> (OCI 1.1) — signatures, SBOMs and other artifacts
// attached to an image — as an image index.
import { formatDigest, type Digest } from "./digest.ts";
import { digestParam } from "./blobs.ts";
import { json, type Context } from "./context.ts";
import { parseManifest, type Descriptor } from "./manifests.ts";
import { ociIndex } from "./mediatypes.ts";

export async function listReferrers(ctx: Context, ref: string): Promise<Response> {
  const subject = digestParam(ref);
  const wanted = ctx.url.searchParams.get("artifactType");
  const manifests: Descriptor[] = [];
  for (const d of await ctx.store.referrers(ctx.name, subject)) {
    const m = await ctx.store.getManifest(ctx.name, d);
    if (!m) continue;
    const parsed = parseManifest(m.bytes, m.mediaType);
    const artifactType = parsed.artifactType ?? parsed.configMediaType;
    if (wanted !== null && artifactType !== wanted) continue;
    manifests.push(describe(d, m.mediaType, m.bytes.byteLength, artifactType, parsed.annotations));
  }
  const headers: Record<string, string> = wanted !== null ? { "OCI-Filters-Applied": "artifactType" } : {};
  return json(ctx.req, { schemaVersion: 2, mediaType: ociIndex, manifests }, headers, ociIndex);
}

function describe(d: Digest, mediaType: string, size: number, artifactType?: string, annotations?: Record<string, string>): Descriptor {
  const out: Descriptor = { mediaType, digest: formatDigest(d), size };
  if (artifactType) out.artifactType = artifactType;
  if (annotations) out.annotations = annotations;
  return out;
}

// The manifest formats this registry knows, and what a client's Accept
// header says it can read.

export const ociManifest = "application/vnd.oci.image.manifest.v1+json";
export const ociIndex = "application/vnd.oci.image.index.v1+json";
export const dockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
export const dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

/** Image manifests point at a config and layers; indexes point at other manifests. */
export const manifestTypes: Record<string, "image" | "index"> = {
  [ociManifest]: "image",
  [dockerManifest]: "image",
  [ociIndex]: "index",
  [dockerManifestList]: "index",
};

/** Layers that live elsewhere (Windows base layers): a manifest may name them without the registry having them. */
export const foreignLayerTypes = new Set([
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
]);

/** "type/subtype; charset=x" → "type/subtype". */
export function bareType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * The media types an Accept header lists (q=0 excluded), or null when the
 * client did not say, or accepts anything.
 */
export function acceptedTypes(accept: string | null): Set<string> | null {
  if (!accept || !accept.trim()) return null;
  const types = new Set<string>();
  for (const part of accept.split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim());
    if (!type) continue;
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) continue;
    if (type === "*/*" || type === "application/*") return null;
    types.add(type.toLowerCase());
  }
  return types.size ? types : null;
}

// Image references as Docker reads them: `busybox` is docker.io/library/busybox:latest,
// a first component with a dot or a port (or "localhost") names another registry.
import { ApiError } from "../errors.ts";

export const DEFAULT_DOMAIN = "docker.io";

export interface Reference {
  /** Registry host, e.g. docker.io or localhost:5000. */
  domain: string;
  /** Repository path in that registry, e.g. library/busybox. */
  path: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function parseReference(input: string): Reference {
  const invalid = () => new ApiError(400, `invalid reference format: ${input}`);
  if (!input || input !== input.trim()) throw invalid();
  if (/[A-Z]/.test(input.split(/[:@]/)[0])) throw new ApiError(400, `invalid reference format: repository name (${input.split(/[:@]/)[0]}) must be lowercase`);
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid();
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > rest.lastIndexOf("/")) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw invalid();
  }
  const parts = rest.split("/");
  let domain = DEFAULT_DOMAIN;
  if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) {
    domain = parts.shift()!;
  }
  if (domain === "index.docker.io") domain = DEFAULT_DOMAIN;
  if (!parts.length || !parts.every((p) => PATH_COMPONENT.test(p))) throw invalid();
  if (domain === DEFAULT_DOMAIN && parts.length === 1) parts.unshift("library");
  return { domain, path: parts.join("/"), tag, digest };
}

/** With :latest when neither tag nor digest was given, as `docker pull` does. */
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag || ref.digest ? ref : { ...ref, tag: "latest" };
}

/** The short name users see: busybox, user/app, localhost:5000/app. */
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith("library/") ? ref.path.slice("library/".length) : ref.path;
}

export function familiarString(ref: Reference): string {
  return familiarName(ref) + (ref.tag ? `:${ref.tag}` : "") + (ref.digest ? `@${ref.digest}` : "");
}

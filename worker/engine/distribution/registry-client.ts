// A client of the OCI Distribution API, as dockerd's distribution code is: manifests
// and blobs by repository, with the token auth Docker Hub-style registries use.
// It takes a fetch function, so the same code talks to the in-tab hub (in-process)
// and to real registries (fetch in Node and in the browser).
import { ApiError } from "../errors.ts";

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];

export interface Credentials {
  username: string;
  password: string;
}

/**
 * An error the registry (or its token server) answered, as distribution's client
 * reads it: `code` is the errcode (UNAUTHORIZED, DENIED, MANIFEST_UNKNOWN…) and the
 * message is its text, "denied: requested access to the resource is denied".
 */
export class RegistryError extends ApiError {
  constructor(status: number, readonly code: string, message: string) {
    super(status, message);
  }
}

/** Thrown when the token server refuses: dockerd words it as the request it was making. */
export class TokenError extends RegistryError {}

export class RegistryClient {
  private token: string | undefined;

  constructor(
    private readonly fetch: Fetch,
    /** e.g. http://localhost:5000 */
    readonly base: string,
    private readonly creds?: Credentials,
  ) {}

  /**
   * `target` is a path under base or an absolute URL (an upload's Location may name
   * another host). On a Bearer challenge it gets a token for `scope` and retries
   * once; a token for another scope is answered 401 again, so this also widens it.
   */
  private async request(target: string, init: RequestInit = {}, scope?: string): Promise<Response> {
    const url = /^https?:\/\//.test(target) ? target : `${this.base}${target}`;
    // Credentials go to the registry's own origin only, as distribution's authorizer
    // does: an upload Location on another host (storage, a proxy) gets none.
    const own = new URL(url).origin === new URL(this.base).origin;
    const go = () => {
      const headers = new Headers(init.headers);
      if (!own) return this.fetch(url, { ...init, headers });
      if (this.token) headers.set("Authorization", `Bearer ${this.token}`);
      else if (this.creds) headers.set("Authorization", `Basic ${btoa(`${this.creds.username}:${this.creds.password}`)}`);
      return this.fetch(url, { ...init, headers });
    };
    let res = await go();
    const challenge = res.status === 401 ? (res.headers.get("www-authenticate") ?? "") : "";
    if (/^bearer/i.test(challenge)) {
      await res.body?.cancel();
      try {
        this.token = await this.fetchToken(challenge, scope);
      } catch (e) {
        // The token fetch happens inside dockerd's HTTP transport, so Go names the request it was making.
        if (e instanceof TokenError) throw new TokenError(e.status, e.code, `${goMethod(init.method)} "${url}": ${e.message}`);
        throw e;
      }
      res = await go();
    }
    return res;
  }

  /** Docker's token flow: GET the realm with service, scope and account, basic credentials if any. */
  private async fetchToken(challenge: string, scope: string | undefined): Promise<string> {
    const params = challengeParams(challenge);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set("service", params.service);
    if (scope) url.searchParams.set("scope", scope);
    const headers: Record<string, string> = {};
    if (this.creds) {
      url.searchParams.set("account", this.creds.username);
      headers.Authorization = `Basic ${btoa(`${this.creds.username}:${this.creds.password}`)}`;
    }
    const res = await this.fetch(url.toString(), { headers });
    if (!res.ok) {
      const e = await registryError(res);
      throw new TokenError(e.status, e.code, e.message);
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    return body.token ?? body.access_token ?? "";
  }

  /**
   * Checks credentials the way `docker login` does: GET /v2/, getting a token with no
   * scope when the registry asks for one. A refused token throws a TokenError; a
   * registry with basic auth answers 401 itself, which the caller words.
   */
  async ping(): Promise<Response> {
    return this.request("/v2/");
  }

  async getManifest(repo: string, reference: string): Promise<{ bytes: Uint8Array; mediaType: string; digest: string } | null> {
    const res = await this.request(`/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_TYPES.join(", ") } }, `repository:${repo}:pull`);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) throw await registryError(res);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const digest = res.headers.get("docker-content-digest") ?? (await sha256Digest(bytes));
    return { bytes, mediaType: (res.headers.get("content-type") ?? "").split(";")[0], digest };
  }

  /** The repository's tags, or null when the repository does not exist. */
  async listTags(repo: string): Promise<string[] | null> {
    const res = await this.request(`/v2/${repo}/tags/list`, {}, `repository:${repo}:pull`);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) throw await registryError(res);
    return ((await res.json()) as { tags?: string[] }).tags ?? [];
  }

  async getBlob(repo: string, digest: string): Promise<Response> {
    const res = await this.request(`/v2/${repo}/blobs/${digest}`, {}, `repository:${repo}:pull`);
    if (!res.ok) throw await registryError(res);
    return res;
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.request(`/v2/${repo}/blobs/${digest}`, { method: "HEAD" }, `repository:${repo}:pull,push`);
    return res.ok;
  }

  /** Monolithic upload: POST for a session, PUT the bytes with their digest to where it says. */
  async pushBlob(repo: string, digest: string, body: Uint8Array): Promise<void> {
    const scope = `repository:${repo}:pull,push`;
    const start = await this.request(`/v2/${repo}/blobs/uploads/`, { method: "POST" }, scope);
    if (start.status !== 202) throw await registryError(start);
    await start.body?.cancel();
    // Location may be relative (our hub) or absolute, even on another host (a registry
    // behind a proxy or with redirected storage): resolve it against the request.
    const loc = new URL(start.headers.get("location") ?? "", `${this.base}/v2/${repo}/blobs/uploads/`);
    loc.searchParams.set("digest", digest);
    const put = await this.request(loc.toString(), { method: "PUT", body: body as Uint8Array<ArrayBuffer>, headers: { "Content-Type": "application/octet-stream" } }, scope);
    if (put.status !== 201) throw await registryError(put);
    await put.body?.cancel();
  }

  async putManifest(repo: string, tag: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const res = await this.request(`/v2/${repo}/manifests/${tag}`, { method: "PUT", body: bytes as Uint8Array<ArrayBuffer>, headers: { "Content-Type": mediaType } }, `repository:${repo}:pull,push`);
    if (res.status !== 201) throw await registryError(res);
    await res.body?.cancel();
    return res.headers.get("docker-content-digest") ?? (await sha256Digest(bytes));
  }
}

/** The errcode's default message, as distribution's client fills it in. */
const DEFAULT_MESSAGES: Record<string, string> = {
  UNAUTHORIZED: "authentication required",
  DENIED: "requested access to the resource is denied",
  UNKNOWN: "unknown error",
};

/**
 * An error response read as distribution's client does (HandleErrorResponse): an
 * OAuth error in the Bearer challenge first (insufficient_scope is DENIED), then a
 * token server's {"details"}, then the {"errors": […]} body; a bare 401 is
 * "unauthorized: authentication required".
 */
export async function registryError(res: Response): Promise<RegistryError> {
  const status = res.status === 401 ? 401 : res.status === 403 ? 403 : res.status === 404 ? 404 : 500;
  const text = await res.text().catch(() => "");
  let body: { details?: string; errors?: { code: string; message?: string }[] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  const oauth = challengeParams(res.headers.get("www-authenticate") ?? "");
  const fromChallenge = oauth.error === "invalid_token" ? "UNAUTHORIZED" : oauth.error === "insufficient_scope" ? "DENIED" : undefined;
  if (res.status >= 400 && res.status < 500 && fromChallenge) return errcode(status, fromChallenge, oauth.error_description || DEFAULT_MESSAGES[fromChallenge]);
  if (body.details) return errcode(status, res.status === 401 ? "UNAUTHORIZED" : res.status === 429 ? "TOOMANYREQUESTS" : "UNKNOWN", body.details);
  const first = body.errors?.[0];
  if (first) return errcode(status, first.code, first.message || DEFAULT_MESSAGES[first.code] || first.code.toLowerCase());
  if (res.status === 401) return errcode(status, "UNAUTHORIZED", DEFAULT_MESSAGES.UNAUTHORIZED);
  return new RegistryError(status, "UNKNOWN", `received unexpected HTTP status: ${res.status} ${res.statusText}`.trim());
}

/** errcode.Error's text: the code in lower case with spaces, then the message. */
function errcode(status: number, code: string, message: string): RegistryError {
  return new RegistryError(status, code, `${code.toLowerCase().replace(/_/g, " ")}: ${message}`);
}

/** The key="value" pairs of a WWW-Authenticate challenge. */
function challengeParams(challenge: string): Record<string, string> {
  return Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** Go's url.Error names the method as Go spells it: Get, Head, Post, Put. */
function goMethod(method = "GET"): string {
  return method[0].toUpperCase() + method.slice(1).toLowerCase();
}

export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return "sha256:" + Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

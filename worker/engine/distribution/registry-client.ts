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

export class RegistryClient {
  private token: string | undefined;

  constructor(
    private readonly fetch: Fetch,
    /** e.g. http://localhost:5000 */
    readonly base: string,
    private readonly creds?: Credentials,
  ) {}

  private async request(path: string, init: RequestInit = {}, scope?: string): Promise<Response> {
    const go = () => {
      const headers = new Headers(init.headers);
      if (this.token) headers.set("Authorization", `Bearer ${this.token}`);
      else if (this.creds) headers.set("Authorization", `Basic ${btoa(`${this.creds.username}:${this.creds.password}`)}`);
      return this.fetch(`${this.base}${path}`, { ...init, headers });
    };
    let res = await go();
    if (res.status === 401 && scope) {
      const challenge = res.headers.get("www-authenticate") ?? "";
      if (/^bearer/i.test(challenge)) {
        await res.body?.cancel();
        this.token = await this.fetchToken(challenge, scope);
        res = await go();
      }
    }
    return res;
  }

  /** Docker's token flow: GET the realm with service and scope, basic credentials if any. */
  private async fetchToken(challenge: string, scope: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set("service", params.service);
    url.searchParams.set("scope", scope);
    const headers: Record<string, string> = {};
    if (this.creds) headers.Authorization = `Basic ${btoa(`${this.creds.username}:${this.creds.password}`)}`;
    const res = await this.fetch(url.toString(), { headers });
    if (!res.ok) throw new ApiError(401, `unauthorized: authentication required (token server said ${res.status})`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    return body.token ?? body.access_token ?? "";
  }

  /** Checks credentials the way `docker login` does: GET /v2/. */
  async ping(): Promise<Response> {
    return this.request("/v2/", {}, "registry:catalog:*");
  }

  async getManifest(repo: string, reference: string): Promise<{ bytes: Uint8Array; mediaType: string; digest: string } | null> {
    const res = await this.request(`/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_TYPES.join(", ") } }, `repository:${repo}:pull`);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) throw await registryError(res, `manifest for ${repo}:${reference}`);
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
    if (!res.ok) throw await registryError(res, `tags of ${repo}`);
    return ((await res.json()) as { tags?: string[] }).tags ?? [];
  }

  async getBlob(repo: string, digest: string): Promise<Response> {
    const res = await this.request(`/v2/${repo}/blobs/${digest}`, {}, `repository:${repo}:pull`);
    if (!res.ok) throw await registryError(res, `blob ${digest}`);
    return res;
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.request(`/v2/${repo}/blobs/${digest}`, { method: "HEAD" }, `repository:${repo}:pull,push`);
    return res.ok;
  }

  /** Monolithic upload: POST for a session, PUT the bytes with their digest. */
  async pushBlob(repo: string, digest: string, body: Uint8Array): Promise<void> {
    const scope = `repository:${repo}:pull,push`;
    const start = await this.request(`/v2/${repo}/blobs/uploads/`, { method: "POST" }, scope);
    if (start.status !== 202) throw await registryError(start, `upload of ${digest}`);
    await start.body?.cancel();
    const loc = new URL(start.headers.get("location") ?? "", `${this.base}/`);
    loc.searchParams.set("digest", digest);
    const put = await this.request(loc.pathname + loc.search, { method: "PUT", body: body as Uint8Array<ArrayBuffer>, headers: { "Content-Type": "application/octet-stream" } }, scope);
    if (put.status !== 201) throw await registryError(put, `upload of ${digest}`);
    await put.body?.cancel();
  }

  async putManifest(repo: string, tag: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const res = await this.request(`/v2/${repo}/manifests/${tag}`, { method: "PUT", body: bytes as Uint8Array<ArrayBuffer>, headers: { "Content-Type": mediaType } }, `repository:${repo}:pull,push`);
    if (res.status !== 201) throw await registryError(res, `manifest ${repo}:${tag}`);
    await res.body?.cancel();
    return res.headers.get("docker-content-digest") ?? (await sha256Digest(bytes));
  }
}

async function registryError(res: Response, what: string): Promise<ApiError> {
  let detail = `${res.status}`;
  try {
    const body = (await res.json()) as { errors?: { code: string; message: string }[] };
    if (body.errors?.length) detail = body.errors.map((e) => `${e.code.toLowerCase().replace(/_/g, " ")}: ${e.message}`).join("; ");
  } catch {
    /* not JSON */
  }
  if (res.status === 401 || res.status === 403) return new ApiError(res.status === 401 ? 401 : 403, `${what}: unauthorized: ${detail}`);
  return new ApiError(res.status === 404 ? 404 : 500, `${what}: ${detail}`);
}

export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return "sha256:" + Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The error codes of the OCI Distribution spec, and the JSON they travel in:
//   { "errors": [ { "code": "BLOB_UNKNOWN", "message": "...", "detail": ... } ] }
// Clients (docker, skopeo, containerd) read `code` to decide what went wrong.

export const errorCodes = {
  BLOB_UNKNOWN: { status: 404, message: "blob unknown to registry" },
  BLOB_UPLOAD_INVALID: { status: 400, message: "blob upload invalid" },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: "blob upload unknown to registry" },
  DIGEST_INVALID: { status: 400, message: "provided digest did not match uploaded content" },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: "manifest references a manifest or blob unknown to registry" },
  MANIFEST_INVALID: { status: 400, message: "manifest invalid" },
  MANIFEST_UNKNOWN: { status: 404, message: "manifest unknown to registry" },
  NAME_INVALID: { status: 400, message: "invalid repository name" },
  NAME_UNKNOWN: { status: 404, message: "repository name not known to registry" },
  SIZE_INVALID: { status: 400, message: "provided length did not match content length" },
  UNAUTHORIZED: { status: 401, message: "authentication required" },
  DENIED: { status: 403, message: "requested access to the resource is denied" },
  UNSUPPORTED: { status: 405, message: "the operation is unsupported" },
  TOOMANYREQUESTS: { status: 429, message: "too many requests" },
  // Not in the spec's table: distribution's catch-all for a failure of the registry itself.
  UNKNOWN: { status: 500, message: "unknown error" },
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** An error the registry answers with; `status` defaults to the code's usual one. */
export class RegistryError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly detail?: unknown,
    opts: { status?: number; headers?: Record<string, string> } = {},
  ) {
    super(message ?? errorCodes[code].message);
    this.name = "RegistryError";
    this.status = opts.status ?? errorCodes[code].status;
    this.headers = opts.headers ?? {};
  }

  toResponse(method = "GET"): Response {
    const body = JSON.stringify({ errors: [{ code: this.code, message: this.message, detail: this.detail ?? {} }] });
    const headers = new Headers({ "Content-Type": "application/json; charset=utf-8", ...this.headers });
    headers.set("Content-Length", String(new TextEncoder().encode(body).byteLength));
    // A HEAD answer carries the status and headers only.
    return new Response(method === "HEAD" ? null : body, { status: this.status, headers });
  }
}

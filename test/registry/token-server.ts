// A token server as Docker's token auth spec describes it (what Docker Hub's
// auth.docker.io does), for a registry started with `auth: token:`. The client asks
// GET realm?service=…&scope=repository:name:pull,push with Basic credentials and gets
// {"token", "access_token"}: an ES256 JWT whose x5c header carries the signing
// certificate, which the registry checks against its rootcertbundle.
import { createPrivateKey, randomUUID, sign, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { run, tempDir } from "./helpers.ts";

export interface TokenServer {
  /** The realm the registry's challenge names. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM file of the self-signed certificate that signs the tokens: the registry's rootcertbundle. */
  certFile: string;
  /** Every token request, for asserting what clients asked for. */
  requests: { scopes: string[]; account: string | null; user: string | null }[];
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  users: Record<string, string>;
  service?: string;
  issuer?: string;
  /** Headers on every response, so a page can fetch the realm (CORS). */
  headers?: Record<string, string>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const dir = await tempDir("slipway-token-");
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  // A self-signed P-256 certificate: the registry's Go x509 verification accepts a
  // leaf that is itself in the root pool as a chain of one.
  await run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=slipway-test-token-issuer"]);
  const key = createPrivateKey(await readFile(keyFile));
  const pem = await readFile(certFile, "utf8");
  // The PEM body is the DER in base64, which is what x5c holds (standard base64, not url).
  const der = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const service = opts.service ?? "slipway-test-registry";
  const issuer = opts.issuer ?? "slipway-test-token-issuer";
  const requests: TokenServer["requests"] = [];

  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(opts.headers ?? {})) res.setHeader(k, v);
    if (req.method === "OPTIONS") return void res.writeHead(204).end();
    handle(req, res);
  });
  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean);
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "");
    const [user, password] = basic ? Buffer.from(basic[1], "base64").toString().split(/:(.*)/s) : [null, null];
    requests.push({ scopes, account: url.searchParams.get("account"), user });
    if (user !== null && opts.users[user] !== password) {
      // The spec leaves the body open; distribution's client reads {"details"} or errors.
      res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ details: "incorrect username or password" }));
      return;
    }
    // Anonymous clients get a token with no access, as Docker Hub gives for a private repository.
    const access = user === null ? [] : scopes.map(parseScope).filter((a) => a !== null);
    const token = jwt(key, der, { iss: issuer, sub: user ?? "", aud: service, access });
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  }
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** repository:team/app:pull,push → {type, name, actions}; the name may hold colons (a port) only in the type's middle. */
function parseScope(scope: string): { type: string; name: string; actions: string[] } | null {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first < 0 || last === first) return null;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(",").filter(Boolean) };
}

function jwt(key: KeyObject, certDer: string, claims: { iss: string; sub: string; aud: string; access: unknown[] }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: "JWT", alg: "ES256", x5c: [certDer] };
  const payload = { ...claims, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID() };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  // JOSE wants ECDSA signatures as r||s, not DER.
  const sig = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64url(sig)}`;
}

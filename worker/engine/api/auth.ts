// POST /auth: `docker login` asks the daemon to check credentials against the registry.
// The CLI keeps them (~/.docker/config.json) and sends them with each push or pull.
import type { Engine } from "../engine.ts";
import { TokenError } from "../distribution/registry-client.ts";
import { ApiError } from "../errors.ts";
import { parseReference } from "../images/reference.ts";
import { json, jsonBody, type Router } from "../router.ts";

export function authRoutes(r: Router, e: Engine): void {
  r.on("POST", "/auth", async (req) => {
    const b = await jsonBody<{ username?: string; password?: string; serveraddress?: string }>(req);
    const server = (b.serveraddress ?? "").replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    const hub = !server || /index\.docker\.io|docker\.io/.test(server);
    const ref = parseReference(hub ? "library/x" : `${server}/x`);
    // A token registry checks the password at its token server: ping gets a token, and a
    // refusal throws a TokenError worded as dockerd words it (Get "…/v2/": unauthorized: …).
    const client = e.registries.client(ref, { username: b.username ?? "", password: b.password ?? "" });
    const res = await client
      .ping()
      .catch((err: unknown) => {
        throw err instanceof TokenError ? new ApiError(401, err.message) : err;
      });
    await res.body?.cancel();
    // A registry with basic auth answers the ping 401 itself.
    if (res.status === 401 || res.status === 403) throw new ApiError(401, `login attempt to ${hub ? "https://registry-1.docker.io/v2/" : `${client.base}/v2/`} failed with status: ${res.status} ${res.statusText || "Unauthorized"}`);
    return json(200, { Status: "Login Succeeded", IdentityToken: "" });
  });
}

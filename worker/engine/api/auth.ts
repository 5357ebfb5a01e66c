// POST /auth: `docker login` asks the daemon to check credentials against the registry.
// The CLI keeps them (~/.docker/config.json) and sends them with each push or pull.
import type { Engine } from "../engine.ts";
import { ApiError } from "../errors.ts";
import { parseReference } from "../images/reference.ts";
import { json, jsonBody, type Router } from "../router.ts";

export function authRoutes(r: Router, e: Engine): void {
  r.on("POST", "/auth", async (req) => {
    const b = await jsonBody<{ username?: string; password?: string; serveraddress?: string }>(req);
    const server = (b.serveraddress ?? "").replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    const hub = !server || /index\.docker\.io|docker\.io/.test(server);
    const ref = parseReference(hub ? "library/x" : `${server}/x`);
    const res = await e.registries.client(ref, { username: b.username ?? "", password: b.password ?? "" }).ping();
    await res.body?.cancel();
    if (res.status === 401 || res.status === 403) throw new ApiError(401, `login attempt to ${hub ? "https://registry-1.docker.io/v2/" : `http://${server}/v2/`} failed with status: ${res.status} ${res.statusText || "Unauthorized"}`);
    return json(200, { Status: "Login Succeeded", IdentityToken: "" });
  });
}

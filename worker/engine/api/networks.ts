// /networks and /volumes: list, inspect, create, remove.
import type { Engine } from "../engine.ts";
import { badRequest } from "../errors.ts";
import type { Network } from "../network/networks.ts";
import type { ContainerService } from "../containers/service.ts";
import { bool, json, jsonBody, type Router } from "../router.ts";

export function networkRoutes(r: Router, e: Engine, svc: ContainerService): void {
  const view = (n: Network) => ({
    Name: n.name, Id: n.id, Created: n.created, Scope: "local", Driver: n.driver, EnableIPv6: false,
    IPAM: { Driver: "default", Options: null, Config: n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway }] : [] },
    Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: "" }, ConfigOnly: false,
    Containers: Object.fromEntries(
      e.containers.all().flatMap((c) =>
        c.endpoints().filter((ep) => ep.networkId === n.id).map((ep) => [c.id, { Name: c.name, EndpointID: c.id, MacAddress: ep.mac, IPv4Address: `${ep.ip}/${ep.prefixLen}`, IPv6Address: "" }]),
      ),
    ),
    Options: n.name === "bridge" ? { "com.docker.network.bridge.name": "docker0", "com.docker.network.bridge.default_bridge": "true" } : {},
    Labels: n.labels,
  });
  r.on("GET", "/networks", async () => json(200, e.networks.all().map(view)));
  r.on("GET", "/networks/{id}", async (req) => json(200, view(e.networks.get(req.params.id))));
  r.on("POST", "/networks/create", async (req) => {
    const b = await jsonBody<{ Name?: string; Driver?: string; Labels?: Record<string, string>; CheckDuplicate?: boolean }>(req);
    if (!b.Name) throw badRequest("network name is required");
    const n = e.networks.create(b.Name, b.Driver || "bridge", b.Labels ?? {});
    try {
      await e.agent().createNetwork({ name: n.name, bridge: n.bridge, subnet: n.subnet, gateway: n.gateway });
    } catch (err) {
      e.networks.remove(n);
      throw err;
    }
    e.events.emit("network", "create", n.id, { name: n.name, type: n.driver });
    return json(201, { Id: n.id, Warning: "" });
  });
  // docker network connect / disconnect: a running container gets (or loses) one more interface.
  r.on("POST", "/networks/{id}/connect", async (req) => {
    const n = e.networks.get(req.params.id);
    const b = await jsonBody<{ Container?: string }>(req);
    if (!b.Container) throw badRequest("container is required");
    await svc.connect(e.containers.get(b.Container), n);
    return { status: 200 };
  });
  r.on("POST", "/networks/{id}/disconnect", async (req) => {
    const n = e.networks.get(req.params.id);
    const b = await jsonBody<{ Container?: string; Force?: boolean }>(req);
    if (!b.Container) throw badRequest("container is required");
    await svc.disconnect(e.containers.get(b.Container), n);
    return { status: 200 };
  });
  r.on("DELETE", "/networks/{id}", async (req) => {
    const n = e.networks.get(req.params.id);
    e.networks.remove(n);
    await e.agent().removeNetwork(n.name).catch(() => {});
    e.events.emit("network", "destroy", n.id, { name: n.name, type: n.driver });
    return { status: 204 };
  });
  r.on("POST", "/networks/prune", async () => {
    const gone: string[] = [];
    for (const n of e.networks.all()) {
      if (n.internalDefault || n.used.size) continue;
      e.networks.remove(n);
      await e.agent().removeNetwork(n.name).catch(() => {});
      gone.push(n.name);
    }
    return json(200, { NetworksDeleted: gone });
  });

  const users = (name: string) => e.containers.all().filter((c) => c.mounts.some((m) => m.Name === name)).map((c) => c.id);
  const vview = (v: { name: string; mountpoint: string; created: string; labels: Record<string, string> }) => ({ CreatedAt: v.created, Driver: "local", Labels: v.labels, Mountpoint: v.mountpoint, Name: v.name, Options: null, Scope: "local" });
  r.on("GET", "/volumes", async () => json(200, { Volumes: e.volumes.all().map(vview), Warnings: null }));
  r.on("GET", "/volumes/{name}", async (req) => {
    const v = e.volumes.find(req.params.name);
    if (!v) return json(404, { message: `get ${req.params.name}: no such volume` });
    return json(200, vview(v));
  });
  r.on("POST", "/volumes/create", async (req) => {
    const b = await jsonBody<{ Name?: string; Labels?: Record<string, string> }>(req);
    const v = await e.volumes.create(b.Name, b.Labels ?? {});
    e.events.emit("volume", "create", v.name, { driver: "local" });
    return json(201, vview(v));
  });
  r.on("DELETE", "/volumes/{name}", async (req) => {
    await e.volumes.remove(req.params.name, users(req.params.name), bool(req.query.get("force")));
    e.events.emit("volume", "destroy", req.params.name, { driver: "local" });
    return { status: 204 };
  });
  r.on("POST", "/volumes/prune", async () => {
    const gone: string[] = [];
    for (const v of e.volumes.all()) {
      if (!v.anonymous || users(v.name).length) continue;
      await e.volumes.remove(v.name, []);
      gone.push(v.name);
    }
    return json(200, { VolumesDeleted: gone, SpaceReclaimed: 0 });
  });
}

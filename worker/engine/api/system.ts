// /_ping, /version, /info, /events, /system/df: the daemon describing itself.
import type { ApiResponse } from "../http/message.ts";
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION, type Engine } from "../engine.ts";
import { json, type Router } from "../router.ts";
import type { EngineEvent } from "../events.ts";

export function systemRoutes(r: Router, e: Engine): void {
  const ping = async (): Promise<ApiResponse> => ({
    status: 200,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache, no-store, must-revalidate", Pragma: "no-cache", "Builder-Version": "1" },
    body: "OK",
  });
  r.on("GET", "/_ping", ping);
  r.on("HEAD", "/_ping", ping);

  r.on("GET", "/version", async () =>
    json(200, {
      Platform: { Name: "Slipway Engine" },
      Components: [{ Name: "Engine", Version: ENGINE_VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: "linux", Arch: "386", KernelVersion: e.host.kernelVersion } }],
      Version: ENGINE_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: "slipway",
      GoVersion: "none (TypeScript)",
      Os: "linux",
      Arch: "386",
      KernelVersion: e.host.kernelVersion,
      BuildTime: "2026-11-28T00:00:00.000000000+00:00",
    }),
  );

  r.on("GET", "/info", async () => {
    const cs = e.containers.all();
    return json(200, {
      ID: "SLIP:WAYS:ANDB:OXES",
      Containers: cs.length,
      ContainersRunning: cs.filter((c) => c.state.Running).length,
      ContainersPaused: cs.filter((c) => c.state.Paused).length,
      ContainersStopped: cs.filter((c) => !c.state.Running).length,
      Images: e.images.list().length,
      Driver: "overlay2",
      DriverStatus: [["Backing Filesystem", "tmpfs"], ["Supports d_type", "true"], ["Using metacopy", "false"], ["Native Overlay Diff", "true"]],
      Plugins: { Volume: ["local"], Network: ["bridge", "host", "null"], Authorization: null, Log: ["json-file"] },
      MemoryLimit: true, SwapLimit: false, CpuCfsPeriod: true, CpuCfsQuota: true, CPUShares: true, CPUSet: false, PidsLimit: true,
      IPv4Forwarding: true, BridgeNfIptables: false, BridgeNfIp6tables: false, Debug: false,
      NFd: 0, OomKillDisable: false, NGoroutines: 0, SystemTime: new Date().toISOString(),
      LoggingDriver: "json-file", CgroupDriver: "cgroupfs", CgroupVersion: "2", NEventsListener: 0,
      KernelVersion: e.host.kernelVersion, OperatingSystem: "Slipway (busybox on v86)", OSVersion: "", OSType: "linux", Architecture: "i686",
      IndexServerAddress: "https://index.docker.io/v1/",
      RegistryConfig: { AllowNondistributableArtifactsCIDRs: [], AllowNondistributableArtifactsHostnames: [], InsecureRegistryCIDRs: ["127.0.0.0/8"], IndexConfigs: { "docker.io": { Name: "docker.io", Mirrors: [], Secure: true, Official: true } }, Mirrors: [] },
      NCPU: e.host.ncpu, MemTotal: e.host.memTotal, GenericResources: null,
      DockerRootDir: "/var/lib/slipway", HttpProxy: "", HttpsProxy: "", NoProxy: "", Name: e.host.name, Labels: [],
      ExperimentalBuild: false, ServerVersion: ENGINE_VERSION, Runtimes: { nsrun: { path: "nsrun" } }, DefaultRuntime: "nsrun",
      Swarm: { NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "", RemoteManagers: null },
      LiveRestoreEnabled: false, Isolation: "", InitBinary: "", ContainerdCommit: { ID: "", Expected: "" }, RuncCommit: { ID: "nsrun", Expected: "nsrun" }, InitCommit: { ID: "", Expected: "" },
      SecurityOptions: ["name=cgroupns"], Warnings: null,
    });
  });

  r.on("GET", "/events", async (req) => {
    const since = Number(req.query.get("since") ?? 0);
    const until = Number(req.query.get("until") ?? 0);
    const filters = parseFilters(req.query.get("filters"));
    const match = (ev: EngineEvent) =>
      (!filters.type || filters.type.includes(ev.Type)) &&
      (!filters.event || filters.event.includes(ev.Action)) &&
      (!filters.container || (ev.Type === "container" && filters.container.some((c) => ev.Actor.ID.startsWith(c) || ev.Actor.Attributes.name === c)));
    async function* stream(): AsyncGenerator<Uint8Array> {
      const enc = new TextEncoder();
      const queue: EngineEvent[] = since ? e.events.since(since).filter(match) : [];
      let wake: (() => void) | undefined;
      const off = e.events.subscribe((ev) => {
        if (!match(ev)) return;
        queue.push(ev);
        wake?.();
      });
      try {
        for (;;) {
          while (queue.length) {
            const ev = queue.shift()!;
            if (until && ev.time > until) return;
            yield enc.encode(JSON.stringify(ev) + "\n");
          }
          if (until && Date.now() / 1000 >= until) return;
          await new Promise<void>((r) => {
            wake = r;
            if (until) setTimeout(r, Math.max(0, until * 1000 - Date.now()));
          });
        }
      } finally {
        off();
      }
    }
    return { status: 200, headers: { "Content-Type": "application/json" }, body: stream() };
  });

  r.on("GET", "/system/df", async () => {
    const images = e.images.list();
    const cs = e.containers.all();
    return json(200, {
      LayersSize: images.reduce((n, i) => n + e.images.size(i), 0),
      Images: images.map((i) => ({ Id: i.id, ParentId: "", RepoTags: e.images.repoTags(i.id), RepoDigests: e.images.repoDigests(i.id), Created: Math.floor(Date.parse(i.config.created ?? "1970-01-01T00:00:00Z") / 1000), Size: e.images.size(i), SharedSize: -1, VirtualSize: e.images.size(i), Labels: i.config.config?.Labels ?? {}, Containers: cs.filter((c) => c.imageId === i.id).length })),
      Containers: cs.map((c) => ({ Id: c.id, Names: [`/${c.name}`], Image: c.image, ImageID: c.imageId, Command: [c.path, ...c.args].join(" "), Created: Math.floor(Date.parse(c.created) / 1000), State: c.state.Status, Status: c.state.Status, SizeRw: 0, SizeRootFs: 0, Labels: c.config.Labels ?? {}, Mounts: [] })),
      Volumes: e.volumes.all().map((v) => ({ Name: v.name, Driver: "local", Mountpoint: v.mountpoint, CreatedAt: v.created, Labels: v.labels, Scope: "local", Options: null, UsageData: { Size: -1, RefCount: cs.filter((c) => c.mounts.some((m) => m.Name === v.name)).length } })),
      BuildCache: [],
    });
  });
}

/** Docker's filters query: JSON {"key": ["v", …]} or the old {"key": {"v": true}}. */
export function parseFilters(raw: string | null): Record<string, string[]> {
  if (!raw) return {};
  try {
    const obj = JSON.parse(raw) as Record<string, string[] | Record<string, boolean>>;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, Array.isArray(v) ? v : Object.keys(v).filter((x) => v[x])]));
  } catch {
    return {};
  }
}

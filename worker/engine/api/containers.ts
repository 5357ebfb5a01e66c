// /containers: create, list, inspect, start, stop, restart, kill, pause, unpause, wait, attach, logs,
// top, resize, remove, prune.
import type { Engine } from "../engine.ts";
import { ApiError, badRequest, conflict } from "../errors.ts";
import type { ApiRequest, ApiResponse } from "../http/message.ts";
import { bool, json, jsonBody, type Router } from "../router.ts";
import { frame, MULTIPLEXED, RAW } from "../streams.ts";
import { concatBytes } from "../bytes.ts";
import { Container, statusText, type ContainerConfig, type Endpoint, type HostConfig } from "../containers/container.ts";
import { sleep, type ContainerService } from "../containers/service.ts";
import { parseFilters } from "./system.ts";
import type { LogEntry } from "../containers/logs.ts";
import { sample, statsJson, type Sample } from "../containers/stats.ts";

export function containerRoutes(r: Router, e: Engine, svc: ContainerService): void {
  r.on("POST", "/containers/create", async (req) => {
    const body = await jsonBody<ContainerConfig & { HostConfig?: HostConfig }>(req);
    const c = await svc.create(body, req.query.get("name"));
    return json(201, { Id: c.id, Warnings: [] });
  });

  r.on("GET", "/containers/json", async (req) => {
    const all = bool(req.query.get("all"));
    const limit = Number(req.query.get("limit") ?? -1);
    const f = parseFilters(req.query.get("filters"));
    let list = e.containers.all().filter((c) => all || c.state.Running || c.state.Restarting || (f.status && f.status.length > 0));
    if (f.status) list = list.filter((c) => f.status.includes(c.state.Status));
    if (f.name) list = list.filter((c) => f.name.some((n) => new RegExp(n.replace(/^\//, "")).test(c.name)));
    if (f.id) list = list.filter((c) => f.id.some((i) => c.id.startsWith(i)));
    if (f.ancestor) list = list.filter((c) => f.ancestor.some((a) => c.image === a || c.imageId === e.images.resolve(a)?.id));
    if (f.label) list = list.filter((c) => f.label.every((l) => { const [k, v] = l.split("="); return v === undefined ? k in (c.config.Labels ?? {}) : c.config.Labels?.[k] === v; }));
    if (f.exited) list = list.filter((c) => c.state.Status === "exited" && f.exited.includes(String(c.state.ExitCode)));
    if (limit > 0) list = list.slice(0, limit);
    return json(200, list.map((c) => listEntry(e, c)));
  });

  r.on("GET", "/containers/{id}/json", async (req) => json(200, inspect(e, e.containers.get(req.params.id))));

  r.on("POST", "/containers/{id}/start", async (req) => {
    const c = e.containers.get(req.params.id);
    if (c.state.Running) return { status: 304 };
    await svc.start(c);
    return { status: 204 };
  });

  r.on("POST", "/containers/{id}/stop", async (req) => {
    const c = e.containers.get(req.params.id);
    const t = req.query.get("t") ?? req.query.get("timeout");
    const stopped = await svc.stop(c, t !== null ? Number(t) : undefined, req.query.get("signal") ?? undefined);
    return { status: stopped ? 204 : 304 };
  });

  r.on("POST", "/containers/{id}/restart", async (req) => {
    const c = e.containers.get(req.params.id);
    const t = req.query.get("t");
    await svc.stop(c, t !== null ? Number(t) : undefined);
    await svc.start(c);
    e.events.emit("container", "restart", c.id, { image: c.image, name: c.name });
    return { status: 204 };
  });

  r.on("POST", "/containers/{id}/kill", async (req) => {
    const c = e.containers.get(req.params.id);
    await svc.kill(c, normalizeSignal(req.query.get("signal") ?? "SIGKILL"));
    return { status: 204 };
  });

  r.on("POST", "/containers/{id}/pause", async (req) => {
    await svc.pause(e.containers.get(req.params.id));
    return { status: 204 };
  });

  r.on("POST", "/containers/{id}/unpause", async (req) => {
    await svc.unpause(e.containers.get(req.params.id));
    return { status: 204 };
  });

  r.on("POST", "/containers/{id}/wait", async (req) => {
    const c = e.containers.get(req.params.id);
    const condition = req.query.get("condition") ?? "not-running";
    if (!["not-running", "next-exit", "removed"].includes(condition)) throw badRequest(`invalid condition: "${condition}"`);
    // next-exit waits for the run that is about to start; not-running returns at once if stopped.
    const waitFor = async () => {
      if (condition === "not-running" && !c.state.Running) return;
      if (!c.state.Running) await c.nextStart();
      // A start that failed ends the wait too, with its exit code and error.
      await c.exited;
      if (condition === "removed") await c.removed;
    };
    async function* body() {
      await waitFor();
      const err = c.state.Error ? { Error: { Message: c.state.Error } } : {};
      yield new TextEncoder().encode(JSON.stringify({ StatusCode: c.state.ExitCode, ...err }) + "\n");
    }
    return { status: 200, headers: { "Content-Type": "application/json" }, body: body() };
  });

  r.on("POST", "/containers/{id}/attach", async (req) => attach(req, e.containers.get(req.params.id)));

  r.on("GET", "/containers/{id}/logs", async (req) => {
    const c = e.containers.get(req.params.id);
    const stdout = bool(req.query.get("stdout"));
    const stderr = bool(req.query.get("stderr"));
    if (!stdout && !stderr) throw badRequest("You must choose at least one stream");
    const follow = bool(req.query.get("follow"));
    const tailQ = req.query.get("tail");
    const tail = tailQ && tailQ !== "all" ? Number(tailQ) : -1;
    const ts = bool(req.query.get("timestamps"));
    const since = Number(req.query.get("since") ?? 0);
    const until = Number(req.query.get("until") ?? 0);
    const tty = !!c.config.Tty;
    const enc = new TextEncoder();
    const render = (en: LogEntry) => {
      if ((en.stream === 1 && !stdout) || (en.stream === 2 && !stderr)) return null;
      const data = ts ? concatBytes([enc.encode(en.time + " "), en.data]) : en.data;
      return tty ? data : frame(en.stream, data);
    };
    async function* body(): AsyncGenerator<Uint8Array> {
      const pending: (LogEntry | null)[] = [];
      let wake: (() => void) | undefined;
      const off = follow && c.state.Running ? c.logs.follow((en) => { pending.push(en); wake?.(); }) : undefined;
      try {
        for (const en of c.logs.snapshot(tail, since, until)) {
          const b = render(en);
          if (b) yield b;
        }
        if (!off) return;
        for (;;) {
          while (pending.length) {
            const en = pending.shift()!;
            if (en === null) return;
            const b = render(en);
            if (b) yield b;
          }
          await new Promise<void>((r) => (wake = r));
        }
      } finally {
        off?.();
      }
    }
    return { status: 200, headers: { "Content-Type": tty ? RAW : MULTIPLEXED }, body: body() };
  });

  // docker stats: a reading a second (the interval of dockerd's collector); without stream, one
  // object once a second reading, half a second on, can give CPU its delta (the CLI waits 1.5 s
  // for every container's first object); one-shot: at once, without it.
  r.on("GET", "/containers/{id}/stats", async (req) => {
    const c = e.containers.get(req.params.id);
    const stream = req.query.get("stream") === null ? true : bool(req.query.get("stream"));
    const oneShot = bool(req.query.get("one-shot"));
    const line = (x: unknown) => new TextEncoder().encode(JSON.stringify(x) + "\n");
    async function* body(): AsyncGenerator<Uint8Array> {
      // A stopped container reads as zeros, as dockerd answers for one.
      if (!c.state.Running) return void (yield line(statsJson(c, undefined, undefined)));
      let before: Sample | undefined;
      for (let first = true; c.state.Running; first = false) {
        if (!first) await Promise.race([sleep(stream ? 1000 : 500), c.exited]);
        if (!c.state.Running) return;
        const now = await sample(e.agent(), c, e.host.memTotal);
        if (!stream && !oneShot && !before) {
          before = now;
          continue;
        }
        yield line(statsJson(c, now, before));
        if (!stream) return;
        before = now;
      }
    }
    return { status: 200, headers: { "Content-Type": "application/json" }, body: body() };
  });

  r.on("POST", "/containers/{id}/update", async (req) => {
    const c = e.containers.get(req.params.id);
    await svc.update(c, await jsonBody<Partial<HostConfig>>(req));
    return json(200, { Warnings: null });
  });

  r.on("GET", "/containers/{id}/top", async (req) => {
    const c = e.containers.get(req.params.id);
    if (!c.state.Running) throw conflict(`Container ${c.id} is not running`);
    return json(200, await e.agent().top(c.id, req.query.get("ps_args") ?? undefined));
  });

  r.on("POST", "/containers/{id}/resize", async (req) => {
    const c = e.containers.get(req.params.id);
    const h = Number(req.query.get("h"));
    const w = Number(req.query.get("w"));
    if (!c.state.Running || !c.io) throw conflict(`Container ${c.id} is not running`);
    if (h > 0 && w > 0) c.io.resize(h, w);
    return { status: 200 };
  });

  r.on("POST", "/containers/{id}/rename", async (req) => {
    const c = e.containers.get(req.params.id);
    const name = req.query.get("name") ?? "";
    if (e.containers.byName(name)) throw conflict(`Conflict. The container name "/${name}" is already in use by container "${e.containers.byName(name)!.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    c.name = name.replace(/^\//, "");
    return { status: 204 };
  });

  r.on("DELETE", "/containers/{id}", async (req) => {
    const c = e.containers.get(req.params.id);
    await svc.remove(c, { force: bool(req.query.get("force")), volumes: bool(req.query.get("v")) });
    return { status: 204 };
  });

  r.on("POST", "/containers/prune", async () => {
    const gone: string[] = [];
    for (const c of e.containers.all()) {
      if (c.state.Running) continue;
      await svc.remove(c, { force: false, volumes: false });
      gone.push(c.id);
    }
    return json(200, { ContainersDeleted: gone.length ? gone : null, SpaceReclaimed: 0 });
  });
}

/** The hijacked attach stream: output as it happens (raw with a TTY, else multiplexed), stdin to the container. */
function attach(req: ApiRequest, c: Container): ApiResponse {
  const stdin = bool(req.query.get("stdin"));
  const stdout = bool(req.query.get("stdout"));
  const stderr = bool(req.query.get("stderr"));
  const logs = bool(req.query.get("logs"));
  const tty = !!c.config.Tty;
  // Follow the output from the moment the request arrives, not once the hijack is done:
  // docker run starts the container as soon as it reads the 101, and a short-lived one
  // could print (and exit) in between. Until the connection is ours, entries wait here.
  const early: (LogEntry | null)[] = [];
  let deliver: (en: LogEntry | null) => void = (en) => early.push(en);
  const off = c.logs.follow((en) => deliver(en));
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  // docker run attaches before it starts: a start that fails ends the attach too.
  if (c.state.Status === "created") void c.nextStart().then(() => c.state.Running || finished());
  return {
    contentType: tty ? RAW : MULTIPLEXED,
    hijack: async (conn) => {
      const send = (stream: 1 | 2, data: Uint8Array) => {
        if ((stream === 1 && !stdout) || (stream === 2 && !stderr)) return;
        void conn.write(tty ? data : frame(stream, data)).catch(() => {});
      };
      if (logs) for (const en of c.logs.snapshot()) send(en.stream, en.data);
      // Output from the run that is running now, or the next one.
      deliver = (en) => (en ? send(en.stream, en.data) : finished());
      // With logs=1 the snapshot already holds the early output; only its end still counts.
      for (const en of early.splice(0)) if (!logs || en === null) deliver(en);
      if (!c.state.Running && c.state.Status !== "created" && !logs) finished();
      if (stdin) {
        // A client that vanishes mid-stream just ends its stdin.
        void (async () => {
          for (;;) {
            const data = await conn.read();
            if (data === null) {
              if (c.config.StdinOnce) c.io?.closeStdin();
              return;
            }
            if (!c.io) await c.nextStart();
            c.io?.writeStdin(data);
          }
        })().catch(() => c.config.StdinOnce && c.io?.closeStdin());
      }
      await done;
      off();
      conn.close();
    },
  };
}

export function normalizeSignal(s: string): string {
  if (/^\d+$/.test(s)) return s;
  const up = s.toUpperCase();
  return up.startsWith("SIG") ? up : `SIG${up}`;
}


function portsOf(c: Container) {
  const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  for (const p of c.publishedPorts) out.push({ IP: p.hostIp, PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto });
  for (const key of Object.keys(c.config.ExposedPorts ?? {})) {
    const [port, proto = "tcp"] = key.split("/");
    if (!out.some((o) => o.PrivatePort === Number(port) && o.Type === proto)) out.push({ PrivatePort: Number(port), Type: proto });
  }
  return out;
}

function networksOf(c: Container) {
  const entry = (name: string, ep: Endpoint | undefined) => ({
    IPAMConfig: null, Links: null, Aliases: name === "bridge" || name === "host" || name === "none" ? null : [c.name, c.shortId],
    NetworkID: ep?.networkId ?? "", EndpointID: ep ? c.id.slice(0, 64) : "", Gateway: ep?.gateway ?? "", IPAddress: ep?.ip ?? "", IPPrefixLen: ep?.prefixLen ?? 0,
    IPv6Gateway: "", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0, MacAddress: ep?.mac ?? "", DriverOpts: null,
  });
  const name = c.hostConfig.NetworkMode ?? "bridge";
  return Object.fromEntries([
    [name, entry(name, c.endpoint)],
    ...c.extraNetworks.map((n) => [n, entry(n, c.extraEndpoints.find((ep) => ep.network === n))]),
  ]);
}

function listEntry(e: Engine, c: Container) {
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.image,
    ImageID: c.imageId,
    Command: [c.path, ...c.args].join(" "),
    Created: Math.floor(Date.parse(c.created) / 1000),
    Ports: portsOf(c),
    Labels: c.config.Labels ?? {},
    State: c.state.Status,
    Status: statusText(c),
    HostConfig: { NetworkMode: c.hostConfig.NetworkMode ?? "bridge" },
    NetworkSettings: { Networks: networksOf(c) },
    Mounts: c.mounts.map((m) => ({ ...m, Driver: m.Type === "volume" ? "local" : undefined })),
  };
}

export function inspect(e: Engine, c: Container) {
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of Object.keys(c.config.ExposedPorts ?? {})) ports[key] = null;
  for (const p of c.publishedPorts) (ports[`${p.containerPort}/${p.proto}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  const ep = c.endpoint;
  return {
    Id: c.id,
    Created: c.created,
    Path: c.path,
    Args: c.args,
    // Docker counts a restarting container as running.
    State: { ...c.state, Running: c.state.Running || c.state.Restarting },
    Image: c.imageId,
    ResolvConfPath: "",
    HostnamePath: `/var/lib/slipway/containers/${c.id}/hostname`,
    HostsPath: `/var/lib/slipway/containers/${c.id}/hosts`,
    LogPath: "",
    Name: `/${c.name}`,
    RestartCount: c.restartCount,
    Driver: "overlay2",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: null,
    HostConfig: {
      Binds: c.hostConfig.Binds ?? null, ContainerIDFile: "", LogConfig: { Type: "json-file", Config: {} }, NetworkMode: c.hostConfig.NetworkMode ?? "bridge",
      PortBindings: c.hostConfig.PortBindings ?? {}, RestartPolicy: c.hostConfig.RestartPolicy ?? { Name: "no", MaximumRetryCount: 0 }, AutoRemove: !!c.hostConfig.AutoRemove,
      VolumeDriver: "", VolumesFrom: null, Privileged: false, PublishAllPorts: !!c.hostConfig.PublishAllPorts, ReadonlyRootfs: !!c.hostConfig.ReadonlyRootfs,
      Memory: c.hostConfig.Memory ?? 0, MemorySwap: c.hostConfig.MemorySwap ?? 0, NanoCpus: c.hostConfig.NanoCpus ?? 0, CpuShares: c.hostConfig.CpuShares ?? 0,
      CpuPeriod: c.hostConfig.CpuPeriod ?? 0, CpuQuota: c.hostConfig.CpuQuota ?? 0, PidsLimit: c.hostConfig.PidsLimit ?? null, Init: c.hostConfig.Init ?? null,
    },
    GraphDriver: { Name: "overlay2", Data: { LowerDir: "", MergedDir: `/var/lib/slipway/containers/${c.id}/rootfs`, UpperDir: `/var/lib/slipway/containers/${c.id}/upper`, WorkDir: `/var/lib/slipway/containers/${c.id}/work` } },
    Mounts: c.mounts.map((m) => ({ ...m, Driver: m.Type === "volume" ? "local" : undefined })),
    Config: { ...c.config, AttachStdin: !!c.config.AttachStdin, AttachStdout: !!c.config.AttachStdout, AttachStderr: !!c.config.AttachStderr, Tty: !!c.config.Tty, OpenStdin: !!c.config.OpenStdin, StdinOnce: !!c.config.StdinOnce, Domainname: "" },
    NetworkSettings: {
      Bridge: "", SandboxID: "", HairpinMode: false, LinkLocalIPv6Address: "", LinkLocalIPv6PrefixLen: 0, Ports: ports, SandboxKey: c.state.Running ? `/run/netns/${c.id}` : "",
      SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: ep ? c.id : "", Gateway: (c.hostConfig.NetworkMode ?? "bridge") === "bridge" ? ep?.gateway ?? "" : "",
      GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0, IPAddress: (c.hostConfig.NetworkMode ?? "bridge") === "bridge" ? ep?.ip ?? "" : "", IPPrefixLen: ep?.prefixLen ?? 0, IPv6Gateway: "",
      MacAddress: ep?.mac ?? "", Networks: networksOf(c),
    },
  };
}

export function requireRunning(c: Container): void {
  if (!c.state.Running) throw new ApiError(409, `Container ${c.id} is not running`);
}

// Container lifecycle, as dockerd's daemon/ does it: create, start, stop, kill, wait,
// remove. The guest agent does the work in the guest (mounts, netns, nsrun).
import type { ExitInfo } from "../../link/agent-api.ts";
import type { Engine } from "../engine.ts";
import { ApiError, badRequest, conflict } from "../errors.ts";
import { familiarString, parseReference } from "../images/reference.ts";
import type { Image } from "../images/image-store.ts";
import { Container, ZERO_TIME, type ContainerConfig, type HostConfig, type MountPoint } from "./container.ts";
import { generateName, randomId, VALID_NAME } from "./names.ts";
import { buildSpec, commandOf, cpuMax, DEFAULT_PATH, mergeEnv } from "./oci-spec.ts";
import { macFor, type Network } from "../network/networks.ts";
import { streamOf } from "../images/pull.ts";

const asList = (v: string[] | string | null | undefined): string[] | null | undefined => (typeof v === "string" ? [v] : v);

export class ContainerService {
  constructor(private readonly engine: Engine) {}

  async create(body: ContainerConfig & { HostConfig?: HostConfig }, name: string | null): Promise<Container> {
    const e = this.engine;
    if (!body.Image) throw badRequest("config cannot be empty in order to create a container");
    const image = e.images.resolve(body.Image);
    if (!image) throw new ApiError(404, `No such image: ${imageShown(body.Image)}`);
    if (name !== null && name !== "") {
      if (!VALID_NAME.test(name)) throw badRequest(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const clash = e.containers.byName(name);
      if (clash) throw conflict(`Conflict. The container name "/${name.replace(/^\//, "")}" is already in use by container "${clash.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    const hc: HostConfig = { NetworkMode: "default", ...body.HostConfig };
    if (hc.NetworkMode === "default") hc.NetworkMode = "bridge";
    if (hc.Memory && hc.Memory < 6 * 1024 * 1024) throw badRequest("Minimum memory limit allowed is 6MB");
    if (hc.NanoCpus && (hc.NanoCpus < 0 || hc.NanoCpus > e.host.ncpu * 1e9)) throw badRequest(`range of CPUs is from 0.01 to ${e.host.ncpu}.00, as there are only ${e.host.ncpu} CPUs available`);
    if (hc.NetworkMode && !["bridge", "host", "none"].includes(hc.NetworkMode) && !e.networks.find(hc.NetworkMode)) throw new ApiError(404, `network ${hc.NetworkMode} not found`);
    validatePorts(hc);
    validateRestartPolicy(hc);

    const id = randomId();
    const command = commandOf(image.config, asList(body.Entrypoint), asList(body.Cmd));
    if (!command.length) throw badRequest("no command specified");
    const config: ContainerConfig = {
      ...body,
      Hostname: body.Hostname || id.slice(0, 12),
      Env: mergeEnv(image.config.config?.Env, body.Env ?? []),
      Cmd: asList(body.Cmd) ?? (body.Entrypoint ? null : image.config.config?.Cmd ?? null),
      Entrypoint: asList(body.Entrypoint) ?? image.config.config?.Entrypoint ?? null,
      WorkingDir: body.WorkingDir || image.config.config?.WorkingDir || "",
      ExposedPorts: { ...image.config.config?.ExposedPorts, ...body.ExposedPorts },
      Labels: { ...image.config.config?.Labels, ...body.Labels },
      StopSignal: body.StopSignal || image.config.config?.StopSignal || "SIGTERM",
      Image: body.Image,
    };
    const c = new Container(id, (name || generateName((n) => !!e.containers.byName(n))).replace(/^\//, ""), new Date().toISOString(), body.Image, image.id, config, hc, command[0], command.slice(1));
    c.mounts = await this.mountsFor(c, image);
    e.containers.add(c);
    e.events.emit("container", "create", id, { image: body.Image, name: c.name });
    return c;
  }

  private async mountsFor(c: Container, image: Image): Promise<MountPoint[]> {
    const mounts: MountPoint[] = [];
    for (const bind of c.hostConfig.Binds ?? []) {
      const [src, dst, mode = "rw"] = bind.split(":");
      if (!src || !dst || !dst.startsWith("/")) throw badRequest(`invalid volume specification: '${bind}'`);
      if (src.startsWith("/")) mounts.push({ Type: "bind", Source: src, Destination: dst, Mode: mode, RW: !mode.split(",").includes("ro"), Propagation: "rprivate" });
      else {
        const v = await this.engine.volumes.create(src);
        mounts.push({ Type: "volume", Name: v.name, Source: v.mountpoint, Destination: dst, Mode: mode === "rw" ? "z" : mode, RW: !mode.split(",").includes("ro"), Propagation: "" });
      }
    }
    // --mount, Docker's long form.
    for (const m of c.hostConfig.Mounts ?? []) {
      const dst = m.Target;
      if (!dst?.startsWith("/")) throw badRequest(`invalid mount config for type "${m.Type}": invalid mount path: '${dst ?? ""}' mount path must be absolute`);
      if (mounts.some((x) => x.Destination === dst)) throw badRequest(`Duplicate mount point: ${dst}`);
      const rw = !m.ReadOnly;
      if (m.Type === "bind") {
        if (!m.Source?.startsWith("/")) throw badRequest(`invalid mount config for type "bind": invalid mount path: '${m.Source ?? ""}' mount path must be absolute`);
        mounts.push({ Type: "bind", Source: m.Source, Destination: dst, Mode: "", RW: rw, Propagation: "rprivate" });
      } else if (m.Type === "volume") {
        const v = await this.engine.volumes.create(m.Source || undefined);
        mounts.push({ Type: "volume", Name: v.name, Source: v.mountpoint, Destination: dst, Mode: "z", RW: rw, Propagation: "" });
      } else if (m.Type === "tmpfs") {
        const o = m.TmpfsOptions ?? {};
        const options = [...(o.SizeBytes ? [`size=${o.SizeBytes}`] : []), ...(o.Mode ? [`mode=${o.Mode.toString(8)}`] : [])];
        mounts.push({ Type: "tmpfs", Source: "", Destination: dst, Mode: "", RW: rw, Propagation: "", Options: options });
      } else throw badRequest(`mount type unknown: "${m.Type}"`);
    }
    // VOLUME paths, the image's and the container's own (docker run -v /data), get anonymous
    // volumes unless something is mounted there.
    for (const dst of Object.keys({ ...image.config.config?.Volumes, ...c.config.Volumes })) {
      if (mounts.some((m) => m.Destination === dst)) continue;
      const v = await this.engine.volumes.create(undefined);
      mounts.push({ Type: "volume", Name: v.name, Source: v.mountpoint, Destination: dst, Mode: "", RW: true, Propagation: "" });
    }
    return mounts;
  }

  async start(c: Container): Promise<void> {
    const e = this.engine;
    this.cancelRestart(c);
    if (c.state.Running) return;
    c.manuallyStopped = false;
    // A run that just ended is released before the next one mounts the same files.
    await c.exited;
    if (c.state.Status === "removing") throw conflict(`container ${c.id} is marked for removal and cannot be started`);
    const agent = e.agent();
    const image = this.imageOf(c);
    await this.storeLayers(image);

    const mode = c.hostConfig.NetworkMode ?? "bridge";
    const net = mode === "host" || mode === "none" ? undefined : e.networks.get(mode);
    const ip = net ? e.networks.allocate(net, c.id) : undefined;
    const env = mergeEnv([DEFAULT_PATH, `HOSTNAME=${c.config.Hostname}`], c.config.Env ?? []);
    if (c.config.Tty && !env.some((x) => x.startsWith("TERM="))) env.push("TERM=xterm");
    const spec = buildSpec(c, image.config, env);
    try {
      // The address is ours to give, so the ports are published first and the container is
      // created and started in one call to the guest (one `nsrun run --detach`).
      if (net && ip) c.endpoint = { network: net.name, networkId: net.id, ip, gateway: net.gateway, prefixLen: Number(net.subnet.split("/")[1]), mac: macFor(ip), aliases: [c.name] };
      await this.publishPorts(c);
      const { io, pid, ...created } = await agent.runContainer({
        id: c.id,
        layers: image.layers.map((l) => l.diffId),
        spec,
        network: net ? { mode: "bridge", name: net.name, ip, aliases: [c.name, c.shortId] } : { mode: mode === "host" ? "host" : "none", name: mode },
        hosts: this.hostsFile(c, ip, net?.name),
        hostname: c.config.Hostname ?? c.shortId,
        tty: !!c.config.Tty,
        openStdin: !!c.config.OpenStdin,
      });
      if (c.endpoint) c.endpoint = { ...c.endpoint, ip: created.ip ?? c.endpoint.ip, gateway: created.gateway ?? c.endpoint.gateway, mac: created.macAddress ?? c.endpoint.mac };
      c.io = io;
      for (const name of c.extraNetworks) await this.plug(c, e.networks.get(name));
      c.state = { ...c.state, Status: "running", Running: true, Restarting: false, Paused: false, Pid: pid, ExitCode: 0, Error: "", OOMKilled: false, StartedAt: new Date().toISOString(), FinishedAt: ZERO_TIME };
      io.onOutput((stream, data) => c.logs.append(stream, data));
      let done!: () => void;
      c.exited = new Promise((r) => (done = r));
      void io.exited.then((x) => this.onExit(c, x).finally(done));
    } catch (err) {
      await this.cleanup(c);
      const msg = (err as Error).message;
      const code = exitCodeForStartError(msg);
      c.state = { ...c.state, Status: c.state.StartedAt === ZERO_TIME ? "created" : "exited", Running: false, Restarting: false, Error: startErrorMessage(msg), ExitCode: code };
      c.startSettled();
      // As dockerd does: --rm removes a container that could not start (the CLI waits for it).
      if (c.hostConfig.AutoRemove) await this.remove(c, { force: true, volumes: true }).catch(() => {});
      throw new ApiError(code === 126 || code === 127 ? 400 : 500, startErrorMessage(msg));
    }
    c.startSettled();
    e.events.emit("container", "start", c.id, { image: c.image, name: c.name });
    for (const ep of c.endpoints()) await this.refreshHosts(ep.network);
  }

  /** One more network for a running container (eth1, eth2…), by its address on that network. */
  private async plug(c: Container, net: Network): Promise<void> {
    const ip = this.engine.networks.allocate(net, c.id);
    const got = await this.engine.agent().connectNetwork(c.id, net.name, ip);
    c.extraEndpoints.push({ network: net.name, networkId: net.id, ip: got.ip ?? ip, gateway: got.gateway ?? net.gateway, prefixLen: Number(net.subnet.split("/")[1]), mac: got.macAddress ?? macFor(ip), aliases: [c.name] });
  }

  /** docker network connect: now if it runs, and at every start from now on. */
  async connect(c: Container, net: Network): Promise<void> {
    const mode = c.hostConfig.NetworkMode ?? "bridge";
    if (mode === "host" || net.driver === "host") throw badRequest("container cannot be disconnected from host network or connected to host network");
    if (mode === "none" || net.driver === "null") throw badRequest("container cannot be connected to multiple networks with one of the networks in private (none) mode");
    if (mode === net.name || c.extraNetworks.includes(net.name)) throw new ApiError(403, `endpoint with name ${c.name} already exists in network ${net.name}`);
    c.extraNetworks.push(net.name);
    if (c.state.Running) {
      try {
        await this.plug(c, net);
      } catch (err) {
        c.extraNetworks = c.extraNetworks.filter((n) => n !== net.name);
        for (const [ip, id] of net.used) if (id === c.id) net.used.delete(ip);
        throw err;
      }
      for (const ep of c.endpoints()) await this.refreshHosts(ep.network);
    }
    this.engine.events.emit("network", "connect", net.id, { container: c.id, name: net.name, type: net.driver });
  }

  async disconnect(c: Container, net: Network): Promise<void> {
    if (!c.extraNetworks.includes(net.name)) {
      if ((c.hostConfig.NetworkMode ?? "bridge") === net.name) throw badRequest(`Slipway cannot disconnect container ${c.name} from ${net.name}, the network it was created on`);
      throw new ApiError(403, `container ${c.id} is not connected to network ${net.name}`);
    }
    c.extraNetworks = c.extraNetworks.filter((n) => n !== net.name);
    const ep = c.extraEndpoints.find((x) => x.network === net.name);
    if (ep) {
      await this.engine.agent().disconnectNetwork(c.id, net.name);
      c.extraEndpoints = c.extraEndpoints.filter((x) => x !== ep);
      net.used.delete(ep.ip);
      await this.refreshHosts(net.name);
      for (const other of c.endpoints()) await this.refreshHosts(other.network);
    }
    this.engine.events.emit("network", "disconnect", net.id, { container: c.id, name: net.name, type: net.driver });
  }

  /** The container's image layers (diff_ids, lowest first), each stored in the guest. */
  async layersOf(c: Container): Promise<string[]> {
    const image = this.imageOf(c);
    await this.storeLayers(image);
    return image.layers.map((l) => l.diffId);
  }

  private imageOf(c: Container): Image {
    const image = this.engine.images.get(c.imageId);
    if (!image) throw new ApiError(500, `image ${c.imageId} of container ${c.name} is gone`);
    return image;
  }

  /** Each layer unpacked in the guest once: a layer it has is not sent again. */
  private async storeLayers(image: Image): Promise<void> {
    const e = this.engine;
    for (const l of image.layers) if (!(await e.agent().hasLayer(l.diffId))) await e.agent().putLayer(l.diffId, streamOf(await e.images.readBlob(l.digest)));
  }

  private async onExit(c: Container, x: ExitInfo): Promise<void> {
    const e = this.engine;
    c.io = undefined;
    c.state = { ...c.state, Status: "exited", Running: false, Paused: false, Pid: 0, ExitCode: x.status, OOMKilled: x.oomKilled, Error: x.error ?? "", FinishedAt: new Date().toISOString() };
    c.logs.close();
    if (x.oomKilled) e.events.emit("container", "oom", c.id, { image: c.image, name: c.name });
    e.events.emit("container", "die", c.id, { image: c.image, name: c.name, exitCode: String(x.status) });
    // --rm: removal frees the run too, in one call to the guest instead of two (docker run --rm waits for it).
    if (c.hostConfig.AutoRemove) return void (await this.remove(c, { force: true, volumes: true }).catch(() => {}));
    await this.cleanup(c);
    this.maybeRestart(c, x.status);
  }

  private restartTimers = new Map<string, ReturnType<typeof setTimeout>>();

  /**
   * --restart, as dockerd's restart manager decides: always and unless-stopped restart unless
   * the user stopped it, on-failure after a non-zero exit up to its maximum count; the wait
   * starts at 100 ms and doubles up to a minute, back to 100 ms after a run of 10 s or more.
   * Meanwhile the container is "restarting" (Docker counts it as running: docker ps lists it).
   */
  private maybeRestart(c: Container, exitCode: number): void {
    const p = c.hostConfig.RestartPolicy ?? { Name: "no" };
    const max = p.MaximumRetryCount ?? 0;
    const restart =
      !c.manuallyStopped &&
      (p.Name === "always" || p.Name === "unless-stopped" || (p.Name === "on-failure" && exitCode !== 0 && (max === 0 || c.restartCount < max)));
    if (!restart || c.state.Status === "removing") return;
    const ran = Date.parse(c.state.FinishedAt) - Date.parse(c.state.StartedAt);
    c.restartDelayMs = ran >= 10_000 || !c.restartDelayMs ? 100 : Math.min(c.restartDelayMs * 2, 60_000);
    c.restartCount++;
    c.state = { ...c.state, Status: "restarting", Restarting: true };
    this.restartTimers.set(
      c.id,
      setTimeout(() => {
        this.restartTimers.delete(c.id);
        // Still "restarting" until the start has its outcome.
        this.start(c).catch(() => {
          /* the start error is in State.Error; the next exit decides again */
        });
      }, c.restartDelayMs),
    );
  }

  /** Ends a pending restart (docker stop, kill, rm -f, start of a restarting container). */
  private cancelRestart(c: Container): boolean {
    const t = this.restartTimers.get(c.id);
    if (!t) return false;
    clearTimeout(t);
    this.restartTimers.delete(c.id);
    c.state = { ...c.state, Status: "exited", Restarting: false };
    return true;
  }

  /**
   * Frees what a run held in the guest: the container's processes, netns, published ports.
   * Its files stay (Docker keeps a stopped container's filesystem until `docker rm`):
   * commit, export and diff read them, and the next start mounts them again.
   */
  private async cleanup(c: Container, opts: { release: boolean } = { release: true }): Promise<void> {
    const agent = this.engine.agent();
    for (const p of c.publishedPorts) await agent.unpublishPort({ proto: p.proto, hostPort: p.hostPort }).catch(() => {});
    c.publishedPorts = [];
    if (opts.release) await agent.releaseContainer(c.id).catch(() => {});
    this.engine.networks.release(c.id);
    const nets = c.endpoints().map((ep) => ep.network);
    c.endpoint = undefined;
    c.extraEndpoints = [];
    for (const net of nets) await this.refreshHosts(net).catch(() => {});
  }

  /**
   * Each binding as Docker's port mapper makes it: the allocator refuses a (hostIp, proto, port)
   * a container already holds, then the userland proxy binds it (tcp and udp apart, so
   * `-p 8080:80 -p 8080:80/udp` both hold 8080).
   */
  private async publishPorts(c: Container): Promise<void> {
    const agent = this.engine.agent();
    for (const [key, bindings] of Object.entries(c.hostConfig.PortBindings ?? {})) {
      const [portStr, p = "tcp"] = key.split("/");
      const proto = p as "tcp" | "udp";
      for (const b of bindings ?? []) {
        const hostIp = b.HostIp || "0.0.0.0";
        const hostPort = Number(b.HostPort || 0) || this.freePort(proto);
        if (!c.endpoint) continue;
        const failed = (why: string) => new Error(`driver failed programming external connectivity on endpoint ${c.name} (${c.id}): ${why}`);
        const holders = this.engine.containers.all().flatMap((x) => x.publishedPorts);
        if (holders.some((x) => x.proto === proto && x.hostIp === hostIp && x.hostPort === hostPort)) throw failed(`Bind for ${hostIp}:${hostPort} failed: port is already allocated`);
        try {
          await agent.publishPort({ containerId: c.id, proto, hostIp, hostPort, ip: c.endpoint.ip, port: Number(portStr) });
        } catch (err) {
          const e = err as Error & { code?: string };
          // docker-proxy's own words when something else on the host has the port.
          const why = e.code === "EADDRINUSE" || /in use/i.test(e.message) ? "bind: address already in use" : e.message;
          throw failed(`Error starting userland proxy: listen ${proto}4 ${hostIp}:${hostPort}: ${why}`);
        }
        c.publishedPorts.push({ proto, hostPort, containerPort: Number(portStr), hostIp });
      }
    }
  }

  /** An ephemeral port for `-p 80`: Docker's allocator hands them out per proto. */
  private freePort(proto: "tcp" | "udp"): number {
    const used = new Set(this.engine.containers.all().flatMap((x) => x.publishedPorts.filter((p) => p.proto === proto).map((p) => p.hostPort)));
    for (let p = 32768; p < 60999; p++) if (!used.has(p)) return p;
    throw new Error("no free ports");
  }

  /**
   * /etc/hosts: localhost, itself, and on each user network it is on every peer by name, as
   * Docker's embedded DNS would answer (the default bridge has no names, as in Docker).
   */
  private hostsFile(c: Container, ip: string | undefined, network: string | undefined): string {
    let s = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
    if (ip) s += `${ip}\t${c.config.Hostname}\n`;
    const mine = new Set([network, ...c.extraEndpoints.map((ep) => ep.network)].filter((n): n is string => !!n && n !== "bridge"));
    for (const peer of this.engine.containers.all()) {
      if (peer.id === c.id) continue;
      for (const ep of peer.endpoints()) if (mine.has(ep.network)) s += `${ep.ip}\t${peer.name} ${peer.shortId}\n`;
    }
    return s;
  }

  private async refreshHosts(network: string): Promise<void> {
    if (network === "bridge") return;
    const agent = this.engine.agent();
    for (const c of this.engine.containers.all()) {
      if (c.state.Running && c.endpoints().some((ep) => ep.network === network)) await agent.setHosts(c.id, this.hostsFile(c, c.endpoint?.ip, c.endpoint?.network)).catch(() => {});
    }
  }

  /**
   * docker update: new limits are kept for the next start and, while the container runs,
   * written to its cgroup by the runtime (`nsrun update`, as dockerd asks `runc update`).
   */
  async update(c: Container, u: Partial<HostConfig>): Promise<void> {
    if (u.Memory && u.Memory < 6 * 1024 * 1024) throw badRequest("Minimum memory limit allowed is 6MB");
    if (u.MemorySwap && u.MemorySwap > 0 && u.Memory && u.MemorySwap < u.Memory) throw badRequest("Minimum memoryswap limit should be larger than memory limit, see usage");
    if (u.NanoCpus && (u.NanoCpus < 0 || u.NanoCpus > this.engine.host.ncpu * 1e9)) throw badRequest(`range of CPUs is from 0.01 to ${this.engine.host.ncpu}.00, as there are only ${this.engine.host.ncpu} CPUs available`);
    if (u.RestartPolicy?.Name) {
      if (c.hostConfig.AutoRemove && u.RestartPolicy.Name !== "no") throw badRequest("Restart policy cannot be updated because AutoRemove is enabled for the container");
      validateRestartPolicy({ RestartPolicy: u.RestartPolicy });
    }
    const next: HostConfig = { ...c.hostConfig };
    for (const k of ["Memory", "MemorySwap", "NanoCpus", "CpuShares", "CpuQuota", "CpuPeriod", "PidsLimit"] as const) if (u[k]) next[k] = u[k] as never;
    if (u.RestartPolicy?.Name) next.RestartPolicy = u.RestartPolicy;
    if (c.state.Running) {
      const flags: string[] = [];
      if (u.Memory) flags.push(`--memory ${u.Memory}`, `--memory-swap ${u.MemorySwap && u.MemorySwap > 0 ? u.MemorySwap : u.Memory}`);
      if (u.PidsLimit) flags.push(`--pids-limit ${u.PidsLimit > 0 ? u.PidsLimit : 0}`);
      const cpu = cpuMax(u);
      if (cpu) flags.push(`--cpu-quota ${cpu.quota}`, `--cpu-period ${cpu.period}`);
      if (u.CpuShares) flags.push(`--cpu-share ${u.CpuShares}`);
      if (flags.length) {
        const r = await this.engine.agent().runScript(`nsrun update ${flags.join(" ")} ${c.id} 2>&1`, 20);
        if (r.status !== 0) throw new ApiError(500, `Cannot update container ${c.id}: ${r.output.trim().replace(/^nsrun: /, "")}`);
      }
    }
    Object.assign(c.hostConfig, next);
    this.engine.events.emit("container", "update", c.id, { image: c.image, name: c.name });
  }

  /**
   * docker pause: every process of the container frozen at once (the cgroup freezer), as
   * containerd asks runc to. It stays Running, its Status is "paused".
   */
  async pause(c: Container): Promise<void> {
    if (!c.state.Running) throw conflict(`Container ${c.id} is not running`);
    if (c.state.Paused) throw conflict(`Container ${c.id} is already paused`);
    await this.engine.agent().pause(c.id);
    c.state = { ...c.state, Status: "paused", Paused: true };
    this.engine.events.emit("container", "pause", c.id, { image: c.image, name: c.name });
  }

  async unpause(c: Container): Promise<void> {
    if (!c.state.Paused) throw conflict(`Container ${c.id} is not paused`);
    await this.engine.agent().unpause(c.id);
    c.state = { ...c.state, Status: c.state.Running ? "running" : c.state.Status, Paused: false };
    this.engine.events.emit("container", "unpause", c.id, { image: c.image, name: c.name });
  }

  /**
   * Sends a signal. A paused container's processes get it when thawed, except SIGKILL, which
   * kills even frozen ones; runc thaws the cgroup after a SIGKILL so the kill goes through
   * under any freezer, and so does this.
   */
  private async signal(c: Container, signal: string): Promise<void> {
    await this.engine.agent().kill(c.id, signal);
    if (c.state.Paused && (signal === "SIGKILL" || signal === "KILL" || signal === "9")) await this.engine.agent().unpause(c.id).catch(() => {});
  }

  async kill(c: Container, signal = "SIGKILL"): Promise<void> {
    if (c.state.Restarting) throw conflict(`Cannot kill container: ${c.name}: Container ${c.id} is restarting, wait until the container is running`);
    if (!c.state.Running) throw conflict(`Cannot kill container: ${c.name}: Container ${c.id} is not running`);
    c.manuallyStopped = true;
    await this.signal(c, signal);
    this.engine.events.emit("container", "kill", c.id, { image: c.image, name: c.name, signal: signal.replace(/^SIG/, "") });
  }

  /** SIGTERM (or the image's StopSignal), then SIGKILL after `t` seconds. */
  async stop(c: Container, t?: number, signal?: string): Promise<boolean> {
    if (this.cancelRestart(c)) {
      c.manuallyStopped = true;
      this.engine.events.emit("container", "stop", c.id, { image: c.image, name: c.name });
      return true;
    }
    // A restart already under way: let it come up, then stop it.
    if (c.state.Restarting) await c.nextStart();
    if (!c.state.Running) return false;
    c.manuallyStopped = true;
    const timeout = t ?? c.config.StopTimeout ?? 10;
    c.stopping = true;
    try {
      await this.engine.agent().kill(c.id, signal || c.config.StopSignal || "SIGTERM").catch(() => {});
      const exited = await Promise.race([c.exited.then(() => true), sleep(timeout * 1000).then(() => false)]);
      if (!exited) {
        await this.signal(c, "SIGKILL").catch(() => {});
        await c.exited;
      }
    } finally {
      c.stopping = false;
    }
    this.engine.events.emit("container", "stop", c.id, { image: c.image, name: c.name });
    return true;
  }

  async remove(c: Container, opts: { force: boolean; volumes: boolean }): Promise<void> {
    if (c.state.Status === "removing") return;
    if (c.state.Restarting) {
      if (!opts.force) throw conflict(`You cannot remove a restarting container ${c.id}. Stop the container before attempting removal or force remove`);
      if (!this.cancelRestart(c)) await c.nextStart();
    }
    if (c.state.Running) {
      if (!opts.force && c.state.Paused) throw conflict(`You cannot remove a paused container ${c.id}. Unpause and then stop the container before attempting removal or force remove`);
      if (!opts.force) throw conflict(`You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
      await this.signal(c, "SIGKILL").catch(() => {});
      await Promise.race([c.exited, sleep(5000)]);
    }
    c.state.Status = "removing";
    // deleteContainer releases what the run held as well.
    await this.cleanup(c, { release: false });
    await this.engine.agent().deleteContainer(c.id).catch(() => {});
    this.engine.containers.remove(c);
    c.markGone();
    if (opts.volumes) {
      for (const m of c.mounts) if (m.Type === "volume" && m.Name && this.engine.volumes.find(m.Name)?.anonymous) await this.engine.volumes.remove(m.Name, []).catch(() => {});
    }
    this.engine.events.emit("container", "destroy", c.id, { image: c.image, name: c.name });
  }
}

/** dockerd 20.10's checks and words. */
function validateRestartPolicy(hc: Pick<HostConfig, "RestartPolicy" | "AutoRemove">): void {
  const p = hc.RestartPolicy;
  const name = p?.Name ?? "";
  if (["always", "unless-stopped", "no"].includes(name) && p?.MaximumRetryCount) throw badRequest(`maximum retry count cannot be used with restart policy '${name}'`);
  if (name === "on-failure" && (p?.MaximumRetryCount ?? 0) < 0) throw badRequest("maximum retry count cannot be negative");
  if (!["", "always", "unless-stopped", "no", "on-failure"].includes(name)) throw badRequest(`invalid restart policy '${name}'`);
  if (hc.AutoRemove && name !== "" && name !== "no") throw badRequest("can't create 'AutoRemove' container with restart policy");
}

function validatePorts(hc: HostConfig): void {
  for (const [key, bindings] of Object.entries(hc.PortBindings ?? {})) {
    const [port, proto = "tcp"] = key.split("/");
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw badRequest(`invalid port specification: "${port}"`);
    if (proto !== "tcp" && proto !== "udp") throw badRequest(`invalid proto: ${proto}`);
    for (const b of bindings ?? []) if (b.HostPort && (!/^\d+$/.test(b.HostPort) || Number(b.HostPort) > 65535)) throw badRequest(`invalid port specification: "${b.HostPort}"`);
  }
}

/** The status the CLI will exit with: 127 for a missing executable, 126 for one that cannot run. */
function exitCodeForStartError(msg: string): number {
  if (/executable file not found|no such file or directory/i.test(msg)) return 127;
  if (/permission denied|exec format error|not a directory/i.test(msg)) return 126;
  return 128;
}

/** Docker's wording for a failed start (runc's, passed on), which the CLI matches on. */
function startErrorMessage(msg: string): string {
  const exec = /exec: "[^"]*": .*$/m.exec(msg);
  if (exec) return `failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${exec[0].trim()}: unknown`;
  return msg;
}

export function imageShown(ref: string): string {
  try {
    return familiarString(parseReference(ref));
  } catch {
    return ref;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

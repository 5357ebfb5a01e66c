// A container as the daemon records it: what `docker inspect` shows and `docker ps` lists.
import type { ProcessIO } from "../../link/agent-api.ts";
import { LogBuffer } from "./logs.ts";

/** Config, as the create request carries it (the Engine API's ContainerConfig). */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Image: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
}

export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

export interface HostConfig {
  Binds?: string[] | null;
  NetworkMode?: string;
  PortBindings?: Record<string, PortBinding[] | null> | null;
  PublishAllPorts?: boolean;
  AutoRemove?: boolean;
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  CpuShares?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  PidsLimit?: number | null;
  Init?: boolean | null;
  RestartPolicy?: { Name: string; MaximumRetryCount?: number };
  /** --mount: bind, volume or tmpfs. */
  Mounts?: { Type: string; Source?: string; Target: string; ReadOnly?: boolean; TmpfsOptions?: { SizeBytes?: number; Mode?: number } }[] | null;
  /** --tmpfs /path:options */
  Tmpfs?: Record<string, string> | null;
  ReadonlyRootfs?: boolean;
  /** --cgroupns: private (the default on cgroup v2) or host. */
  CgroupnsMode?: "private" | "host" | "";
  [k: string]: unknown;
}

export type Status = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

export interface ContainerState {
  Status: Status;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

export interface MountPoint {
  Type: "bind" | "volume" | "tmpfs";
  Name?: string;
  Source: string;
  Destination: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
  /** tmpfs: mount options (size=…, mode=…). */
  Options?: string[];
}

export interface Endpoint {
  network: string;
  networkId: string;
  ip: string;
  gateway: string;
  prefixLen: number;
  mac: string;
  aliases: string[];
}

export const ZERO_TIME = "0001-01-01T00:00:00Z";

export class Container {
  state: ContainerState = {
    Status: "created", Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
    Pid: 0, ExitCode: 0, Error: "", StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME,
  };
  readonly logs = new LogBuffer();
  io?: ProcessIO;
  endpoint?: Endpoint;
  mounts: MountPoint[] = [];
  restartCount = 0;
  /** Resolved when the current run ends; replaced at each start. */
  exited: Promise<void> = Promise.resolve();
  /** Resolved when the container is removed. */
  readonly removed: Promise<void>;
  private markRemoved!: () => void;
  private startWaiters: (() => void)[] = [];
  /** Set while `docker stop` waits, so the exit is not taken for a crash. */
  stopping = false;
  /** Networks docker network connect added, beyond HostConfig.NetworkMode: joined at each start. */
  extraNetworks: string[] = [];
  /** Their endpoints while it runs. */
  extraEndpoints: Endpoint[] = [];
  /** Stopped or killed by the user: no restart policy brings it back (until it is started). */
  manuallyStopped = false;
  /** The restart manager's current wait before the next restart. */
  restartDelayMs = 0;
  /** Host ports this container published, as the agent listens on them. */
  publishedPorts: { proto: "tcp" | "udp"; hostPort: number; containerPort: number; hostIp: string }[] = [];

  constructor(
    readonly id: string,
    public name: string,
    readonly created: string,
    readonly image: string,
    readonly imageId: string,
    readonly config: ContainerConfig,
    readonly hostConfig: HostConfig,
    /** The command as it runs: entrypoint + cmd. */
    readonly path: string,
    readonly args: string[],
  ) {
    this.removed = new Promise((r) => (this.markRemoved = r));
  }

  /** Every network it is on while it runs, its first one first. */
  endpoints(): Endpoint[] {
    return this.endpoint ? [this.endpoint, ...this.extraEndpoints] : [...this.extraEndpoints];
  }

  /** Resolves when the next start attempt has an outcome: running, or failed to start. */
  nextStart(): Promise<void> {
    return new Promise((r) => this.startWaiters.push(r));
  }

  /** Called by the lifecycle after each start attempt, whatever its outcome. */
  startSettled(): void {
    const waiters = this.startWaiters;
    this.startWaiters = [];
    for (const w of waiters) w();
  }

  /** Called once the container is gone for good. */
  markGone(): void {
    this.startSettled();
    this.markRemoved();
  }

  get shortId(): string {
    return this.id.slice(0, 12);
  }
}

/** `Up 3 seconds`, `Exited (0) 2 minutes ago`: how docker ps words a state. */
export function statusText(c: Container, now = Date.now()): string {
  const s = c.state;
  if (s.Status === "running" || s.Status === "paused") return `Up ${humanDuration(now - Date.parse(s.StartedAt))}${s.Paused ? " (Paused)" : ""}`;
  if (s.Status === "exited") return s.FinishedAt === ZERO_TIME ? "Created" : `Exited (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  if (s.Status === "created") return "Created";
  if (s.Status === "removing") return "Removal In Progress";
  if (s.Status === "restarting") return `Restarting (${s.ExitCode}) ${humanDuration(now - Date.parse(s.FinishedAt))} ago`;
  if (s.Status === "dead") return "Dead";
  return s.Status;
}

/** go-units HumanDuration, which docker ps uses. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

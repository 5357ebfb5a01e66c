// The contract between the engine daemon (host side, TypeScript) and the guest agent
// (kernel-image/programs/agent, C). Under Docker, dockerd talks to containerd, its
// shim, libnetwork and docker-proxy; here one agent in the guest plays all of them,
// reached over one long-lived multiplexed link (see link-protocol.md).

/** An OCI runtime-spec config.json, as the daemon writes it; the agent fills in the root and netns paths. */
export type OciSpec = Record<string, unknown>;

export interface ContainerSpec {
  /** 64-hex container id; the agent keeps its files under /var/lib/slipway/containers/<id>. */
  id: string;
  /** Layer diff_ids (sha256:…), lowest first, each already stored with putLayer. */
  layers: string[];
  /** config.json for nsrun; root.path is replaced by the agent's overlay mount. */
  spec: OciSpec;
  /** Networks to attach, first is the primary; empty or "none": loopback only; "host": the guest's own netns. */
  network: { mode: "bridge" | "none" | "host"; name: string; ip?: string; aliases?: string[] };
  /** /etc/hosts content for the container (the agent bind-mounts it, and rewrites it on setHosts). */
  hosts: string;
  /** The container's hostname, for /etc/hostname. */
  hostname: string;
  tty: boolean;
  openStdin: boolean;
}

export interface CreatedContainer {
  /** The address given on the network (bridge mode). */
  ip?: string;
  gateway?: string;
  macAddress?: string;
}

export interface ExitInfo {
  /** Docker's convention: the process's status, 128+N for signal N, 137 after an OOM kill. */
  status: number;
  oomKilled: boolean;
  /** Set when the process never ran: e.g. `exec: "x": executable file not found in $PATH`. */
  error?: string;
}

export interface ExecSpec {
  containerId: string;
  execId: string;
  args: string[];
  env: string[];
  cwd?: string;
  /** "uid[:gid]" */
  user?: string;
  tty: boolean;
  openStdin: boolean;
}

/** A container's or an exec's stdio, as the agent relays it. */
export interface ProcessIO {
  /** Output as it happens: stream 1 stdout, 2 stderr (a tty has only 1). */
  onOutput(cb: (stream: 1 | 2, data: Uint8Array) => void): void;
  /** Resolves when the process has exited. */
  exited: Promise<ExitInfo>;
  writeStdin(data: Uint8Array): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
}

export interface NetworkSpec {
  name: string;
  /** Linux bridge name: docker0 for the default network, br-<id12> for user networks. */
  bridge: string;
  subnet: string; // e.g. 172.18.0.0/16
  gateway: string; // e.g. 172.18.0.1
}

export interface GuestAgent {
  /** True when the layer (by diff_id) is already unpacked in the guest's content store. */
  hasLayer(diffId: string): Promise<boolean>;
  /** Unpacks a layer tar (gzip or plain) into the content store, OCI whiteouts made overlay whiteouts. Verifies diffId. */
  putLayer(diffId: string, tar: AsyncIterable<Uint8Array>): Promise<{ size: number }>;
  removeLayer(diffId: string): Promise<void>;

  /** Mounts the overlay root, sets up the netns and runs `nsrun create`. Leaves nothing behind on failure. */
  createContainer(spec: ContainerSpec): Promise<CreatedContainer>;
  /** `nsrun start`; output flows from this moment. */
  startContainer(id: string): Promise<{ io: ProcessIO; pid: number }>;
  /** createContainer and startContainer in one (`nsrun run --detach`). */
  runContainer(spec: ContainerSpec): Promise<CreatedContainer & { io: ProcessIO; pid: number }>;
  /** Re-attach to a running container's stdio (after a page reload, for example). */
  attachContainer(id: string): ProcessIO;
  kill(id: string, signal: string): Promise<void>;
  /**
   * Ends a run and frees what it held (`nsrun delete --force`, the root mount, the
   * netns/veth, the address) but keeps the container's files (the overlay upper dir):
   * `diff` still reads them, and `createContainer` with the same id mounts them again
   * (docker stop + start). Nothing to release is not an error.
   */
  releaseContainer(id: string): Promise<void>;
  /** Everything `releaseContainer` frees, and the container's files too (docker rm). Idempotent. */
  deleteContainer(id: string): Promise<void>;
  /** Freezes every process of a running container (cgroup.freeze), for docker pause and commit. */
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  /** `ps` inside the container: titles and rows as `docker top` shows them. */
  top(id: string, psArgs?: string): Promise<{ titles: string[]; processes: string[][] }>;
  /**
   * The container's overlay upper dir as an OCI layer tar (overlay whiteouts made .wh.
   * files, opaque dirs a .wh..wh..opq entry), running or released. For commit, export and
   * build. Streamed: the tar is never whole in the guest. An error mid-way rejects a read.
   */
  diff(id: string): AsyncIterable<Uint8Array>;
  /**
   * docker cp: a path in the container's root, running or not (a stopped one's overlay is
   * mounted for the call). `layers` are the image's diff_ids, lowest first, already stored.
   * The path resolves in the container's root: ".." and symlinks never leave it. The last
   * element is not followed (its own lstat) unless the path ends in "/" or "/.".
   * Fails with code ENOENT when the path is not there.
   */
  statPath(id: string, layers: string[], path: string): Promise<PathStat>;
  /** The path as a tar, its top entry named as the path's last element (Docker's rebase). */
  getArchive(id: string, layers: string[], path: string): AsyncIterable<Uint8Array>;
  /**
   * Extracts a tar into the directory at path (symlinks followed, in the root), as Docker's
   * Untar: parents made, existing entries replaced, owners, modes and times from the tar.
   * ENOENT: no such path; ENOTDIR: "extraction point is not a directory".
   */
  putArchive(id: string, layers: string[], path: string, tar: AsyncIterable<Uint8Array>, opts?: { noOverwriteDirNonDir?: boolean }): Promise<void>;
  /** Rewrites the container's /etc/hosts (user networks: names of peers). */
  setHosts(id: string, content: string): Promise<void>;

  exec(spec: ExecSpec): Promise<{ io: ProcessIO; pid: number }>;

  createNetwork(net: NetworkSpec): Promise<void>;
  /** docker network connect: eth1, eth2… in a running container's netns (no default route). */
  connectNetwork(id: string, network: string, ip: string): Promise<CreatedContainer & { interface: string }>;
  disconnectNetwork(id: string, network: string): Promise<void>;
  removeNetwork(name: string): Promise<void>;

  /**
   * Listens on the guest's hostIp:hostPort and relays to ip:port; fails with EADDRINUSE when taken.
   * tcp proxies each connection; udp keeps a flow per client address (idle for 90 s: closed).
   */
  publishPort(p: { containerId: string; proto: "tcp" | "udp"; hostIp: string; hostPort: number; ip: string; port: number }): Promise<void>;
  /** Closes the listener; tcp connections already proxied go on, udp flows are closed with it. */
  unpublishPort(p: { proto: "tcp" | "udp"; hostPort: number }): Promise<void>;

  createVolume(name: string): Promise<{ mountpoint: string }>;
  removeVolume(name: string): Promise<void>;

  /**
   * Runs `/bin/sh -c script` in the guest itself (not in a container) as root, cwd /root,
   * HOME=/root and a standard PATH, stdin /dev/null, stdout and stderr merged. Resolves
   * when sh exits; after `timeoutSeconds` (default 60) its process group is killed and
   * the status is 124. Output beyond 1 MiB is dropped (`truncated`). For lesson checks.
   */
  runScript(script: string, timeoutSeconds?: number): Promise<ScriptResult>;

  /** Streams of Engine API traffic from clients inside the guest (/var/run/docker.sock, tcp 2375): one duplex per connection. */
  onApiConnection(cb: (conn: Duplex) => void): void;
}

/** A path's lstat in a container, as the agent reports it (mode is Linux's st_mode). */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  /** Seconds and nanoseconds since the epoch. */
  mtime: number;
  mtimeNsec: number;
  /** For a symlink: where it leads, fully resolved in the container's root. */
  linkTarget: string;
}

export interface ScriptResult {
  /** sh's exit status; 128+N for signal N; 124 after the timeout. */
  status: number;
  output: string;
  timedOut: boolean;
  truncated: boolean;
}

/** A byte stream both ways; end() is an explicit end-of-stream frame, never a TCP half-close. */
export interface Duplex {
  readable: ReadableStream<Uint8Array>;
  write(data: Uint8Array): void;
  end(): void;
  onClose(cb: () => void): void;
}

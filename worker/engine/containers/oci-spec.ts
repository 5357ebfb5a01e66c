// The contract between daemon and runtime: the OCI runtime-spec config.json that
// nsrun reads, built from the image's config and the create request, as dockerd's
// oci_linux.go builds it for runc.
import { ApiError } from "../errors.ts";
import type { ImageConfig } from "../images/image-store.ts";
import type { Container, HostConfig, MountPoint } from "./container.ts";

export const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Entrypoint + Cmd, with Docker's rule: a new entrypoint drops the image's Cmd. */
export function commandOf(image: ImageConfig, entrypoint: string[] | null | undefined, cmd: string[] | null | undefined): string[] {
  const ic = image.config ?? {};
  const ep = entrypoint ?? ic.Entrypoint ?? [];
  const args = cmd && cmd.length ? cmd : entrypoint !== undefined && entrypoint !== null ? [] : ic.Cmd ?? [];
  return [...ep, ...args];
}

/** Image Env, then the container's, later names replacing earlier ones. */
export function mergeEnv(image: string[] = [], extra: string[] = []): string[] {
  const out = new Map<string, string>();
  for (const e of [...image, ...extra]) {
    const k = e.split("=")[0];
    out.set(k, e);
  }
  return [...out.values()];
}

/** "uid[:gid]" as numbers; names the image's passwd would resolve are mapped for the usual ones. */
export function parseUser(user: string | undefined): { uid: number; gid: number } {
  if (!user) return { uid: 0, gid: 0 };
  const known: Record<string, number> = { root: 0, daemon: 1, nobody: 65534 };
  const [u, g] = user.split(":");
  const num = (s: string, kind: string) => {
    if (/^\d+$/.test(s)) return Number(s);
    if (s in known) return known[s];
    throw new ApiError(500, `unable to find ${kind} ${s}: no matching entries in ${kind === "user" ? "passwd" : "group"} file`);
  };
  const uid = num(u, "user");
  return { uid, gid: g !== undefined ? num(g, "group") : uid === 65534 ? 65534 : uid };
}

/** cgroup v2's cpu.max from --cpus (NanoCpus, per 100 ms) or --cpu-quota/--cpu-period, if set. */
export function cpuMax(hc: Pick<HostConfig, "NanoCpus" | "CpuQuota" | "CpuPeriod">): { quota: number; period: number } | undefined {
  if (hc.NanoCpus) return { quota: Math.round((hc.NanoCpus / 1e9) * 100000), period: 100000 };
  if (hc.CpuQuota) return { quota: hc.CpuQuota, period: hc.CpuPeriod || 100000 };
  return undefined;
}

export function buildSpec(c: Container, image: ImageConfig, env: string[]): Record<string, unknown> {
  const hc = c.hostConfig;
  const user = parseUser(c.config.User || image.config?.User);
  const resources: Record<string, unknown> = {};
  if (hc.Memory) resources.memory = { limit: hc.Memory, swap: hc.Memory };
  if (hc.PidsLimit && hc.PidsLimit > 0) resources.pids = { limit: hc.PidsLimit };
  const cpu: Record<string, number> = { ...cpuMax(hc) };
  if (hc.CpuShares) cpu.shares = hc.CpuShares;
  if (Object.keys(cpu).length) resources.cpu = cpu;

  const namespaces = [{ type: "pid" }, { type: "mount" }, { type: "uts" }, { type: "ipc" }];
  if (hc.NetworkMode !== "host") namespaces.push({ type: "network" });
  // Docker's default on cgroup v2 (--cgroupns private): /sys/fs/cgroup inside is the container's own.
  if (hc.CgroupnsMode !== "host") namespaces.push({ type: "cgroup" });

  return {
    ociVersion: "1.0.2",
    process: {
      terminal: !!c.config.Tty,
      user: { uid: user.uid, gid: user.gid },
      args: [c.path, ...c.args],
      env,
      cwd: c.config.WorkingDir || image.config?.WorkingDir || "/",
      noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: !!hc.ReadonlyRootfs },
    hostname: c.config.Hostname,
    mounts: [
      { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"] },
      ...c.mounts.map(mountOf),
      // --tmpfs: not in inspect's Mounts, as in Docker.
      ...Object.entries(hc.Tmpfs ?? {}).map(([destination, opts]) => ({ destination, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "noexec", ...(opts ? opts.split(",") : [])] })),
    ],
    linux: {
      namespaces,
      cgroupsPath: `/docker/${c.id}`,
      resources,
      rootfsPropagation: "private",
      maskedPaths: ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

function mountOf(m: MountPoint): Record<string, unknown> {
  if (m.Type === "tmpfs") return { destination: m.Destination, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "noexec", ...(m.Options ?? [])] };
  return { destination: m.Destination, type: "bind", source: m.Source, options: ["rbind", m.RW ? "rw" : "ro", "rprivate"] };
}

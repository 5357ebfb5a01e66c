// docker stats: a container's resource use, read from its cgroup v2 files (memory.current,
// memory.stat, cpu.stat, pids.current and their limits), the guest's /proc/stat for the CPU
// time the whole machine spent, and its network namespace's /proc/<pid>/net/dev, shaped as
// the Engine API's stats JSON, which the docker CLI turns into CPU % and MEM USAGE / LIMIT.
import type { GuestAgent } from "../../link/agent-api.ts";
import type { Container } from "./container.ts";

/** /proc/stat counts in USER_HZ ticks. */
const NS_PER_TICK = 1e9 / 100;

export interface Sample {
  read: string;
  memory: { usage: number; limit: number; stats: Record<string, number> };
  cpu: { total: number; user: number; system: number; systemCpu: number; onlineCpus: number; periods: number; throttledPeriods: number; throttledNs: number };
  pids: { current: number; limit: number };
  networks: Record<string, Record<string, number>>;
}

/** One reading of the container's cgroup and netns, in a single script run in the guest. */
export async function sample(agent: GuestAgent, c: Container, memTotal: number): Promise<Sample> {
  const cg = `/sys/fs/cgroup/docker/${c.id}`;
  const script = [
    `for f in memory.current memory.max pids.current pids.max; do echo "$f $(cat ${cg}/$f 2>/dev/null)"; done`,
    `sed 's/^/memory.stat./' ${cg}/memory.stat 2>/dev/null`,
    `sed 's/^/cpu.stat./' ${cg}/cpu.stat 2>/dev/null`,
    `head -1 /proc/stat`,
    `echo "ncpu $(grep -c ^processor /proc/cpuinfo)"`,
    c.state.Pid ? `tail -n +3 /proc/${c.state.Pid}/net/dev 2>/dev/null | sed 's/^ */net /'` : "",
  ].join("\n");
  const r = await agent.runScript(script, 10);
  const v = new Map<string, string>();
  const memStats: Record<string, number> = {};
  const cpuStat: Record<string, number> = {};
  const networks: Sample["networks"] = {};
  let systemTicks = 0;
  for (const line of r.output.split("\n")) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (!key) continue;
    if (key.startsWith("memory.stat.")) memStats[key.slice("memory.stat.".length)] = Number(rest[0]);
    else if (key.startsWith("cpu.stat.")) cpuStat[key.slice("cpu.stat.".length)] = Number(rest[0]);
    else if (key === "cpu") systemTicks = rest.slice(0, 8).reduce((s, x) => s + Number(x), 0);
    else if (key === "net") {
      // "eth0: rx_bytes rx_packets rx_errs rx_drop fifo frame compressed multicast tx_bytes tx_packets tx_errs tx_drop …"
      const [name, ...n] = rest.join(" ").replace(":", " ").split(/\s+/);
      if (name === "lo") continue;
      const x = n.map(Number);
      networks[name] = { rx_bytes: x[0], rx_packets: x[1], rx_errors: x[2], rx_dropped: x[3], tx_bytes: x[8], tx_packets: x[9], tx_errors: x[10], tx_dropped: x[11] };
    } else v.set(key, rest.join(" "));
  }
  const num = (k: string, dflt: number) => {
    const s = v.get(k);
    return s && s !== "max" && !Number.isNaN(Number(s)) ? Number(s) : dflt;
  };
  return {
    read: new Date().toISOString(),
    memory: { usage: num("memory.current", 0), limit: num("memory.max", memTotal), stats: memStats },
    cpu: {
      total: (cpuStat.usage_usec ?? 0) * 1000,
      user: (cpuStat.user_usec ?? 0) * 1000,
      system: (cpuStat.system_usec ?? 0) * 1000,
      systemCpu: systemTicks * NS_PER_TICK,
      onlineCpus: num("ncpu", 1),
      periods: cpuStat.nr_periods ?? 0,
      throttledPeriods: cpuStat.nr_throttled ?? 0,
      throttledNs: (cpuStat.throttled_usec ?? 0) * 1000,
    },
    pids: { current: num("pids.current", 0), limit: num("pids.max", 0) },
    networks,
  };
}

const ZERO_TIME = "0001-01-01T00:00:00Z";

function cpuJson(s: Sample | undefined) {
  return {
    cpu_usage: { total_usage: s?.cpu.total ?? 0, usage_in_kernelmode: s?.cpu.system ?? 0, usage_in_usermode: s?.cpu.user ?? 0 },
    system_cpu_usage: s?.cpu.systemCpu ?? 0,
    online_cpus: s?.cpu.onlineCpus ?? 0,
    throttling_data: { periods: s?.cpu.periods ?? 0, throttled_periods: s?.cpu.throttledPeriods ?? 0, throttled_time: s?.cpu.throttledNs ?? 0 },
  };
}

/** The Engine API's stats object: this reading, and the one before it for the CPU delta. */
export function statsJson(c: Container, now: Sample | undefined, before: Sample | undefined): unknown {
  return {
    read: now?.read ?? ZERO_TIME,
    preread: before?.read ?? ZERO_TIME,
    pids_stats: now ? { current: now.pids.current, ...(now.pids.limit ? { limit: now.pids.limit } : {}) } : {},
    blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuJson(now),
    precpu_stats: cpuJson(before),
    memory_stats: now ? { usage: now.memory.usage, stats: now.memory.stats, limit: now.memory.limit } : {},
    name: `/${c.name}`,
    id: c.id,
    ...(now && Object.keys(now.networks).length ? { networks: now.networks } : {}),
  };
}

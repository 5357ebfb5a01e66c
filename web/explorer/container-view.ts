// One container up close: its main process's PID on the host and inside (1, in its own PID
// namespace), its namespaces' inode numbers beside the host's (different number, different
// namespace), its cgroup limits and current usage, its IP, ports and mounts.
// Inside values come from `docker exec` (Engine API); host values from a script in the guest
// when the agent runs scripts, else the kernel's fixed numbers for its initial namespaces.
import { LitElement, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";
import { bytes, inWords, type EngineClient } from "../engine-client.ts";

const NAMESPACES = ["pid", "net", "mnt", "uts", "ipc", "cgroup", "user", "time"] as const;

/** include/linux/proc_ns.h: the initial namespaces' inodes are constants; net and mnt are not. */
const INIT_NS: Record<string, string> = {
  ipc: "4026531839", uts: "4026531838", user: "4026531837", pid: "4026531836", cgroup: "4026531835", time: "4026531834",
};

const INSIDE_SCRIPT = [
  `for n in ${NAMESPACES.join(" ")}; do echo "ns.$n=$(readlink /proc/1/ns/$n 2>/dev/null | tr -dc 0-9)"; done`,
  `echo "pid1=$(cat /proc/1/stat 2>/dev/null | cut -d' ' -f1)"`,
  `for f in memory.max memory.current pids.max pids.current cpu.max; do echo "cg.$f=$(cat /sys/fs/cgroup/$f 2>/dev/null)"; done`,
  `echo "cg.cpu.usage_usec=$(grep usage_usec /sys/fs/cgroup/cpu.stat 2>/dev/null | cut -d' ' -f2)"`,
].join("; ");

const HOST_SCRIPT = `for n in ${NAMESPACES.join(" ")}; do echo "ns.$n=$(readlink /proc/1/ns/$n 2>/dev/null | tr -dc 0-9)"; done`;

interface Inspect {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; Pid: number };
  HostConfig: { Memory?: number; NanoCpus?: number; CpuQuota?: number; PidsLimit?: number | null };
  NetworkSettings: { IPAddress?: string; Ports?: Record<string, { HostIp: string; HostPort: string }[] | null>; Networks?: Record<string, { IPAddress: string }> };
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean; Name?: string }[];
}

const keyValues = (text: string) => Object.fromEntries(text.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]));

@customElement("container-view")
export class ContainerView extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) engine?: EngineClient;
  @property() containerId = "";

  @state() private info?: Inspect;
  @state() private inside: Record<string, string> = {};
  @state() private host: Record<string, string> = {};
  @state() private hostSource = "";
  @state() private error = "";
  @state() private loading = false;

  override updated(changed: Map<string, unknown>): void {
    if ((changed.has("containerId") || changed.has("engine")) && this.containerId && this.engine) void this.load();
  }

  /** Reads everything again (the explorer calls this on the container's events). */
  async load(): Promise<void> {
    const engine = this.engine!;
    this.loading = true;
    this.error = "";
    try {
      this.info = await engine.get<Inspect>(`/containers/${this.containerId}/json`);
      this.inside = this.info.State.Running ? keyValues(await engine.exec(this.containerId, ["sh", "-c", INSIDE_SCRIPT]).catch(() => "")) : {};
      if (!this.hostSource) await this.loadHost();
    } catch (err) {
      this.error = inWords(err);
    } finally {
      this.loading = false;
    }
  }

  private async loadHost(): Promise<void> {
    try {
      const r = await this.engine!.guest.runScript(HOST_SCRIPT, { timeoutMs: 10_000 });
      if (r.status !== 0) throw new Error(r.output);
      this.host = keyValues(r.output);
      this.hostSource = "read from the guest's /proc/1/ns";
    } catch {
      this.host = Object.fromEntries(Object.entries(INIT_NS).map(([k, v]) => [`ns.${k}`, v]));
      this.hostSource = "the kernel's fixed numbers for its first namespaces";
    }
  }

  override render() {
    const c = this.info;
    if (!c) return html`${this.loading ? html`<p role="status">Reading the container…</p>` : nothing}${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}`;
    const hc = c.HostConfig;
    const ip = c.NetworkSettings.IPAddress || Object.values(c.NetworkSettings.Networks ?? {})[0]?.IPAddress || "";
    const ports = Object.entries(c.NetworkSettings.Ports ?? {}).flatMap(([k, v]) => (v ?? []).map((b) => `${b.HostIp || "0.0.0.0"}:${b.HostPort} → ${k}`));
    const cg = (k: string) => this.inside[`cg.${k}`] || "";
    return html`
      <h3>Container <code>${c.Name.replace(/^\//, "")}</code> <span class="muted">${c.State.Status}</span></h3>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <table aria-label="Process">
        <tr><th>Main process PID on the host</th><td class="mono" data-field="host-pid">${c.State.Pid || "—"}</td></tr>
        <tr><th>…as seen inside the container</th><td class="mono" data-field="inner-pid">${this.inside.pid1 || (c.State.Running ? "1" : "—")}</td></tr>
      </table>
      <h3>Namespaces</h3>
      <table aria-label="Namespaces">
        <thead><tr><th>Namespace</th><th>Container</th><th>Host</th><th></th></tr></thead>
        <tbody>
          ${NAMESPACES.map((n) => {
            const mine = this.inside[`ns.${n}`] ?? "";
            const theirs = this.host[`ns.${n}`] ?? "";
            const verdict = !mine || !theirs ? "" : mine === theirs ? "shared with the host" : "its own";
            return html`<tr data-ns=${n}><td>${n}</td><td class="mono">${mine || "—"}</td><td class="mono">${theirs || "—"}</td><td>${verdict}</td></tr>`;
          })}
        </tbody>
      </table>
      <p class="muted">Host numbers: ${this.hostSource}. Same number, same namespace.</p>
      <h3>Cgroup limits and usage</h3>
      <table aria-label="Cgroup">
        <tr><th>Memory</th><td>${cg("memory.current") ? bytes(Number(cg("memory.current"))) : "—"} used, limit ${limit(cg("memory.max"), hc.Memory, (n) => bytes(n))}</td></tr>
        <tr><th>Processes</th><td>${cg("pids.current") || "—"} running, limit ${limit(cg("pids.max"), hc.PidsLimit ?? undefined, String)}</td></tr>
        <tr><th>CPU</th><td>${cg("cpu.usage_usec") ? `${(Number(cg("cpu.usage_usec")) / 1e6).toFixed(2)} s used` : "—"}, limit ${cpuLimit(cg("cpu.max"), hc.NanoCpus)}</td></tr>
      </table>
      <h3>Network and storage</h3>
      <table aria-label="Network and mounts">
        <tr><th>IP address</th><td class="mono">${ip || "—"}</td></tr>
        <tr><th>Published ports</th><td class="mono">${ports.join(", ") || "none"}</td></tr>
        <tr><th>Mounts</th><td class="mono">${c.Mounts.length ? c.Mounts.map((m) => html`<div>${m.Type} ${m.Name ?? m.Source} → ${m.Destination}${m.RW ? "" : " (read-only)"}</div>`) : "none"}</td></tr>
      </table>
    `;
  }
}

function limit(fromCgroup: string, fromConfig: number | undefined, show: (n: number) => string): string {
  if (fromCgroup && fromCgroup !== "max") return show(Number(fromCgroup));
  if (fromConfig && fromConfig > 0) return show(fromConfig);
  return "none";
}

function cpuLimit(cpuMax: string, nano: number | undefined): string {
  const [quota, period] = cpuMax.split(" ");
  if (quota && quota !== "max") return `${(Number(quota) / Number(period)).toFixed(2)} CPUs`;
  if (nano) return `${(nano / 1e9).toFixed(2)} CPUs`;
  return "none";
}

declare global {
  interface HTMLElementTagNameMap {
    "container-view": ContainerView;
  }
}

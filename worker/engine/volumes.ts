// Named volumes: data that outlives containers, kept in the guest under /var/lib/slipway/volumes.
import type { GuestAgent } from "../link/agent-api.ts";
import { ApiError, conflict } from "./errors.ts";
import { randomId } from "./containers/names.ts";

export interface Volume {
  name: string;
  mountpoint: string;
  created: string;
  labels: Record<string, string>;
  anonymous: boolean;
}

export class Volumes {
  private vols = new Map<string, Volume>();

  constructor(private readonly agent: () => GuestAgent) {}

  all(): Volume[] {
    return [...this.vols.values()];
  }

  find(name: string): Volume | undefined {
    return this.vols.get(name);
  }

  async create(name: string | undefined, labels: Record<string, string> = {}): Promise<Volume> {
    const n = name || randomId();
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(n)) throw new ApiError(400, `create ${n}: "${n}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    const existing = this.vols.get(n);
    if (existing) return existing;
    const { mountpoint } = await this.agent().createVolume(n);
    const v: Volume = { name: n, mountpoint, created: new Date().toISOString(), labels, anonymous: !name };
    this.vols.set(n, v);
    return v;
  }

  /** Brings back volumes saved with the machine; their data is still in the restored guest. */
  restore(saved: Volume[]): void {
    for (const v of saved) if (!this.vols.has(v.name)) this.vols.set(v.name, { ...v });
  }

  async remove(name: string, inUseBy: string[], force = false): Promise<void> {
    const v = this.vols.get(name);
    if (!v) {
      if (force) return;
      throw new ApiError(404, `get ${name}: no such volume`);
    }
    if (inUseBy.length) throw conflict(`remove ${name}: volume is in use - [${inUseBy.join(", ")}]`);
    await this.agent().removeVolume(name);
    this.vols.delete(name);
  }
}

// Docker's networks: the default `bridge` (docker0, 172.17.0.0/16), `host` and `none`,
// plus user-defined bridges (172.18.0.0/16 on), with an address manager per network.
import { ApiError, conflict } from "../errors.ts";
import { randomId } from "../containers/names.ts";

export interface Network {
  id: string;
  name: string;
  driver: "bridge" | "host" | "null";
  /** The Linux bridge in the guest; empty for host and none. */
  bridge: string;
  subnet: string;
  gateway: string;
  created: string;
  internalDefault: boolean;
  labels: Record<string, string>;
  /** Addresses in use: ip → container id. */
  used: Map<string, string>;
}

export type SavedNetwork = Omit<Network, "used" | "internalDefault">;

export class Networks {
  private nets = new Map<string, Network>();

  constructor() {
    this.add("bridge", "bridge", "docker0", "172.17.0.0/16", "172.17.0.1", true);
    this.add("host", "host", "", "", "", true);
    this.add("none", "null", "", "", "", true);
  }

  private add(name: string, driver: Network["driver"], bridge: string, subnet: string, gateway: string, internalDefault: boolean, labels: Record<string, string> = {}): Network {
    const n: Network = { id: randomId(), name, driver, bridge, subnet, gateway, created: new Date().toISOString(), internalDefault, labels, used: new Map() };
    this.nets.set(n.id, n);
    return n;
  }

  all(): Network[] {
    return [...this.nets.values()];
  }

  find(ref: string): Network | undefined {
    return this.all().find((n) => n.name === ref || n.id === ref) ?? (ref.length >= 3 ? this.all().find((n) => n.id.startsWith(ref)) : undefined);
  }

  get(ref: string): Network {
    const n = this.find(ref);
    if (!n) throw new ApiError(404, `network ${ref} not found`);
    return n;
  }

  /** A user-defined bridge network with the next free 172.x.0.0/16. */
  create(name: string, driver = "bridge", labels: Record<string, string> = {}): Network {
    if (this.all().some((n) => n.name === name)) throw conflict(`network with name ${name} already exists`);
    if (driver !== "bridge") throw new ApiError(400, `plugin "${driver}" not found`);
    const taken = new Set(this.all().map((n) => n.subnet));
    for (let x = 18; x < 32; x++) {
      const subnet = `172.${x}.0.0/16`;
      if (taken.has(subnet)) continue;
      const id = randomId();
      const n = this.add(name, "bridge", `br-${id.slice(0, 12)}`, subnet, `172.${x}.0.1`, false, labels);
      this.nets.delete(n.id);
      n.id = id;
      this.nets.set(id, n);
      return n;
    }
    throw new ApiError(500, "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
  }

  /** User-defined networks as saved with the machine (the addresses in use come back with their containers). */
  saved(): SavedNetwork[] {
    return this.all()
      .filter((n) => !n.internalDefault)
      .map(({ id, name, driver, bridge, subnet, gateway, created, labels }) => ({ id, name, driver, bridge, subnet, gateway, created, labels }));
  }

  /** Brings back networks saved with the machine; their bridges are still in the restored guest. */
  restore(saved: SavedNetwork[]): void {
    for (const s of saved) if (!this.nets.has(s.id) && !this.find(s.name)) this.nets.set(s.id, { ...s, internalDefault: false, used: new Map() });
  }

  remove(n: Network): void {
    if (n.internalDefault) throw new ApiError(403, `${n.name} is a pre-defined network and cannot be removed`);
    if (n.used.size) throw new ApiError(403, `error while removing network: network ${n.name} id ${n.id} has active endpoints`);
    this.nets.delete(n.id);
  }

  /** Next free address in the /16, from .0.2. */
  allocate(n: Network, containerId: string): string {
    const [a, b] = n.subnet.split(".");
    for (let i = 2; i < 65534; i++) {
      const ip = `${a}.${b}.${i >> 8}.${i & 255}`;
      if (ip === n.gateway || n.used.has(ip) || (i & 255) === 0 || (i & 255) === 255) continue;
      n.used.set(ip, containerId);
      return ip;
    }
    throw new ApiError(500, `no available IPv4 addresses on network ${n.name}`);
  }

  release(containerId: string): void {
    for (const n of this.nets.values()) for (const [ip, id] of n.used) if (id === containerId) n.used.delete(ip);
  }
}

/** 02:42 and the address's last four bytes, as Docker derives MACs. */
export function macFor(ip: string): string {
  return ["02", "42", ...ip.split(".").map((x) => Number(x).toString(16).padStart(2, "0"))].join(":");
}

// The daemon's containers, found the ways Docker finds them: full id, unique id prefix, or name.
import { ApiError, noSuchContainer } from "../errors.ts";
import type { Container } from "./container.ts";

export class ContainerStore {
  private byId = new Map<string, Container>();

  all(): Container[] {
    return [...this.byId.values()].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  }

  add(c: Container): void {
    this.byId.set(c.id, c);
  }

  remove(c: Container): void {
    this.byId.delete(c.id);
  }

  byName(name: string): Container | undefined {
    const n = name.replace(/^\//, "");
    return this.all().find((c) => c.name === n);
  }

  find(ref: string): Container | undefined {
    const exact = this.byId.get(ref) ?? this.byName(ref);
    if (exact) return exact;
    if (!/^[a-f0-9]+$/.test(ref)) return undefined;
    const hits = this.all().filter((c) => c.id.startsWith(ref));
    if (hits.length > 1) throw new ApiError(400, `multiple IDs found with provided prefix: ${ref}`);
    return hits[0];
  }

  get(ref: string): Container {
    const c = this.find(ref);
    if (!c) throw noSuchContainer(ref);
    return c;
  }
}

// docker events: what happened to containers, images, networks and volumes, as the
// daemon's event stream reports it (and the page's explorer follows).

export interface EngineEvent {
  Type: "container" | "image" | "network" | "volume";
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: "local";
  time: number;
  timeNano: number;
  /** The pre-1.22 fields the CLI still reads. */
  status?: string;
  id?: string;
  from?: string;
}

export class EventBus {
  private listeners = new Set<(e: EngineEvent) => void>();
  private recent: EngineEvent[] = [];

  emit(type: EngineEvent["Type"], action: string, id: string, attributes: Record<string, string> = {}): void {
    const now = Date.now();
    const e: EngineEvent = { Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: "local", time: Math.floor(now / 1000), timeNano: now * 1e6 };
    if (type === "container") Object.assign(e, { status: action, id, from: attributes.image });
    this.recent.push(e);
    if (this.recent.length > 1000) this.recent.shift();
    for (const l of this.listeners) l(e);
  }

  since(seconds: number): EngineEvent[] {
    return this.recent.filter((e) => e.time >= seconds);
  }

  subscribe(l: (e: EngineEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

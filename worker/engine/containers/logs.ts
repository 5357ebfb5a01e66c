// A container's output, kept by the daemon as Docker's json-file logger keeps it:
// every chunk with its stream and a timestamp, so logs --tail, -t and -f work after
// the fact and while no client is attached.

export interface LogEntry {
  stream: 1 | 2;
  time: string; // RFC3339Nano
  data: Uint8Array;
}

const MAX_BYTES = 4 * 1024 * 1024;

export class LogBuffer {
  private entries: LogEntry[] = [];
  private bytes = 0;
  private followers = new Set<(e: LogEntry | null) => void>();

  append(stream: 1 | 2, data: Uint8Array): void {
    // Split at newlines, as the logger does, so --tail counts lines.
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 10) {
        this.push(stream, data.subarray(start, i + 1));
        start = i + 1;
      }
    }
    if (start < data.length) this.push(stream, data.subarray(start));
  }

  private push(stream: 1 | 2, data: Uint8Array): void {
    const e: LogEntry = { stream, time: rfc3339Nano(), data: data.slice() };
    this.entries.push(e);
    this.bytes += data.length;
    while (this.bytes > MAX_BYTES && this.entries.length > 1) this.bytes -= this.entries.shift()!.data.length;
    for (const f of this.followers) f(e);
  }

  /** Puts back entries kept elsewhere (the machine saved to IndexedDB), with their own times. */
  restore(entries: LogEntry[]): void {
    for (const e of entries) {
      this.entries.push(e);
      this.bytes += e.data.length;
    }
    while (this.bytes > MAX_BYTES && this.entries.length > 1) this.bytes -= this.entries.shift()!.data.length;
  }

  /** Ends every follower: the container has stopped. */
  close(): void {
    for (const f of this.followers) f(null);
    this.followers.clear();
  }

  /** Entries so far, the last `tail` of them (all when tail < 0), since/until as Unix seconds. */
  snapshot(tail = -1, since = 0, until = 0): LogEntry[] {
    let list = this.entries;
    if (since) list = list.filter((e) => Date.parse(e.time) / 1000 >= since);
    if (until) list = list.filter((e) => Date.parse(e.time) / 1000 < until);
    return tail >= 0 ? list.slice(Math.max(0, list.length - tail)) : list;
  }

  follow(cb: (e: LogEntry | null) => void): () => void {
    this.followers.add(cb);
    return () => this.followers.delete(cb);
  }
}

let lastNs = 0n;
/** RFC3339 with nanoseconds, strictly increasing so ordering by time is stable. */
export function rfc3339Nano(ms = Date.now()): string {
  let ns = BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.floor((performance.now() % 1) * 1e6));
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  const iso = new Date(Number(ns / 1_000_000n)).toISOString(); // 2026-11-28T05:20:00.123Z
  return `${iso.slice(0, 19)}.${String(ns % 1_000_000_000n).padStart(9, "0")}Z`;
}

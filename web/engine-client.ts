// The page's Engine API client: JSON in, JSON out, and errors in words (the daemon's own
// message, as the docker CLI would print it), over the guest worker's engineRequest.
import type { GuestConnection } from "./guest-connection.ts";
import { jsonLineReader, type ProgressMessage } from "./progress/progress-model.ts";

const dec = new TextDecoder();

export class EngineError extends Error {}

/** The daemon's refusal in its own words: the {"message"} of its JSON error, or its text. */
function refusal(status: number, body: string): EngineError {
  let message = body.trim();
  try {
    message = (JSON.parse(body) as { message?: string }).message ?? message;
  } catch {
    /* plain text */
  }
  return new EngineError(message || `the daemon answered ${status}`);
}

export class EngineClient {
  constructor(readonly guest: GuestConnection) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.guest.engineRequest({ method, path, body });
    const text = dec.decode(res.body);
    if (res.status >= 400) throw refusal(res.status, text);
    if (!text.trim()) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  /**
   * A request answered with a JSON progress stream (pull, push, build): each message goes to
   * onMessage as the daemon writes it. Throws with the daemon's words if the request is refused
   * or the stream ends in an error (a pull's "manifest unknown", a build step that failed).
   */
  async stream(method: string, path: string, body: unknown, onMessage: (m: ProgressMessage) => void): Promise<void> {
    let failed: string | undefined;
    let head = "";
    const reader = jsonLineReader((m) => {
      if (m.error || m.errorDetail?.message) failed ??= m.errorDetail?.message ?? m.error;
      onMessage(m);
    });
    const res = await this.guest.engineStream({ method, path, body }, (chunk) => {
      if (head.length < 4096) head += dec.decode(chunk);
      reader.push(chunk);
    });
    reader.end();
    if (res.status >= 400) throw refusal(res.status, head);
    if (failed) throw new EngineError(failed);
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  /** Runs a command in a running container (docker exec), returns what it printed. */
  async exec(id: string, cmd: string[]): Promise<string> {
    const { Id } = await this.call<{ Id: string }>("POST", `/containers/${id}/exec`, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const res = await this.guest.engineRequest({ method: "POST", path: `/exec/${Id}/start`, body: { Detach: false, Tty: false } });
    if (res.status >= 400) throw new EngineError(dec.decode(res.body));
    return demux(res.body);
  }

  async registry<T = unknown>(path: string): Promise<T> {
    const res = await this.guest.registryRequest({ method: "GET", path });
    if (res.status >= 400) throw new EngineError(`the registry answered ${res.status}: ${dec.decode(res.body).slice(0, 200)}`);
    return JSON.parse(dec.decode(res.body)) as T;
  }
}

/** Docker's stdout/stderr frames (8-byte header each) as the text they carry. */
export function demux(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i + 8 <= bytes.length && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0) {
    const n = new DataView(bytes.buffer, bytes.byteOffset + i + 4, 4).getUint32(0);
    out += dec.decode(bytes.subarray(i + 8, i + 8 + n));
    i += 8 + n;
  }
  return i === 0 ? dec.decode(bytes) : out;
}

/** A message for people: an error's message without a stack. */
export function inWords(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.split("\n    at ")[0].replace(/^Error: /, "");
}

export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

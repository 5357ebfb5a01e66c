// The Engine API's JSON progress stream (pull, push, build: one JSON object a line, as the
// docker CLI reads it) folded into what a progress view shows: each layer's status and bytes,
// the last overall status, build output, and an error if the stream ends in one.
// Pure functions on plain objects, so lit sees a new object at each change.

export interface ProgressMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  /** docker build's output. */
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: unknown;
}

export interface LayerProgress {
  id: string;
  status: string;
  current?: number;
  total?: number;
}

export interface Job {
  /** What the page is waiting for, in words ("Pulling busybox:latest"). */
  title: string;
  layers: LayerProgress[];
  /** The last status that is not a layer's ("Digest: sha256:…", "Status: Downloaded newer image…"). */
  status: string;
  /** The last few lines of build output. */
  output: string[];
  /** How many messages came: a stream that reports as it goes has more than one. */
  messages: number;
  error?: string;
}

/** A layer whose part is over: counts as whole in the overall fraction. */
const FINISHED = /^(Pull complete|Already exists|Download complete|Pushed|Layer already exists|Mounted from)/;
const OUTPUT_LINES = 6;

export const newJob = (title: string): Job => ({ title, layers: [], status: "", output: [], messages: 0 });

export function applyMessage(job: Job, m: ProgressMessage): Job {
  const next: Job = { ...job, messages: job.messages + 1 };
  if (m.error || m.errorDetail?.message) next.error = m.errorDetail?.message ?? m.error;
  if (m.stream) next.output = [...job.output, ...m.stream.split("\n").filter((l) => l.trim())].slice(-OUTPUT_LINES);
  // A layer is named by its short digest; other ids are a tag ("Pulling from library/busybox", id "latest").
  if (m.status && m.id && /^[0-9a-f]{12}$/.test(m.id)) {
    const layer: LayerProgress = { id: m.id, status: m.status, current: m.progressDetail?.current, total: m.progressDetail?.total };
    const i = job.layers.findIndex((l) => l.id === m.id);
    next.layers = i < 0 ? [...job.layers, layer] : job.layers.map((l, j) => (j === i ? layer : l));
  } else if (m.status) {
    next.status = m.id ? `${m.id}: ${m.status}` : m.status;
  }
  return next;
}

/** 0…1 over the layers (finished ones whole, moving ones by their bytes), or undefined when there is nothing to count yet. */
export function fraction(job: Job): number | undefined {
  if (!job.layers.length) return undefined;
  const parts = job.layers.map((l) => (FINISHED.test(l.status) ? 1 : l.total ? Math.min(1, (l.current ?? 0) / l.total) : 0));
  return parts.reduce((a, b) => a + b, 0) / parts.length;
}

/** Splits a byte stream into JSON messages, one a line; a line that is not JSON becomes build-style output. */
export function jsonLineReader(onMessage: (m: ProgressMessage) => void): { push(chunk: Uint8Array): void; end(): void } {
  const dec = new TextDecoder();
  let buf = "";
  const line = (text: string) => {
    const t = text.trim();
    if (!t) return;
    try {
      onMessage(JSON.parse(t) as ProgressMessage);
    } catch {
      onMessage({ stream: t });
    }
  };
  return {
    push(chunk) {
      buf += dec.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        line(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    },
    end() {
      line(buf + dec.decode());
      buf = "";
    },
  };
}

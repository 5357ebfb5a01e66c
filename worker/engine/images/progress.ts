// Docker's JSON progress messages, as `docker pull` and `docker push` stream them
// and the CLI renders them (per-layer lines updated in place on a terminal).

export interface ProgressMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  errorDetail?: { message: string };
  error?: string;
  aux?: unknown;
  stream?: string;
}

/** Sizes as Docker's go-units HumanSize prints them: decimal units, 3 significant digits. */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  let n = bytes;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(3))}${units[i]}`;
}

/** The bar jsonmessage draws: 50 columns of "=", a ">" head, then current/total. */
export function progressBar(current: number, total: number): string {
  const width = 50;
  if (total <= 0) return humanSize(current);
  const filled = Math.min(width, Math.floor((current / total) * width));
  const bar = filled > 0 ? "=".repeat(filled - 1) + ">" : "";
  return `[${bar.padEnd(width)}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

export function progress(status: string, id: string, current: number, total: number): ProgressMessage {
  return { status, progressDetail: { current, total }, progress: progressBar(current, total), id };
}

export const shortDigest = (digest: string) => digest.replace(/^sha256:/, "").slice(0, 12);

/** Turns a generator of messages into the streamed JSON body, an error becoming Docker's errorDetail line. */
export async function* jsonLines(messages: AsyncIterable<ProgressMessage>): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  try {
    for await (const m of messages) yield enc.encode(JSON.stringify(m) + "\r\n");
  } catch (err) {
    const message = (err as Error).message;
    yield enc.encode(JSON.stringify({ errorDetail: { message }, error: message }) + "\r\n");
  }
}

// A connection as the daemon's HTTP server sees it: bytes in, bytes out. A Node
// socket, a relayed connection from inside the guest and an in-page client all
// become one of these, so one server speaks the Engine API to every client.
import { concatBytes } from "../bytes.ts";

export interface ByteStream {
  /** Next chunk, or null at the end of input (the client closed or half-closed). */
  read(): Promise<Uint8Array | null>;
  write(data: Uint8Array): Promise<void>;
  /** Closes the output side and, with it, the connection. */
  end(): void;
}

/** Reads ahead and lets the parser push back what belongs to the next request. */
export class BufferedReader {
  private buf: Uint8Array = new Uint8Array(0);
  private eof = false;

  constructor(private readonly stream: ByteStream) {}

  /** Bytes buffered beyond what was consumed. */
  get buffered(): Uint8Array {
    return this.buf;
  }

  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    const chunk = await this.stream.read();
    if (chunk === null) {
      this.eof = true;
      return false;
    }
    this.buf = this.buf.length ? concatBytes([this.buf, chunk]) : chunk;
    return true;
  }

  /** Reads up to and including `delim`; null at end of input before it. */
  async readUntil(delim: Uint8Array, limit: number): Promise<Uint8Array | null> {
    for (;;) {
      const at = indexOf(this.buf, delim);
      if (at >= 0) {
        const out = this.buf.subarray(0, at + delim.length);
        this.buf = this.buf.subarray(at + delim.length);
        return out;
      }
      if (this.buf.length > limit) throw new HttpError(431, "request header too large");
      if (!(await this.fill())) return null;
    }
  }

  /** Exactly n bytes; throws at end of input. */
  async readExactly(n: number): Promise<Uint8Array> {
    while (this.buf.length < n) if (!(await this.fill())) throw new HttpError(400, "unexpected end of request body");
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Whatever is available (buffered first), or null at the end. */
  async readSome(): Promise<Uint8Array | null> {
    if (this.buf.length === 0 && !(await this.fill())) return null;
    const out = this.buf;
    this.buf = new Uint8Array(0);
    return out;
  }
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}


function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

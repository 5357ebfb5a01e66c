// The multiplexed daemon–agent link over one TCP connection into the guest, opened
// through v86's fake network adapter (see link-protocol.md). No node: imports: this
// runs in Node and in a web worker alike.
import { encodeFrame, FrameDecoder, FrameType, jsonPayload, MAX_DATA, parseJson, readU32, u32Payload, WINDOW, type Frame } from "./frames.ts";

/** The part of v86's TCPConnection (src/browser/fake_network.js) the link uses. */
export interface V86TcpConnection {
  on(event: "connect" | "close" | "shutdown", handler: () => void): void;
  on(event: "data", handler: (data: Uint8Array) => void): void;
  write(data: Uint8Array): void;
  close(): void;
  release?(): void;
  state?: string;
}

/** The part of v86's FetchNetworkAdapter the link uses: `emulator.network_adapter`. */
export interface V86NetworkAdapter {
  connect(port: number): V86TcpConnection;
}

export const LINK_PORT = 6986;

export class LinkError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Opens a TCP connection into the guest; rejects when refused (RST) or silent for timeoutMs. */
export function connectTcp(adapter: V86NetworkAdapter, port: number, timeoutMs = 2000): Promise<V86TcpConnection> {
  return new Promise((resolve, reject) => {
    const conn = adapter.connect(port);
    const timer = setTimeout(() => {
      conn.release?.();
      reject(new LinkError(`guest tcp port ${port}: no answer within ${timeoutMs} ms`, "ETIMEDOUT"));
    }, timeoutMs);
    conn.on("connect", () => {
      clearTimeout(timer);
      resolve(conn);
    });
    conn.on("close", () => {
      clearTimeout(timer);
      reject(new LinkError(`guest tcp port ${port}: connection refused`, "ECONNREFUSED"));
    });
  });
}

/** One stream of the link: bytes both ways with credit-based flow control, plus events. */
export class Stream {
  /** DATA from the other side; closes at its END, errors at RESET. Reading grants it credit. */
  readonly readable: ReadableStream<Uint8Array>;
  /** The REPLY to a CALL this side made (never settles for OPEN streams). */
  readonly reply: Promise<unknown>;
  /** Settles when the stream is finished (both ENDs, or a RESET). */
  readonly closed: Promise<void>;

  private credit = WINDOW;
  private outQueue: Uint8Array[] = [];
  private endQueued = false;
  sentEnd = false;
  gotEnd = false;
  private awaitingReply: boolean;
  private finished = false;
  private inQueue: Uint8Array[] = [];
  private pullWaiting: (() => void) | null = null;
  private readError: Error | null = null;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private eventListeners: ((event: any) => void)[] = [];
  private pendingEvents: unknown[] = [];
  private replyResolve!: (v: unknown) => void;
  private replyReject!: (e: Error) => void;
  private closedResolve!: () => void;

  constructor(
    private readonly link: Link,
    readonly id: number,
    awaitingReply: boolean,
  ) {
    this.awaitingReply = awaitingReply;
    this.reply = new Promise((res, rej) => {
      this.replyResolve = res;
      this.replyReject = rej;
    });
    this.reply.catch(() => {});
    this.closed = new Promise((res) => (this.closedResolve = res));
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
        },
        pull: (c) => this.pull(c),
        cancel: () => {
          // The reader lost interest: keep granting credit so the other side is not stuck.
          this.inQueue = [];
          this.pullWaiting = null;
          this.discarding = true;
        },
      },
      { highWaterMark: 0 },
    );
  }

  private discarding = false;

  private pull(c: ReadableStreamDefaultController<Uint8Array>): Promise<void> | void {
    const chunk = this.inQueue.shift();
    if (chunk) {
      c.enqueue(chunk);
      this.link.send(this.id, FrameType.CREDIT, u32Payload(chunk.length));
      return;
    }
    if (this.readError) return c.error(this.readError);
    if (this.gotEnd) return c.close();
    return new Promise<void>((res) => (this.pullWaiting = res)).then(() => this.pull(c));
  }

  private wakeReader(): void {
    const w = this.pullWaiting;
    this.pullWaiting = null;
    w?.();
  }

  /** Queues bytes to send; they go out as the other side grants credit. */
  write(data: Uint8Array): void {
    if (this.endQueued || this.finished) return;
    for (let off = 0; off < data.length; off += MAX_DATA) this.outQueue.push(data.subarray(off, Math.min(data.length, off + MAX_DATA)));
    this.flush();
  }

  /** An explicit end-of-stream frame once every queued byte is out. */
  end(): void {
    if (this.endQueued || this.finished) return;
    this.endQueued = true;
    this.flush();
  }

  event(value: unknown): void {
    if (!this.finished) this.link.send(this.id, FrameType.EVENT, jsonPayload(value));
  }

  /** Events from the other side; those that came before the first listener are replayed. */
  onEvent(cb: (event: any) => void): void {
    this.eventListeners.push(cb);
    const pending = this.pendingEvents;
    this.pendingEvents = [];
    for (const e of pending) cb(e);
  }

  reset(reason = ""): void {
    if (this.finished) return;
    this.link.send(this.id, FrameType.RESET, new TextEncoder().encode(reason));
    this.finish(new LinkError(`stream reset: ${reason || "by this side"}`, "ERESET"));
  }

  /** Bytes queued and not yet sent (waiting for credit). */
  get queuedBytes(): number {
    return this.outQueue.reduce((n, c) => n + c.length, 0);
  }

  private drainWaiters: (() => boolean)[] = [];

  /** Resolves once fewer than `bytes` are queued (or the stream is finished): a writer's backpressure. */
  drained(bytes = WINDOW): Promise<void> {
    if (this.finished || this.queuedBytes < bytes) return Promise.resolve();
    return new Promise((res) => this.drainWaiters.push(() => (this.finished || this.queuedBytes < bytes ? (res(), true) : false)));
  }

  private wakeWriters(): void {
    if (this.drainWaiters.length) this.drainWaiters = this.drainWaiters.filter((w) => !w());
  }

  private flush(): void {
    while (this.outQueue.length && this.credit > 0) {
      let chunk = this.outQueue[0];
      if (chunk.length > this.credit) {
        this.outQueue[0] = chunk.subarray(this.credit);
        chunk = chunk.subarray(0, this.credit);
      } else this.outQueue.shift();
      this.credit -= chunk.length;
      this.link.send(this.id, FrameType.DATA, chunk);
    }
    this.wakeWriters();
    if (this.endQueued && !this.sentEnd && this.outQueue.length === 0) {
      this.sentEnd = true;
      this.link.send(this.id, FrameType.END);
      this.maybeDone();
    }
  }

  /** @internal a frame for this stream arrived */
  receive(f: Frame): void {
    switch (f.type) {
      case FrameType.DATA:
        if (this.gotEnd) return;
        if (this.discarding) {
          this.link.send(this.id, FrameType.CREDIT, u32Payload(f.payload.length));
          return;
        }
        if (f.payload.length) this.inQueue.push(f.payload);
        this.wakeReader();
        return;
      case FrameType.END:
        this.gotEnd = true;
        this.wakeReader();
        this.maybeDone();
        return;
      case FrameType.CREDIT:
        this.credit += readU32(f.payload);
        this.flush();
        return;
      case FrameType.REPLY: {
        this.awaitingReply = false;
        const r = parseJson<{ result?: unknown; error?: { message: string; code?: string } }>(f.payload);
        if (r.error) this.replyReject(new LinkError(r.error.message, r.error.code));
        else this.replyResolve(r.result ?? null);
        this.maybeDone();
        return;
      }
      case FrameType.EVENT: {
        const e = parseJson(f.payload);
        if (this.eventListeners.length) for (const l of this.eventListeners) l(e);
        else this.pendingEvents.push(e);
        return;
      }
      case FrameType.RESET:
        this.finish(new LinkError(`stream reset by the guest: ${new TextDecoder().decode(f.payload) || "no reason given"}`, "ERESET"));
        return;
    }
  }

  private maybeDone(): void {
    if (this.sentEnd && this.gotEnd && !this.awaitingReply) this.finish(null);
  }

  /** @internal */
  finish(err: Error | null): void {
    if (this.finished) return;
    this.finished = true;
    if (err) {
      this.readError = err;
      this.replyReject(err);
      this.outQueue = [];
    }
    this.wakeReader();
    // A reader that never pulls still sees the error on its next read.
    if (err && !this.pullWaiting) {
      try {
        if (this.inQueue.length === 0) this.controller.error(err);
      } catch {
        /* already closed */
      }
    }
    this.link.forget(this.id);
    this.wakeWriters();
    this.closedResolve();
  }
}

export interface LinkOptions {
  /** How long to wait for the agent's HELLO after connecting. */
  helloTimeoutMs?: number;
}

/** The multiplexed connection. */
export class Link {
  private streams = new Map<number, Stream>();
  private nextId = 1;
  private decoder = new FrameDecoder();
  private openListeners: ((s: Stream, header: any) => void)[] = [];
  private closeListeners: ((err: Error) => void)[] = [];
  private closedErr: Error | null = null;
  private globalEvents: ((e: any) => void)[] = [];
  hello: Record<string, unknown> = {};

  private constructor(private readonly conn: V86TcpConnection) {}

  /** Wraps a connected TCP connection and waits for the agent's HELLO. */
  static async start(conn: V86TcpConnection, opts: LinkOptions = {}): Promise<Link> {
    const link = new Link(conn);
    const hello = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new LinkError(`the agent sent no HELLO within ${opts.helloTimeoutMs ?? 5000} ms`, "ETIMEDOUT")), opts.helloTimeoutMs ?? 5000);
      link.onHello = (h) => {
        clearTimeout(timer);
        resolve(h);
      };
      link.onClose((e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    conn.on("data", (d) => link.onBytes(d));
    conn.on("close", () => link.shutdown(new LinkError("the guest closed the link", "ECONNRESET")));
    conn.on("shutdown", () => link.shutdown(new LinkError("the guest closed the link", "ECONNRESET")));
    link.hello = await hello;
    link.send(0, FrameType.HELLO, jsonPayload({ version: 1, peer: "slipway-daemon" }));
    return link;
  }

  private onHello: (h: Record<string, unknown>) => void = () => {};

  get isClosed(): boolean {
    return this.closedErr !== null;
  }

  /** Opens a stream with a CALL. The caller writes a body and/or end()s it. */
  call(method: string, params: unknown = {}): Stream {
    const id = this.allocId();
    const s = new Stream(this, id, true);
    if (this.closedErr) {
      s.finish(this.closedErr);
      return s;
    }
    this.streams.set(id, s);
    this.send(id, FrameType.CALL, jsonPayload({ method, params }));
    return s;
  }

  /** A unary call: CALL + END, resolves with the REPLY's result. */
  async request<T = unknown>(method: string, params: unknown = {}): Promise<T> {
    const s = this.call(method, params);
    s.end();
    return (await s.reply) as T;
  }

  /** Streams the guest opens (OPEN), with their JSON header. */
  onOpen(cb: (s: Stream, header: any) => void): void {
    this.openListeners.push(cb);
  }

  onEvent(cb: (e: any) => void): void {
    this.globalEvents.push(cb);
  }

  onClose(cb: (err: Error) => void): void {
    if (this.closedErr) cb(this.closedErr);
    else this.closeListeners.push(cb);
  }

  close(): void {
    this.shutdown(new LinkError("link closed", "ECLOSED"));
  }

  /** @internal */
  send(stream: number, type: FrameType, payload?: Uint8Array): void {
    if (this.closedErr) return;
    this.conn.write(encodeFrame(stream, type, payload));
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  private allocId(): number {
    // Odd ids are ours; skip any still open after wrapping around.
    do {
      const id = this.nextId;
      this.nextId = this.nextId >= 0xfffffffd ? 1 : this.nextId + 2;
      if (!this.streams.has(id)) return id;
    } while (true);
  }

  private onBytes(chunk: Uint8Array): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.shutdown(err as Error);
      return;
    }
    for (const f of frames) this.dispatch(f);
  }

  private dispatch(f: Frame): void {
    if (f.stream === 0) {
      if (f.type === FrameType.HELLO) this.onHello(parseJson(f.payload));
      else if (f.type === FrameType.EVENT) {
        const e = parseJson(f.payload);
        for (const l of this.globalEvents) l(e);
      }
      return;
    }
    if (f.type === FrameType.OPEN) {
      if (f.stream % 2 !== 0 || this.streams.has(f.stream)) {
        this.send(f.stream, FrameType.RESET, new TextEncoder().encode("bad stream id"));
        return;
      }
      const s = new Stream(this, f.stream, false);
      this.streams.set(f.stream, s);
      const header = parseJson(f.payload);
      if (this.openListeners.length === 0) s.reset("nobody accepts streams of this kind");
      for (const l of this.openListeners) l(s, header);
      return;
    }
    if (f.type === FrameType.CALL) {
      this.send(f.stream, FrameType.RESET, new TextEncoder().encode("the daemon takes no calls"));
      return;
    }
    this.streams.get(f.stream)?.receive(f);
  }

  private shutdown(err: Error): void {
    if (this.closedErr) return;
    this.closedErr = err;
    for (const s of [...this.streams.values()]) s.finish(err);
    this.streams.clear();
    try {
      this.conn.close();
    } catch {
      /* already gone */
    }
    for (const l of this.closeListeners) l(err);
    this.closeListeners = [];
  }
}

// The daemon's end of the guest agent: GuestAgent (agent-api.ts) as calls over the link.
import type { GuestMachine } from "../vm/guest-machine.ts";
import type { ContainerSpec, CreatedContainer, Duplex, ExecSpec, ExitInfo, GuestAgent, NetworkSpec, PathStat, ProcessIO, ScriptResult } from "./agent-api.ts";
import { connectTcp, Link, LINK_PORT, LinkError, type Stream, type V86NetworkAdapter } from "./link.ts";

export interface ConnectOptions {
  /** Give up after this long (the guest is booting, the agent not yet listening). */
  timeoutMs?: number;
  port?: number;
}

export class AgentClient implements GuestAgent {
  private apiListeners: ((conn: Duplex) => void)[] = [];
  private pendingApi: Duplex[] = [];

  private constructor(readonly link: Link) {
    link.onOpen((s, header) => {
      if (header?.kind !== "api") return s.reset(`unknown stream kind ${JSON.stringify(header?.kind)}`);
      const d = streamDuplex(s);
      if (this.apiListeners.length) for (const l of this.apiListeners) l(d);
      else this.pendingApi.push(d);
    });
  }

  /** Connects to the agent in this guest, retrying until it listens (a cold boot takes a while). */
  static async connect(machine: GuestMachine, opts: ConnectOptions = {}): Promise<AgentClient> {
    const adapter = (machine.emulator as unknown as { network_adapter?: V86NetworkAdapter }).network_adapter;
    if (!adapter) throw new Error("the guest has no network adapter: the agent link needs v86's fetch network backend");
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let last: Error = new Error("not tried");
    while (Date.now() < deadline) {
      try {
        const conn = await connectTcp(adapter, opts.port ?? LINK_PORT, Math.min(2000, Math.max(100, deadline - Date.now())));
        return new AgentClient(await Link.start(conn));
      } catch (err) {
        last = err as Error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`the guest agent did not answer within ${opts.timeoutMs ?? 60_000} ms: ${last.message}`);
  }

  close(): void {
    this.link.close();
  }

  /**
   * Layers this link has seen stored: every container start asks for each of its image's
   * layers, and only this daemon stores or removes them, so a yes needs no second asking.
   */
  private storedLayers = new Set<string>();

  async hasLayer(diffId: string): Promise<boolean> {
    if (this.storedLayers.has(diffId)) return true;
    const yes = await this.link.request<boolean>("hasLayer", { diffId });
    if (yes) this.storedLayers.add(diffId);
    return yes;
  }

  async putLayer(diffId: string, tar: AsyncIterable<Uint8Array>): Promise<{ size: number }> {
    const s = this.link.call("putLayer", { diffId });
    try {
      for await (const chunk of tar) {
        s.write(chunk);
        // Keep at most a window's worth queued here, not the whole layer.
        await s.drained();
      }
      s.end();
    } catch (err) {
      s.reset(`reading the layer failed: ${(err as Error).message}`);
      throw err;
    }
    const r = (await s.reply) as { size: number };
    this.storedLayers.add(diffId);
    return r;
  }

  removeLayer(diffId: string): Promise<void> {
    this.storedLayers.delete(diffId);
    return this.link.request("removeLayer", { diffId });
  }

  createContainer(spec: ContainerSpec): Promise<CreatedContainer> {
    return this.link.request("createContainer", spec);
  }

  startContainer(id: string): Promise<{ io: ProcessIO; pid: number }> {
    return this.processCall("startContainer", { id });
  }

  runContainer(spec: ContainerSpec): Promise<CreatedContainer & { io: ProcessIO; pid: number }> {
    return this.processCall("runContainer", spec);
  }

  attachContainer(id: string): ProcessIO {
    return new StreamProcessIO(this.link.call("attach", { id }));
  }

  kill(id: string, signal: string): Promise<void> {
    return this.link.request("kill", { id, signal });
  }

  releaseContainer(id: string): Promise<void> {
    return this.link.request("releaseContainer", { id });
  }

  deleteContainer(id: string): Promise<void> {
    return this.link.request("deleteContainer", { id });
  }

  pause(id: string): Promise<void> {
    return this.link.request("pause", { id });
  }

  unpause(id: string): Promise<void> {
    return this.link.request("unpause", { id });
  }

  runScript(script: string, timeoutSeconds = 60): Promise<ScriptResult> {
    return this.link.request("run", { script, timeout: Math.max(1, Math.ceil(timeoutSeconds)) });
  }

  top(id: string, psArgs?: string): Promise<{ titles: string[]; processes: string[][] }> {
    return this.link.request("top", { id, psArgs });
  }

  diff(id: string): AsyncIterable<Uint8Array> {
    return this.readStream("diff", { id });
  }

  statPath(id: string, layers: string[], path: string): Promise<PathStat> {
    return this.link.request("statPath", { id, layers, path });
  }

  getArchive(id: string, layers: string[], path: string): AsyncIterable<Uint8Array> {
    return this.readStream("getArchive", { id, layers, path });
  }

  async putArchive(id: string, layers: string[], path: string, tar: AsyncIterable<Uint8Array>, opts: { noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
    const s = this.link.call("putArchive", { id, layers, path, noOverwriteDirNonDir: !!opts.noOverwriteDirNonDir });
    // The agent may answer before the tar is all sent (no such directory, a bad entry):
    // then it grants no more credit, and the rest is not sent.
    let replied = false;
    const answered = s.reply.then(() => void (replied = true), () => void (replied = true));
    try {
      for await (const chunk of tar) {
        if (replied) break;
        s.write(chunk);
        await Promise.race([s.drained(), answered]);
      }
      if (replied) s.reset("answered before the end of the archive");
      else s.end();
    } catch (err) {
      s.reset(`reading the archive failed: ${(err as Error).message}`);
      throw err;
    }
    await s.reply;
  }

  /** A call whose answer is agent DATA after a null REPLY (diff, getArchive). */
  private async *readStream(method: string, params: unknown): AsyncIterable<Uint8Array> {
    const s = this.link.call(method, params);
    s.end();
    await s.reply;
    const reader = s.readable.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      // A consumer that stops early: the agent stops the tar writer.
      if (!s.gotEnd) s.reset("the reader stopped");
    }
  }

  setHosts(id: string, content: string): Promise<void> {
    return this.link.request("setHosts", { id, content });
  }

  exec(spec: ExecSpec): Promise<{ io: ProcessIO; pid: number }> {
    return this.processCall("exec", spec);
  }

  createNetwork(net: NetworkSpec): Promise<void> {
    return this.link.request("createNetwork", net);
  }

  connectNetwork(id: string, network: string, ip: string): Promise<CreatedContainer & { interface: string }> {
    return this.link.request("connectNetwork", { id, network, ip });
  }

  disconnectNetwork(id: string, network: string): Promise<void> {
    return this.link.request("disconnectNetwork", { id, network });
  }

  removeNetwork(name: string): Promise<void> {
    return this.link.request("removeNetwork", { name });
  }

  publishPort(p: { containerId: string; proto: "tcp" | "udp"; hostIp: string; hostPort: number; ip: string; port: number }): Promise<void> {
    return this.link.request("publishPort", p);
  }

  unpublishPort(p: { proto: "tcp" | "udp"; hostPort: number }): Promise<void> {
    return this.link.request("unpublishPort", p);
  }

  createVolume(name: string): Promise<{ mountpoint: string }> {
    return this.link.request("createVolume", { name });
  }

  removeVolume(name: string): Promise<void> {
    return this.link.request("removeVolume", { name });
  }

  onApiConnection(cb: (conn: Duplex) => void): void {
    this.apiListeners.push(cb);
    const pending = this.pendingApi;
    this.pendingApi = [];
    for (const d of pending) cb(d);
  }

  /** A TCP connection from inside the guest to host:port (a container's address, say), as a duplex. */
  async dial(host: string, port: number): Promise<Duplex> {
    const s = this.link.call("dial", { host, port });
    await s.reply;
    return streamDuplex(s);
  }

  /** A stream the agent echoes back: for tests and the bench. */
  echo(): Stream {
    return this.link.call("echo", {});
  }

  private async processCall<R extends { pid: number }>(method: string, params: unknown): Promise<R & { io: ProcessIO }> {
    const s = this.link.call(method, params);
    const io = new StreamProcessIO(s);
    const reply = (await s.reply) as R;
    return { ...reply, io };
  }
}

function streamDuplex(s: Stream): Duplex {
  return {
    readable: s.readable,
    write: (d) => s.write(d),
    end: () => s.end(),
    onClose: (cb) => void s.closed.then(cb),
  };
}

/** A process's stdio over a process stream: output DATA is prefixed with its fd. */
class StreamProcessIO implements ProcessIO {
  readonly exited: Promise<ExitInfo>;
  private listeners: ((stream: 1 | 2, data: Uint8Array) => void)[] = [];
  private early: [1 | 2, Uint8Array][] = [];

  constructor(private readonly s: Stream) {
    let resolveExit!: (e: ExitInfo) => void;
    let rejectExit!: (e: Error) => void;
    this.exited = new Promise<ExitInfo>((res, rej) => {
      resolveExit = res;
      rejectExit = rej;
    });
    this.exited.catch(() => {});
    // The exit EVENT comes after the last output frame, but that output may still sit in
    // the readable's queue: the exit counts once the reader has passed it (the stream's
    // END), so nobody learns of the exit before all of the output.
    let exit: ExitInfo | undefined;
    let outputDone = false;
    s.onEvent((e) => {
      if (!e?.exit) return;
      exit = e.exit as ExitInfo;
      if (outputDone) resolveExit(exit);
      // An END that never comes must not hide the exit for good.
      else setTimeout(() => resolveExit(exit!), 2000);
    });
    void (async () => {
      const reader = s.readable.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (value.length < 1) continue;
          const fd = value[0] === 2 ? 2 : 1;
          const data = value.subarray(1);
          if (this.listeners.length) for (const l of this.listeners) l(fd, data);
          else this.early.push([fd, data]);
        }
        outputDone = true;
        // The exit EVENT precedes END, so it has been seen by now.
        if (exit) resolveExit(exit);
        else rejectExit(new LinkError("the process stream ended without an exit status", "EPROTO"));
      } catch (err) {
        s.reply.catch((e) => rejectExit(e));
        rejectExit(err as Error);
      } finally {
        // Output is all in: this side has nothing more to say either.
        s.end();
      }
    })();
  }

  onOutput(cb: (stream: 1 | 2, data: Uint8Array) => void): void {
    this.listeners.push(cb);
    const early = this.early;
    this.early = [];
    for (const [fd, d] of early) cb(fd, d);
  }

  writeStdin(data: Uint8Array): void {
    this.s.write(data);
  }

  closeStdin(): void {
    this.s.end();
  }

  resize(rows: number, cols: number): void {
    this.s.event({ resize: [rows, cols] });
  }
}

// One running guest: v86 booted cold or restored from the build's snapshot.
// Runs unchanged in Node and in a web worker; the caller supplies the assets and the wasm.
import { V86 } from "v86";
import type { GuestAssets } from "./guest-assets.ts";
import { snapshotProblem } from "./guest-assets.ts";
import { V86_VERSION } from "./v86-version.ts";

export interface StartOptions {
  /** Boot the kernel instead of restoring the snapshot. */
  cold?: boolean;
  /** Where v86.wasm is (a path in Node, a URL in the browser). Ignored when wasmModule is given. */
  wasmPath?: string;
  /** v86.wasm already compiled, or being compiled: lets the page compile it while the guest downloads. */
  wasmModule?: WebAssembly.Module | Promise<WebAssembly.Module>;
  /** Told about each stage, and why a snapshot was passed over. */
  onNotice?: (text: string) => void;
}

/** The shell's prompt, from kernel-image/rootfs/etc/profile. */
export const PROMPT = "root@docker-host:";

export class GuestMachine {
  readonly emulator: V86;
  /** "snapshot" when restored, "cold" when booted. */
  readonly startedFrom: "snapshot" | "cold";
  private listeners = new Set<(bytes: Uint8Array) => void>();
  private pending: number[] = [];
  private flushQueued = false;

  private constructor(emulator: V86, startedFrom: "snapshot" | "cold") {
    this.emulator = emulator;
    this.startedFrom = startedFrom;
    // v86 hands out one byte at a time; batch them per tick so readers see chunks.
    emulator.add_listener("serial0-output-byte", (byte: number) => {
      this.pending.push(byte);
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  static async start(assets: GuestAssets, opts: StartOptions): Promise<GuestMachine> {
    let restore = !opts.cold;
    if (restore) {
      const problem = await snapshotProblem(assets, V86_VERSION);
      if (problem) {
        opts.onNotice?.(`Not restoring the snapshot: ${problem}. Booting the kernel instead.`);
        restore = false;
      }
    }
    const emulator = await GuestMachine.create(assets, opts);
    if (restore) {
      try {
        await emulator.restore_state(assets.state!);
      } catch (err) {
        opts.onNotice?.(`The snapshot could not be restored (${(err as Error).message}). Booting the kernel instead.`);
        await emulator.destroy();
        return GuestMachine.boot(await GuestMachine.create(assets, opts));
      }
      await emulator.run();
      return new GuestMachine(emulator, "snapshot");
    }
    return GuestMachine.boot(emulator);
  }

  private static async boot(emulator: V86): Promise<GuestMachine> {
    const machine = new GuestMachine(emulator, "cold");
    await emulator.run();
    return machine;
  }

  private static create(assets: GuestAssets, opts: StartOptions): Promise<V86> {
    const { wasmModule } = opts;
    return new Promise((resolve) => {
      const emulator = new V86({
        wasm_path: opts.wasmPath,
        wasm_fn: wasmModule ? async (imports) => (await WebAssembly.instantiate(await wasmModule, imports)).exports : undefined,
        memory_size: assets.manifest.memorySize,
        vga_memory_size: 2 * 1024 * 1024,
        bios: { buffer: assets.bios.slice(0) },
        vga_bios: { buffer: assets.vgaBios.slice(0) },
        bzimage: { buffer: assets.bzImage.slice(0) },
        initrd: { buffer: assets.initrd.slice(0) },
        cmdline: assets.manifest.cmdline,
        filesystem: {},
        net_device: { type: "virtio", relay_url: "fetch" },
        // A restored guest keeps the MAC it had when saved; without this v86 picks a new one and
        // frames the host sends into the guest (the agent link, published ports) are dropped.
        preserve_mac_from_state_image: true,
        autostart: false,
        disable_keyboard: true,
        disable_mouse: true,
        disable_speaker: true,
      });
      emulator.add_listener("emulator-loaded", () => resolve(emulator));
    });
  }

  private flush(): void {
    this.flushQueued = false;
    const bytes = Uint8Array.from(this.pending);
    this.pending = [];
    for (const l of this.listeners) l(bytes);
  }

  /** Bytes the guest writes to its console (ttyS0). Returns an unsubscribe function. */
  onConsoleOutput(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Type into the console, as a keyboard on ttyS0 would. */
  sendConsole(data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.emulator.serial_send_bytes(0, bytes);
  }

  /** Resolves once the console has printed text matching `pattern` (from now on). */
  waitForConsole(pattern: string | RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const decoder = new TextDecoder();
      let seen = "";
      const timer = setTimeout(() => {
        off();
        reject(new Error(`guest console: no ${String(pattern)} within ${timeoutMs} ms; last output: ${JSON.stringify(seen.slice(-300))}`));
      }, timeoutMs);
      const off = this.onConsoleOutput((bytes) => {
        seen += decoder.decode(bytes, { stream: true });
        const hit = typeof pattern === "string" ? seen.includes(pattern) : pattern.test(seen);
        if (hit) {
          clearTimeout(timer);
          off();
          resolve(seen);
        }
      });
    });
  }

  /** Put a file into the guest's /mnt/host (v86's 9p share). */
  writeSharedFile(path: string, data: Uint8Array): Promise<void> {
    return this.emulator.create_file(path, data);
  }

  saveState(): Promise<ArrayBuffer> {
    return this.emulator.save_state();
  }

  async stop(): Promise<void> {
    await this.emulator.stop();
    await this.emulator.destroy();
  }
}

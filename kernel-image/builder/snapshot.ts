// The booted snapshot: boot the guest once in v86 under Node, let it settle, save its state.
// init_on_free=1 (cmdline) plus drop_caches leave free memory zeroed, so the state compresses well.
import { readFileSync, writeFileSync } from "node:fs";
import type { GuestAssets, GuestManifest } from "../../worker/vm/guest-assets.ts";
import { GuestMachine, PROMPT } from "../../worker/vm/guest-machine.ts";
import { consoleExec } from "../../worker/vm/console-exec.ts";
import { v86WasmPath } from "../../worker/node/guest-files.ts";
import { run, StepError } from "./run.ts";

export async function makeSnapshot(manifest: GuestManifest, files: { bios: string; vgaBios: string; bzImage: string; initrd: string }, out: string, log: string): Promise<void> {
  const read = (p: string) => {
    const b = readFileSync(p);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  const assets: GuestAssets = { manifest, bios: read(files.bios), vgaBios: read(files.vgaBios), bzImage: read(files.bzImage), initrd: read(files.initrd) };
  const machine = await GuestMachine.start(assets, { cold: true, wasmPath: v86WasmPath() });
  let consoleText = "";
  const decoder = new TextDecoder();
  machine.onConsoleOutput((b) => (consoleText += decoder.decode(b, { stream: true })));
  try {
    await machine.waitForConsole(PROMPT, 60_000);
    const settled = await consoleExec(machine, "sync && echo 3 > /proc/sys/vm/drop_caches && echo settled", { timeoutMs: 30_000 });
    if (settled.status !== 0 || !settled.output.includes("settled")) throw new StepError(`the guest did not settle: ${settled.output}`);
    // Leave a fresh prompt on the console for whoever restores.
    machine.sendConsole("clear\n");
    await machine.waitForConsole(PROMPT, 10_000);
    const state = await machine.saveState();
    writeFileSync(`${out}.raw`, new Uint8Array(state));
  } catch (err) {
    writeFileSync(log, consoleText);
    throw new StepError(`${(err as Error).message}; the guest console is in ${log}`);
  } finally {
    await machine.stop();
  }
  await run("zstd", ["-q", "-f", "-19", "--rm", `${out}.raw`, "-o", out], { log });
}

// `slipway console`: this terminal on the guest's serial console. Ctrl-] quits.
import { GuestMachine } from "../worker/vm/guest-machine.ts";
import { loadGuestAssets, v86WasmPath } from "../worker/node/guest-files.ts";

const QUIT = 0x1d; // Ctrl-], as telnet has it

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write("Usage: slipway console [--cold]\n\nAttach this terminal to the guest's console. Ctrl-] quits.\n");
    return 0;
  }
  const machine = await GuestMachine.start(loadGuestAssets(), {
    cold: argv.includes("--cold"),
    wasmPath: v86WasmPath(),
    onNotice: (t) => process.stderr.write(`slipway: ${t}\r\n`),
  });
  process.stderr.write("slipway: attached to the guest console; Ctrl-] quits\r\n");
  machine.onConsoleOutput((b) => process.stdout.write(b));
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  stdin.resume();
  await new Promise<void>((resolve) => {
    stdin.on("data", (chunk: Buffer) => {
      const quit = chunk.indexOf(QUIT);
      if (quit >= 0) {
        if (quit > 0) machine.sendConsole(chunk.subarray(0, quit));
        resolve();
        return;
      }
      machine.sendConsole(chunk);
    });
    stdin.on("end", resolve);
    // A restored guest sits at a prompt printed before the snapshot: ask for a fresh one.
    if (machine.startedFrom === "snapshot") machine.sendConsole("\n");
  });
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
  await machine.stop();
  process.stderr.write("\r\nslipway: detached\n");
  return 0;
}

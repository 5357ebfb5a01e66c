// `slipway exec -- '<shell command>'`: start the guest from its snapshot, run the
// command in its shell, print the output, exit with the command's status.
import { consoleExec } from "../worker/vm/console-exec.ts";
import { GuestMachine } from "../worker/vm/guest-machine.ts";
import { loadGuestAssets, v86WasmPath } from "../worker/node/guest-files.ts";

const usage = `Usage: slipway exec [--cold] [--timeout SECONDS] -- COMMAND

Start the guest (from its snapshot, or booting the kernel with --cold), run
COMMAND in the guest's root shell, print its output and exit with its status.
`;

export async function main(argv: string[]): Promise<number> {
  let cold = false;
  let timeout = 300;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") { i++; break; }
    if (a === "--cold") cold = true;
    else if (a === "--timeout") timeout = Number(argv[++i]);
    else if (a === "-h" || a === "--help") { process.stdout.write(usage); return 0; }
    else break;
  }
  const command = argv.slice(i).join(" ");
  if (!command || !(timeout > 0)) {
    process.stderr.write(usage);
    return 2;
  }
  const machine = await GuestMachine.start(loadGuestAssets(), {
    cold,
    wasmPath: v86WasmPath(),
    onNotice: (t) => process.stderr.write(`slipway: ${t}\n`),
  });
  try {
    if (machine.startedFrom === "cold") await machine.waitForConsole("root@docker-host:", 60_000);
    const result = await consoleExec(machine, command, { timeoutMs: timeout * 1000, onOutput: (t) => process.stdout.write(t) });
    return result.status;
  } finally {
    await machine.stop();
  }
}

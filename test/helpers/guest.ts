// A real guest for a test file: restored from the build's snapshot (or booted cold),
// with a shell to run commands in. One per test file keeps the suite fast.
import { consoleExec, type ExecResult } from "../../worker/vm/console-exec.ts";
import { GuestMachine, PROMPT } from "../../worker/vm/guest-machine.ts";
import { loadGuestAssets, v86WasmPath } from "../../worker/node/guest-files.ts";

export interface TestGuest {
  machine: GuestMachine;
  notices: string[];
  /** Runs a shell command in the guest; rejects on timeout, not on a non-zero status. */
  exec(command: string, timeoutMs?: number): Promise<ExecResult>;
  /** Runs a command and returns its output, failing the test on a non-zero status. */
  sh(command: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startGuest(opts: { cold?: boolean } = {}): Promise<TestGuest> {
  const notices: string[] = [];
  const machine = await GuestMachine.start(loadGuestAssets(), { cold: opts.cold, wasmPath: v86WasmPath(), onNotice: (t) => notices.push(t) });
  if (machine.startedFrom === "cold") await machine.waitForConsole(PROMPT, 60_000);
  const exec = (command: string, timeoutMs = 60_000) => consoleExec(machine, command, { timeoutMs });
  return {
    machine,
    notices,
    exec,
    async sh(command, timeoutMs) {
      const r = await exec(command, timeoutMs);
      if (r.status !== 0) throw new Error(`guest: \`${command}\` exited ${r.status}:\n${r.output}`);
      return r.output;
    },
    stop: () => machine.stop(),
  };
}

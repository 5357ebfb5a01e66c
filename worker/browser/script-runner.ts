// Runs shell scripts in the guest for lesson checks, outside the learner's terminal.
// The guest agent does that (AgentClient.runScript); whoever holds the agent link (the engine
// host) registers it here with provideScriptRunner. Until then, and only when a caller asks
// (tests), a script may run through the console shell with consoleExec, which the learner
// would see: the page's UI never asks for that.
import { consoleExec } from "../vm/console-exec.ts";
import type { GuestMachine } from "../vm/guest-machine.ts";
import type { RunScriptOptions, ScriptResult } from "./workspace-api.ts";

export interface ScriptRunner {
  run(script: string): Promise<ScriptResult>;
}

let agentRunner: ScriptRunner | undefined;

/** Called by the code that owns the agent link, once it is up. */
export function provideScriptRunner(runner: ScriptRunner | undefined): void {
  agentRunner = runner;
}

// One script at a time: console runs would interleave their typing otherwise.
let queue: Promise<unknown> = Promise.resolve();

export function runGuestScript(machine: GuestMachine, script: string, opts: RunScriptOptions = {}): Promise<ScriptResult> {
  const run = async (): Promise<ScriptResult> => {
    if (agentRunner) return agentRunner.run(script);
    if (opts.viaConsole) return consoleExec(machine, script, { timeoutMs: opts.timeoutMs ?? 180_000 });
    throw new Error("checks need the guest agent's runScript, which is not connected yet");
  };
  const result = queue.then(run, run);
  queue = result.catch(() => {});
  return result;
}

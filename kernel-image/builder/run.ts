// Runs the build's external commands with their output in a log file, so a
// failed step can name the log to read.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";

export class StepError extends Error {}

export function run(cmd: string, args: string[], opts: { log: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  mkdirSync(dirname(opts.log), { recursive: true });
  const log = createWriteStream(opts.log, { flags: "a" });
  log.write(`\n$ ${cmd} ${args.join(" ")}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("error", (err) => reject(new StepError(`${cmd}: ${err.message} (log: ${opts.log})`)));
    child.on("close", (code) => {
      log.end();
      if (code === 0) resolve();
      else reject(new StepError(`${cmd} ${args.join(" ")} exited with status ${code}; read ${opts.log}`));
    });
  });
}

/** Runs a command and returns its stdout; for quick queries (dpkg-query and the like). */
export function capture(cmd: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.on("error", () => resolve({ code: 127, stdout: "" }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout }));
  });
}

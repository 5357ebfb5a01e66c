// A step's check: its verify.sh, run in the guest outside the learner's terminal (exit 0 passes,
// its output is the hint), and/or its `api` check against the Docker Engine API.
import type { ApiCheck, LessonStep } from "./lesson-format.ts";
import type { RunScriptOptions, ScriptResult } from "../../worker/browser/workspace-api.ts";

export interface ScriptRunner {
  runScript(script: string, opts?: RunScriptOptions): Promise<ScriptResult>;
}

/** GET on the daemon's Engine API, as the page reaches it (the worker's engineRequest). */
export interface EngineApi {
  get(path: string): Promise<{ status: number; body: string }>;
}

export interface CheckResult {
  passed: boolean;
  /** Why not, for the learner: the verify script's output, or what the API check missed. */
  hint: string;
}

export interface CheckContext {
  scripts: ScriptRunner;
  engine?: EngineApi;
  /** Passed to runScript (tests allow the console fallback). */
  scriptOptions?: RunScriptOptions;
}

export async function checkStep(step: LessonStep, ctx: CheckContext): Promise<CheckResult> {
  if (step.verify !== undefined) {
    const r = await ctx.scripts.runScript(step.verify, ctx.scriptOptions);
    if (r.status !== 0) return { passed: false, hint: r.output.trim() || "Not done yet." };
  }
  if (step.api) {
    const r = await checkApi(step.api, ctx.engine);
    if (!r.passed) return r;
  }
  return { passed: true, hint: "" };
}

async function checkApi(api: ApiCheck, engine?: EngineApi): Promise<CheckResult> {
  if (!engine) return { passed: false, hint: `This check asks the Docker Engine API (GET ${api.get}), which the page cannot reach yet.` };
  const r = await engine.get(api.get);
  if (r.status >= 200 && r.status < 300 && r.body.includes(api.contains)) return { passed: true, hint: "" };
  return { passed: false, hint: `The daemon's GET ${api.get} does not show ${api.contains} yet.` };
}

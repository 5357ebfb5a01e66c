// What the page may ask the guest worker about the Editor's workspace and guest scripts
// (over comlink). Types only; GuestWorkerApi includes these.
import type { WorkspaceEntry } from "./workspace-fs.ts";

export type { WorkspaceEntry };

export interface ScriptResult {
  /** The script's exit status: 0 is success. */
  status: number;
  /** stdout and stderr, interleaved. */
  output: string;
}

export interface RunScriptOptions {
  /**
   * Allow running the script through the console shell (typed there, output framed by markers)
   * when the guest agent cannot run scripts. Tests only: it shows in the learner's terminal.
   */
  viaConsole?: boolean;
  timeoutMs?: number;
}

export interface WorkspaceWorkerApi {
  /** Files and folders under /root/work (paths relative to it). */
  listWorkspace(): Promise<WorkspaceEntry[]>;
  readWorkspaceFile(path: string): Promise<Uint8Array>;
  /** Creates or replaces a file; the guest sees it at once. */
  writeWorkspaceFile(path: string, bytes: Uint8Array): Promise<void>;
  /** Calls back (pass it Comlink.proxy'd) with the new listing whenever anything in the workspace changes. */
  watchWorkspace(onChange: (entries: WorkspaceEntry[]) => void): Promise<void>;
  /** Runs a shell script in the guest, outside the learner's terminal. */
  runScript(script: string, opts?: RunScriptOptions): Promise<ScriptResult>;
}

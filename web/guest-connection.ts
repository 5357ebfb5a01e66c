// Starts the guest worker and gives the page its typed API. A worker that fails to load
// would leave comlink calls pending forever, so every call races the worker's error.
import * as Comlink from "comlink";
import manifest from "virtual:guest-manifest";
import wasmUrl from "v86/build/v86.wasm?url";
import guestWorkerUrl from "../worker/browser/guest-worker.ts?worker&url";
import type { GuestHooks, GuestWorkerApi, StartResult } from "../worker/browser/guest-worker-api.ts";
import type { RunScriptOptions, ScriptResult, WorkspaceEntry } from "../worker/browser/workspace-api.ts";
import type { EngineWorkerApi, PortConnection } from "../worker/browser/engine-api.ts";

/** The Editor's folder in the guest (/root/work), as the page sees it. */
export interface Workspace {
  list(): Promise<WorkspaceEntry[]>;
  read(path: string): Promise<Uint8Array>;
  write(path: string, bytes: Uint8Array): Promise<void>;
  /** Called with the new listing whenever a file changes (from the shell too). */
  watch(onChange: (entries: WorkspaceEntry[]) => void): Promise<void>;
}

/** The worker's Engine API calls (engineRequest, watchExchanges, dialPort, …) are the page's as they are. */
export interface GuestConnection extends EngineWorkerApi {
  start(hooks: GuestHooks, opts?: { cold?: boolean }): Promise<StartResult>;
  write(data: string | Uint8Array): void;
  saveState(): Promise<ArrayBuffer>;
  workspace: Workspace;
  /** A shell script run in the guest outside the terminal (lesson checks). */
  runScript(script: string, opts?: RunScriptOptions): Promise<ScriptResult>;
  /** Stops the guest and ends the worker. */
  close(): Promise<void>;
}

export function connectGuest(): GuestConnection {
  // v86 picks its scheduler when it loads, by looking for this flag in location.href.
  const worker = new Worker(`${guestWorkerUrl}#use-scheduling-api`, { type: "module", name: "slipway-guest" });
  const api = Comlink.wrap<GuestWorkerApi>(worker);
  const died = new Promise<never>((_, reject) => {
    worker.addEventListener("error", (e) => reject(new Error(`the guest worker failed: ${e.message || "it could not be loaded"}`)));
  });
  died.catch(() => {});
  const guarded = <T>(p: Promise<T>) => Promise.race([p, died]);
  return {
    start: (hooks, opts = {}) =>
      guarded(
        api.start(
          { manifest, guestUrl: new URL("guest/", document.baseURI).href, wasmUrl: new URL(wasmUrl, document.baseURI).href, cold: opts.cold },
          Comlink.proxy(hooks),
        ),
      ),
    write: (data) => void api.write(data),
    saveState: () => guarded(api.saveState()),
    workspace: {
      list: () => guarded(api.listWorkspace()),
      read: (path) => guarded(api.readWorkspaceFile(path)),
      write: (path, bytes) => guarded(api.writeWorkspaceFile(path, bytes)),
      watch: (onChange) => guarded(api.watchWorkspace(Comlink.proxy(onChange))),
    },
    runScript: (script, opts) => guarded(api.runScript(script, opts)),
    engineRequest: (req) => guarded(api.engineRequest(req)),
    engineStream: (req, onChunk) => guarded(api.engineStream(req, Comlink.proxy(onChunk))),
    registryRequest: (req) => guarded(api.registryRequest(req)),
    watchExchanges: (cb) => guarded(api.watchExchanges(Comlink.proxy(cb))),
    watchEvents: (cb) => guarded(api.watchEvents(Comlink.proxy(cb))),
    // The connection lives in the worker: the page holds a proxy to it.
    dialPort: (port) => guarded(api.dialPort(port)) as Promise<PortConnection>,
    engineStatus: () => guarded(api.engineStatus()),
    saveMachine: () => guarded(api.saveMachine()),
    async close() {
      await guarded(api.stop()).catch(() => {});
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

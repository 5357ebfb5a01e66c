// The web worker that runs the guest: v86 off the page's thread, exposed over comlink.
// Start it with "#use-scheduling-api" in its URL: v86 then yields with scheduler.postTask
// instead of through a nested blob worker, which is much slower to wake.
import * as Comlink from "comlink";
import { GuestMachine, PROMPT } from "../vm/guest-machine.ts";
import { fetchGuest } from "./fetch-guest.ts";
import type { GuestHooks, GuestWorkerApi, StartRequest, StartResult } from "./guest-worker-api.ts";
import { WorkspaceHost } from "./workspace-host.ts";
import { EngineHost } from "./engine-host.ts";
import { loadMachine, storeMachine, type SavedMachine } from "./machine-store.ts";

const PROMPT_TIMEOUT_MS = { snapshot: 20_000, cold: 120_000 };

let machine: GuestMachine | undefined;
let engine: EngineHost | undefined;
let manifestInUse: StartRequest["manifest"] | undefined;
/** Resolves once the engine is up; engine calls made before then wait for it. */
let engineReady: Promise<EngineHost> = new Promise(() => {});
let setEngine!: (e: EngineHost) => void;
engineReady = new Promise((r) => (setEngine = r));
const workspace = new WorkspaceHost();

const api: GuestWorkerApi = {
  async start(request: StartRequest, hooks: GuestHooks): Promise<StartResult> {
    if (machine) throw new Error("the guest is already running");
    const cold = request.cold === true;
    const t0 = performance.now();
    // The machine saved on the last visit, when there is one of this build: no snapshot download then.
    const saved: SavedMachine | undefined = cold ? undefined : await loadMachine(request.manifest).catch(() => undefined);
    const downloads = fetchGuest(request.manifest, request.guestUrl, request.wasmUrl, { withState: !cold && !saved });
    // Awaited below; until then a failure must not count as unhandled.
    downloads.assets.catch(() => {});
    downloads.wasm.catch(() => {});
    // Stage calls are awaited: over comlink they would otherwise race start()'s own reply.
    await hooks.stage({ stage: "download", phase: "begin" });
    const [fetched] = await Promise.all([downloads.assets, downloads.wasm]);
    const assets = saved
      ? {
          ...fetched,
          state: saved.state,
          // The saved state stands in for the build's snapshot, checked the same way.
          manifest: { ...fetched.manifest, stateGuestId: saved.guestId, files: { ...fetched.manifest.files, state: { name: "saved", size: saved.state.byteLength, sha256: saved.sha256 } } },
        }
      : fetched;
    manifestInUse = request.manifest;
    if (saved) void hooks.notice(`Restoring your machine as you left it (saved ${new Date(saved.savedAt).toLocaleString()}).`);
    const bytes = [assets.bios, assets.vgaBios, assets.bzImage, assets.initrd, assets.state].reduce((n, b) => n + (b?.byteLength ?? 0), 0);
    await hooks.stage({ stage: "download", phase: "end", ms: performance.now() - t0, detail: `${(bytes / 1e6).toFixed(1)} MB` });

    const t1 = performance.now();
    let stage: "restore" | "boot" = cold ? "boot" : "restore";
    await hooks.stage({ stage, phase: "begin" });
    const m = await GuestMachine.start(assets, {
      cold,
      wasmModule: downloads.wasm,
      onNotice: (text) => {
        hooks.notice(text);
        // A passed-over snapshot turns the restore into a boot: say so in the stages too.
        if (stage === "restore") {
          stage = "boot";
          void hooks.stage({ stage, phase: "begin" });
        }
      },
    });
    machine = m;
    m.onConsoleOutput((out) => hooks.output(out));
    const prompt = m.waitForConsole(PROMPT, PROMPT_TIMEOUT_MS[m.startedFrom]);
    if (m.startedFrom === "snapshot") {
      await hooks.stage({ stage: "restore", phase: "end", ms: performance.now() - t1 });
      const t2 = performance.now();
      await hooks.stage({ stage: "prompt", phase: "begin" });
      // The snapshot was taken at a cleared screen: Ctrl-L has the shell redraw its prompt.
      m.sendConsole("\x0c");
      await prompt;
      await hooks.stage({ stage: "prompt", phase: "end", ms: performance.now() - t2 });
    } else {
      // A boot is done when the shell shows its prompt.
      await prompt;
      await hooks.stage({ stage: "boot", phase: "end", ms: performance.now() - t1 });
    }
    // The Editor's files from the last visit go back in before anyone looks.
    await workspace.attach(m);
    engine = await EngineHost.start(m, {
      imagesUrl: request.imagesUrl ?? new URL("../images/", request.guestUrl).href,
      memTotal: request.manifest.memorySize,
      saved,
    });
    setEngine(engine);
    return { startedFrom: m.startedFrom };
  },

  write(data: string | Uint8Array): void {
    machine?.sendConsole(data);
  },

  async saveState(): Promise<ArrayBuffer> {
    if (!machine) throw new Error("the guest is not running");
    const state = await machine.saveState();
    return Comlink.transfer(state, [state]);
  },

  ...workspace.api(),

  engineRequest: async (req) => (await engineReady).engineRequest(req),
  engineStream: async (req, onChunk) => (await engineReady).engineStream(req, onChunk),
  registryRequest: async (req) => (await engineReady).registryRequest(req),
  watchExchanges: async (cb) => (await engineReady).watchExchanges(cb),
  watchEvents: async (cb) => (await engineReady).watchEvents(cb),
  dialPort: async (port) => (await engineReady).dialPort(port),
  engineStatus: async () => (engine ? engine.status() : { agent: false, problem: "the machine is still starting" }),

  async saveMachine(): Promise<number> {
    if (!machine || !engine || !manifestInUse) throw new Error("the machine is not running");
    const state = await machine.saveState();
    return storeMachine(manifestInUse, state, engine.savedDaemon());
  },

  async stop(): Promise<void> {
    const m = machine;
    machine = undefined;
    workspace.detach();
    await m?.stop();
  },
};

Comlink.expose(api);

// The workspace's side of the guest worker: the comlink calls on /root/work, a poll that tells
// watchers (the Editor) about changes made from the shell, and persistence to IndexedDB so the
// workspace survives a reload (a restored snapshot starts with it empty).
import { createStore, get, set, type UseStore } from "idb-keyval";
import type { GuestMachine } from "../vm/guest-machine.ts";
import { runGuestScript } from "./script-runner.ts";
import type { WorkspaceWorkerApi } from "./workspace-api.ts";
import { MAX_FILE_BYTES, WorkspaceFs, type WorkspaceEntry } from "./workspace-fs.ts";

const POLL_MS = 1000;
const SAVED_KEY = "files";

interface SavedWorkspace {
  dirs: string[];
  files: { path: string; bytes: Uint8Array }[];
}

export class WorkspaceHost {
  private fs?: WorkspaceFs;
  private machine?: GuestMachine;
  private watchers: ((entries: WorkspaceEntry[]) => void)[] = [];
  private lastDigest = "";
  private timer?: ReturnType<typeof setInterval>;
  private polling = false;
  private store?: UseStore;

  /** Takes over the running guest's workspace: puts back what was saved, then watches it. */
  async attach(machine: GuestMachine): Promise<void> {
    this.machine = machine;
    try {
      this.fs = WorkspaceFs.of(machine.emulator);
      this.fs.list();
    } catch {
      this.fs = undefined; // a guest without the share: the Editor says so when asked
      return;
    }
    await this.restore().catch(() => {});
    this.lastDigest = await this.fs.digest();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  detach(): void {
    clearInterval(this.timer);
    this.fs = undefined;
    this.machine = undefined;
  }

  /** The comlink calls, for the worker's API object. */
  api(): WorkspaceWorkerApi {
    return {
      listWorkspace: async () => this.need().list(),
      readWorkspaceFile: (path) => this.need().read(path),
      writeWorkspaceFile: async (path, bytes) => {
        await this.need().write(path, bytes);
        await this.poll();
      },
      watchWorkspace: async (onChange) => {
        this.watchers.push(onChange);
      },
      runScript: (script, opts) => {
        if (!this.machine) return Promise.reject(new Error("the guest is not running"));
        return runGuestScript(this.machine, script, opts);
      },
    };
  }

  private need(): WorkspaceFs {
    if (!this.fs) throw new Error("the guest has no workspace (/mnt/host/work)");
    return this.fs;
  }

  private async poll(): Promise<void> {
    if (!this.fs || this.polling) return;
    this.polling = true;
    try {
      const digest = await this.fs.digest();
      if (digest === this.lastDigest) return;
      this.lastDigest = digest;
      const entries = this.fs.list();
      for (const w of this.watchers) {
        try {
          await w(entries);
        } catch {
          // a page that went away: its watcher fails, the others go on
        }
      }
      await this.save(entries).catch(() => {});
    } finally {
      this.polling = false;
    }
  }

  private db(): UseStore {
    this.store ??= createStore("slipway-workspace", "workspace");
    return this.store;
  }

  private async save(entries: WorkspaceEntry[]): Promise<void> {
    const fs = this.need();
    const saved: SavedWorkspace = { dirs: [], files: [] };
    for (const e of entries) {
      if (e.kind === "dir") saved.dirs.push(e.path);
      else if (e.size <= MAX_FILE_BYTES) saved.files.push({ path: e.path, bytes: await fs.read(e.path) });
    }
    await set(SAVED_KEY, saved, this.db());
  }

  private async restore(): Promise<void> {
    const saved = await get<SavedWorkspace>(SAVED_KEY, this.db());
    if (!saved) return;
    const fs = this.need();
    for (const d of saved.dirs) fs.mkdir(d);
    for (const f of saved.files) await fs.write(f.path, f.bytes);
  }
}

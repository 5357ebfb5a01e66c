// The running machine, saved to IndexedDB so a reload comes back to it: the v86 state (with
// every process in the guest, containers included) and the daemon's record of its containers.
// Keyed to the build's guest (kernel, initramfs, v86, memory): a new build never restores an
// old machine, just as the build's own snapshot is checked against the guest it was made of.
import { createStore, del, get, set, type UseStore } from "idb-keyval";
import type { GuestManifest } from "../vm/guest-assets.ts";
import type { SavedDaemon } from "./engine-host.ts";

export const MACHINE_DB = "slipway-machine";

export interface SavedMachine {
  /** The guestId of the build it was saved under. */
  guestId: string;
  v86Version: string;
  savedAt: number;
  state: ArrayBuffer;
  sha256: string;
  containers: SavedDaemon["containers"];
  networks?: SavedDaemon["networks"];
  volumes?: SavedDaemon["volumes"];
}

let store: UseStore | undefined;
const db = () => (store ??= createStore(MACHINE_DB, "machine"));
const KEY = "machine";

export const machineVersion = (m: GuestManifest) => ({ guestId: m.guestId, v86Version: m.v86Version });

/** The saved machine if it was saved under this build, else undefined (and a stale one is dropped). */
export async function loadMachine(manifest: GuestManifest): Promise<SavedMachine | undefined> {
  const saved = await get<SavedMachine>(KEY, db());
  if (!saved) return undefined;
  const want = machineVersion(manifest);
  if (saved.guestId !== want.guestId || saved.v86Version !== want.v86Version) {
    await del(KEY, db());
    return undefined;
  }
  return saved;
}

export async function storeMachine(manifest: GuestManifest, state: ArrayBuffer, daemon: SavedDaemon): Promise<number> {
  const sha256 = hex(await crypto.subtle.digest("SHA-256", state));
  const record: SavedMachine = { ...machineVersion(manifest), savedAt: Date.now(), state, sha256, ...daemon };
  try {
    await set(KEY, record, db());
  } catch (err) {
    if ((err as DOMException)?.name === "QuotaExceededError") {
      throw new Error(`The browser has no room left to save the machine (${(state.byteLength / 1e6).toFixed(0)} MB). Remove images you no longer need, or free space for this site in the browser's settings.`);
    }
    throw err;
  }
  return state.byteLength;
}

export async function forgetMachine(): Promise<void> {
  await del(KEY, db());
}

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

// What the page and the guest worker say to each other (over comlink). Types only.
import type { GuestManifest } from "../vm/guest-assets.ts";
import type { WorkspaceWorkerApi } from "./workspace-api.ts";
import type { EngineWorkerApi } from "./engine-api.ts";

/** A snapshot start goes download, restore, prompt; a cold start download, boot (until the prompt). */
export type BootStage = "download" | "restore" | "boot" | "prompt";

export interface StageEvent {
  stage: BootStage;
  phase: "begin" | "end";
  /** How long the stage took (on "end"). */
  ms?: number;
  /** E.g. how many bytes were downloaded. */
  detail?: string;
}

/** Called back from the worker; pass it wrapped in Comlink.proxy. */
export interface GuestHooks {
  /** Bytes the guest wrote to its console (ttyS0). */
  output(bytes: Uint8Array): void;
  stage(event: StageEvent): void;
  /** Something the user should know, e.g. that the snapshot was passed over. */
  notice(text: string): void;
}

export interface StartRequest {
  manifest: GuestManifest;
  /** Absolute URL of the folder holding the guest's files, ending in "/". */
  guestUrl: string;
  /** Absolute URL of v86.wasm. */
  wasmUrl: string;
  /** Boot the kernel instead of restoring the snapshot. */
  cold?: boolean;
  /** Absolute URL of the base images (OCI layouts and images.json) the registry is seeded from; default ../images/ from guestUrl. */
  imagesUrl?: string;
}

export interface StartResult {
  startedFrom: "snapshot" | "cold";
}

/** Also the workspace (/root/work) and guest scripts (workspace-api.ts), and the engine (engine-api.ts). */
export interface GuestWorkerApi extends WorkspaceWorkerApi, EngineWorkerApi {
  /** Downloads the guest, restores (or boots) it, and resolves once its prompt shows. */
  start(request: StartRequest, hooks: GuestHooks): Promise<StartResult>;
  /** Types into the guest's console. */
  write(data: string | Uint8Array): void;
  /** The whole machine state (uncompressed v86 state). */
  saveState(): Promise<ArrayBuffer>;
  stop(): Promise<void>;
}

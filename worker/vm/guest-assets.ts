// What it takes to start the guest, the same in Node and in the page.
// The build writes these files, with manifest.json describing them.

export interface GuestManifest {
  /** Identifies kernel + initramfs + v86 version + memory size + cmdline: a snapshot is only restored into the guest it was made from. */
  guestId: string;
  v86Version: string;
  memorySize: number;
  cmdline: string;
  files: Record<Exclude<GuestFile, "state">, FileEntry> & { state?: FileEntry };
  /** guestId the snapshot in state.zst was taken of, or absent when there is no snapshot. */
  stateGuestId?: string;
}

export interface FileEntry {
  name: string;
  size: number;
  sha256: string;
}

export type GuestFile = "bios" | "vgaBios" | "bzImage" | "initrd" | "state";

export interface GuestAssets {
  manifest: GuestManifest;
  bios: ArrayBuffer;
  vgaBios: ArrayBuffer;
  bzImage: ArrayBuffer;
  initrd: ArrayBuffer;
  /** zstd-compressed v86 state of the booted, settled guest; v86 restores zstd directly. */
  state?: ArrayBuffer;
}

export async function sha256Hex(data: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A guest's identity: what a snapshot of it depends on. */
export async function guestIdOf(bzImage: ArrayBuffer, initrd: ArrayBuffer, v86Version: string, memorySize: number, cmdline: string): Promise<string> {
  const parts = [await sha256Hex(bzImage), await sha256Hex(initrd), v86Version, String(memorySize), cmdline];
  return (await sha256Hex(new TextEncoder().encode(parts.join("\n")))).slice(0, 32);
}

/** Why a snapshot must not be restored into this guest and this v86, or null when it may. */
export async function snapshotProblem(assets: GuestAssets, v86Version: string): Promise<string | null> {
  const { manifest, state } = assets;
  if (!state || !manifest.stateGuestId) return "there is no snapshot";
  const id = await guestIdOf(assets.bzImage, assets.initrd, v86Version, manifest.memorySize, manifest.cmdline);
  if (manifest.stateGuestId !== id) return "the snapshot was made of another guest (kernel, initramfs, v86 version or memory size differ)";
  const want = manifest.files.state?.sha256;
  if (!want || (await sha256Hex(state)) !== want) return "the snapshot is corrupt (its sha256 does not match)";
  return null;
}

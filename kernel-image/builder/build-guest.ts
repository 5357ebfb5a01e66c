// `npm run build:guest`: builds the guest into build/guest, step by step, each step
// cached outside the repo by a hash of its inputs. Prints progress per step; a
// failed step is named, with the log to read.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GuestManifest } from "../../worker/vm/guest-assets.ts";
import { guestIdOf } from "../../worker/vm/guest-assets.ts";
import { V86_VERSION } from "../../worker/vm/v86-version.ts";
import { guestDir, repoRoot } from "../../worker/node/guest-files.ts";
import { busyboxVersion, fetchBusybox } from "./busybox.ts";
import { cacheRoot, hashInputs, isFile } from "./cache.ts";
import { buildImages, imagesHash } from "./images.ts";
import { buildInitramfs, initramfsHash } from "./initramfs.ts";
import { buildKernel, kernelHash } from "./kernel.ts";
import { BUILD_PACKAGES, ensurePackages } from "./packages.ts";
import { buildPrograms, programsHash } from "./programs.ts";
import { StepError } from "./run.ts";
import { makeSnapshot } from "./snapshot.ts";

export const MEMORY_SIZE = 256 * 1024 * 1024;
export const CMDLINE = "console=ttyS0 quiet init_on_free=1 tsc=reliable";
const SEABIOS = "/usr/share/seabios";

export interface BuildOptions {
  log?: (line: string) => void;
}

export async function buildGuest(opts: BuildOptions = {}): Promise<void> {
  const say = opts.log ?? ((l: string) => process.stdout.write(l + "\n"));
  const logDir = join(cacheRoot(), "logs");
  mkdirSync(logDir, { recursive: true });
  const t0 = Date.now();
  const steps = 7;
  let n = 0;
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    n++;
    const t = Date.now();
    try {
      const r = await fn();
      say(`[${n}/${steps}] ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
      return r;
    } catch (err) {
      const msg = err instanceof StepError ? err.message : (err as Error).stack ?? String(err);
      throw new StepError(`guest build failed at step ${n}/${steps}, ${name}: ${msg}`);
    }
  };

  await step("host packages", () => ensurePackages(BUILD_PACKAGES, join(logDir, "apt.log"), say));
  const kHash = await kernelHash();
  const bzImage = await step(`kernel ${kHash}`, async () => {
    if (!isFile(join(cacheRoot(), "kernel", kHash, "bzImage"))) say("      building the kernel: about 10 minutes on 2 cores, once");
    return buildKernel(kHash, logDir);
  });
  const busybox = await step("busybox (static i386)", async () => fetchBusybox(await busyboxVersion(), logDir));
  const programs = await step("guest programs", () => buildPrograms(programsHash(), logDir));
  const initrd = await step("initramfs", () => buildInitramfs(initramfsHash(busybox, programs), busybox, programs, logDir));
  await step("base images", () => buildImages(imagesHash(), join(repoRoot, "build", "images"), logDir));

  const files = { bios: join(SEABIOS, "bios.bin"), vgaBios: join(SEABIOS, "vgabios-stdvga.bin"), bzImage, initrd };
  const buf = (p: string) => {
    const b = readFileSync(p);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  const guestId = await guestIdOf(buf(bzImage), buf(initrd), V86_VERSION, MEMORY_SIZE, CMDLINE);
  const entry = (name: string, path: string) => ({ name, size: statSync(path).size, sha256: sha256File(path) });
  const manifest: GuestManifest = {
    guestId,
    v86Version: V86_VERSION,
    memorySize: MEMORY_SIZE,
    cmdline: CMDLINE,
    files: {
      bios: entry("bios.bin", files.bios),
      vgaBios: entry("vgabios.bin", files.vgaBios),
      bzImage: entry("bzImage", bzImage),
      initrd: entry("initramfs.cpio.zst", initrd),
    },
  };
  const snapKey = hashInputs([new URL("./snapshot.ts", import.meta.url).pathname, new URL("../../worker/vm/", import.meta.url).pathname], [guestId]);
  const state = join(cacheRoot(), "snapshot", snapKey, "state.zst");
  await step(`snapshot ${guestId.slice(0, 12)}`, async () => {
    if (isFile(state)) return;
    mkdirSync(join(cacheRoot(), "snapshot", snapKey), { recursive: true });
    await makeSnapshot(manifest, files, state, join(logDir, "snapshot.log"));
  });
  manifest.files.state = entry("state.zst", state);
  manifest.stateGuestId = guestId;

  // Swap the finished folder in whole, so build/guest is never half-written.
  const tmp = `${guestDir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  cpSync(files.bios, join(tmp, "bios.bin"));
  cpSync(files.vgaBios, join(tmp, "vgabios.bin"));
  cpSync(bzImage, join(tmp, "bzImage"));
  cpSync(initrd, join(tmp, "initramfs.cpio.zst"));
  cpSync(state, join(tmp, "state.zst"));
  writeFileSync(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  rmSync(guestDir, { recursive: true, force: true });
  renameSync(tmp, guestDir);
  say(`guest ready in build/guest (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export function guestIsBuilt(): boolean {
  return existsSync(join(guestDir, "manifest.json"));
}

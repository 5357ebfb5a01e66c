// Installs the Debian packages the build needs, only those missing.
import { capture, run, StepError } from "./run.ts";

/** Host packages for building the guest. busybox-static:i386 is downloaded, not installed: it would replace the host's busybox. */
export const BUILD_PACKAGES = [
  "linux-source-6.1", "build-essential", "bc", "bison", "flex", "libelf-dev", "libssl-dev",
  "cpio", "zstd", "gzip", "gcc-multilib", "seabios",
];

export async function missingPackages(names: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    const { code, stdout } = await capture("dpkg-query", ["-W", "-f=${db:Status-Status}", name]);
    if (code !== 0 || stdout.trim() !== "installed") missing.push(name);
  }
  return missing;
}

export async function ensurePackages(names: string[], log: string, say: (s: string) => void): Promise<void> {
  const missing = await missingPackages(names);
  if (missing.length === 0) return;
  say(`installing with apt: ${missing.join(" ")}`);
  await ensureI386();
  // A mirror mid-sync can fail one index; what we need usually still resolves.
  await run("apt-get", ["update"], { log }).catch(() => say("apt-get update reported errors; trying the install anyway"));
  await run("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { log, env: { DEBIAN_FRONTEND: "noninteractive" } });
  const still = await missingPackages(missing);
  if (still.length) throw new StepError(`apt could not install: ${still.join(" ")}; read ${log}`);
}

let i386Added = false;
/** i386 packages (busybox-static, the C libraries the guest programs link) need the foreign architecture. */
export async function ensureI386(): Promise<void> {
  if (i386Added) return;
  const { stdout } = await capture("dpkg", ["--print-foreign-architectures"]);
  if (!stdout.split(/\s+/).includes("i386")) {
    const r = await capture("dpkg", ["--add-architecture", "i386"]);
    if (r.code !== 0) throw new StepError("dpkg --add-architecture i386 failed");
    await capture("apt-get", ["update"]);
  }
  i386Added = true;
}

export async function packageVersion(name: string): Promise<string> {
  const { stdout } = await capture("dpkg-query", ["-W", "-f=${Version}", name]);
  return stdout.trim();
}

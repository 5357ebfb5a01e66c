// Shared by the npm scripts: install what is missing before anything else runs.
// Plain JavaScript, because it must run before node_modules (and tsx) exist.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** npm packages: install when node_modules is missing or older than the lock file. */
export function ensureNodeModules() {
  const marker = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log("installing npm packages (npm ci)");
  sh("npm", ["ci", "--no-audit", "--no-fund"]);
}

/** Debian packages, installed with apt when missing. */
export function ensureAptPackages(names) {
  const missing = names.filter((n) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${db:Status-Status}", n], { encoding: "utf8" });
    return r.status !== 0 || r.stdout.trim() !== "installed";
  });
  if (missing.length === 0) return;
  console.log(`installing with apt: ${missing.join(" ")}`);
  // A mirror mid-sync can fail one index; the install usually still resolves.
  spawnSync("apt-get", ["update", "-q"], { stdio: "inherit" });
  sh("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing], { DEBIAN_FRONTEND: "noninteractive" });
}

/** Runs a TypeScript entry point with tsx, inheriting stdio; returns its exit status. */
export function tsx(file, args = [], env = {}) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(root, file), ...args], { stdio: "inherit", cwd: root, env: { ...process.env, ...env } });
  return r.status ?? 1;
}

export function sh(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`${cmd} ${args.join(" ")} failed (status ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

/** Builds the guest if its cache is stale; seconds when nothing changed. */
export function ensureGuest() {
  const status = tsx("kernel-image/builder/main.ts");
  if (status !== 0) process.exit(status);
}

// npm run bench: every bench/*.ts in turn; each prints its own figures.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ensureAptPackages, ensureGuest, ensureNodeModules, root, tsx } from "./lib/setup.mjs";

/** The peers the figures are measured beside. */
const BENCH_PACKAGES = ["qemu-system-x86", "skopeo", "docker-registry", "chromium"];

ensureNodeModules();
ensureAptPackages(BENCH_PACKAGES);
ensureGuest();
const only = process.argv.slice(2);
const benches = readdirSync(join(root, "bench")).filter((f) => f.endsWith(".ts") && !f.startsWith("_")).sort();
let status = 0;
for (const file of benches) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  console.log(`\n== ${file}`);
  status ||= tsx(join("bench", file));
}
process.exit(status);

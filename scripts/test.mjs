// npm test: install what is missing, build the guest if stale, then run every
// Node test (test/**/*.test.ts) and the browser tests.
import { readdirSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { ensureAptPackages, ensureGuest, ensureNodeModules, root } from "./lib/setup.mjs";

/** Real peers the tests talk to, all Debian packages. */
const TEST_PACKAGES = ["skopeo", "docker-registry", "umoci", "jq", "chromium", "docker.io", "qemu-system-x86"];

ensureNodeModules();
ensureAptPackages(TEST_PACKAGES);
ensureGuest();

const only = process.argv.slice(2);
const files = only.length ? only : findTests(join(root, "test")).filter((f) => !f.includes("/browser/"));
let status = 0;
if (files.length) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...files], { stdio: "inherit", cwd: root });
  status = r.status ?? 1;
}
if (!only.length && existsSync(join(root, "scripts", "test-browser.mjs"))) {
  const r = spawnSync(process.execPath, [join(root, "scripts", "test-browser.mjs")], { stdio: "inherit", cwd: root });
  status ||= r.status ?? 1;
}
process.exit(status);

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? findTests(join(dir, e.name)) : e.name.endsWith(".test.ts") ? [relative(root, join(dir, e.name))] : []))
    .sort();
}

// npm run test:browser (and the end of npm test): build the site, then run the browser tests
// (every test/**/browser/*.test.ts, see web-test-runner.config.mjs) in Debian's Chromium.
// Extra arguments go to web-test-runner (e.g. --manual). Exits non-zero when a test fails.
import { join } from "node:path";
import { ensureAptPackages, ensureGuest, ensureNodeModules, root } from "./lib/setup.mjs";

ensureNodeModules();
ensureAptPackages(["chromium"]);
ensureGuest();
const { buildSite } = await import("./lib/site.mjs");
await buildSite();

const { startTestRunner } = await import("@web/test-runner");
const runner = await startTestRunner({ argv: ["--config", join(root, "web-test-runner.config.mjs"), ...process.argv.slice(2)], autoExitProcess: false });
if (!runner) process.exit(1);
const passed = await new Promise((resolve) => runner.on("stopped", resolve));

const totals = { passed: 0, failed: 0 };
const tally = (suite) => {
  if (!suite) return;
  for (const t of suite.tests) if (!t.skipped) totals[t.passed ? "passed" : "failed"]++;
  suite.suites.forEach(tally);
};
for (const session of runner.sessions.all()) tally(session.testResults);
// A session can fail outside any test (a file that does not load): count it as a failure.
const failed = totals.failed || (passed ? 0 : 1);
console.log(`browser: ${totals.passed} passed, ${failed} failed`);
process.exit(passed && failed === 0 && totals.passed > 0 ? 0 : 1);

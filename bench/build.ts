// npm run bench build: a 4-step Dockerfile (FROM busybox, COPY, RUN, CMD) built with
// the real docker CLI (DOCKER_BUILDKIT=0) against `slipway daemon` and against real
// Docker's classic builder on this machine, cold (--no-cache) and cached; medians of 5.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestDaemon } from "../test/helpers/daemon.ts";
import { startRealDocker } from "../test/build/real-docker.ts";
import { median, runs, secs } from "./_stats.ts";

const N = 5;
const dir = mkdtempSync(join(tmpdir(), "bench-build-"));
writeFileSync(join(dir, "app.txt"), "x".repeat(100_000));
const withRun = "FROM busybox\nCOPY app.txt /app/\nRUN wc -c /app/app.txt > /app/size\nCMD [\"cat\", \"/app/size\"]\n";
// While the guest cannot diff a container, RUN cannot make a layer: then a metadata step stands in, and the figures say so.
const withoutRun = "FROM busybox\nCOPY app.txt /app/\nENV SIZE=100000\nCMD [\"cat\", \"/app/app.txt\"]\n";

async function time(build: (args: string[]) => Promise<{ status: number; stderr: string }>, args: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const r = await build(args);
    if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
    out.push(performance.now() - t0);
  }
  return out;
}

const d = await startTestDaemon();
await d.docker(["pull", "busybox"]);
writeFileSync(join(dir, "Dockerfile"), withRun);
const probe = await d.docker(["build", "-q", dir]);
const dockerfile = probe.status === 0 ? withRun : withoutRun;
if (probe.status !== 0) console.log(`RUN is not available in the guest yet (${probe.stderr.trim().split("\n").at(-1)}); timing FROM, COPY, ENV, CMD instead`);
writeFileSync(join(dir, "Dockerfile"), dockerfile);
const ours = (args: string[]) => d.docker(["build", "-q", ...args, dir]);
const slipCold = await time(ours, ["--no-cache"]);
await ours([]);
const slipWarm = await time(ours, []);
await d.stop();

const real = await startRealDocker();
if (typeof real === "string") {
  console.log(`slipway cold ${secs(median(slipCold))} (${runs(slipCold)}), cached ${secs(median(slipWarm))} (${runs(slipWarm)})`);
  console.log(`real Docker: skipped (${real})`);
} else {
  const theirs = async (args: string[]) => real.docker(["build", "-q", ...args, dir]);
  const realCold = await time(theirs, ["--no-cache"]);
  await theirs([]);
  const realWarm = await time(theirs, []);
  await real.stop();
  console.log("4-step build, median of 5          slipway     real docker   ratio");
  const row = (name: string, a: number[], b: number[]) => console.log(`${name.padEnd(34)} ${secs(median(a)).padStart(8)}    ${secs(median(b)).padStart(8)}    ${(median(a) / median(b)).toFixed(1)}x`);
  row("cold (--no-cache)", slipCold, realCold);
  row("cached", slipWarm, realWarm);
  console.log(`runs: slipway cold ${runs(slipCold)}; cached ${runs(slipWarm)}; real cold ${runs(realCold)}; cached ${runs(realWarm)}`);
}
process.exit(0);

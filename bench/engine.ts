// `docker run --rm hello-world` through the real docker CLI: Slipway's daemon (Node mode,
// guest in v86) beside real Docker (dockerd + runc on this machine). Median of 10.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDaemon } from "../cli/daemon.ts";
import { median, runs, secs } from "./_stats.ts";
import { startRealDocker } from "./_real-docker.ts";

const RUNS = 10;
const dir = mkdtempSync(join(tmpdir(), "bench-engine-"));
const host = `unix://${dir}/docker.sock`;
const slipway = await startDaemon({ hosts: [host], dataRoot: join(dir, "data") });

/** The CLI runs as a child; asynchronously, because our daemon answers from this very process. */
function docker(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`docker ${args.join(" ")}: ${err}`))));
  });
}

/**
 * Each variant RUNS times, interleaved round by round so that all see the same background, after
 * WARMUP untimed runs each: v86 compiles hot guest code as it goes, and the first runs of a fresh
 * guest are slower than the rest (real Docker warms its caches the same way).
 */
const WARMUP = 3;
async function timeRuns(env: NodeJS.ProcessEnv, variants: string[][]): Promise<number[][]> {
  for (const args of variants) for (let i = 0; i < WARMUP; i++) await docker(env, args);
  const out = variants.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) {
    for (const [v, args] of variants.entries()) {
      const t = performance.now();
      await docker(env, args);
      out[v].push(performance.now() - t);
    }
  }
  return out;
}

await docker({ DOCKER_HOST: host }, ["pull", "hello-world"]);
await docker({ DOCKER_HOST: host }, ["pull", "busybox"]);
// Real dockerd here runs with --bridge=none, so its containers get no network: the like-for-like
// figure is ours with --network none as well (a netns with lo, no veth or bridge).
const HELLO = ["run", "--rm", "hello-world"];
const HELLO_NONE = ["run", "--rm", "--network", "none", "hello-world"];
const ECHO_NONE = ["run", "--rm", "--network", "none", "busybox", "echo", "hi"];
const [ours, oursNone, oursEcho] = await timeRuns({ DOCKER_HOST: host }, [HELLO, HELLO_NONE, ECHO_NONE]);
await slipway.close();

const real = await startRealDocker(["hello-world", "busybox"]);
console.log(`engine: docker run --rm hello-world (slipway)      median ${secs(median(ours))}  (runs: ${runs(ours)})`);
console.log(`engine: docker run --rm --network none hello-world (slipway) median ${secs(median(oursNone))}  (runs: ${runs(oursNone)})`);
console.log(`engine: docker run --rm --network none busybox echo hi (slipway)  median ${secs(median(oursEcho))}`);
if (real) {
  const [theirs, theirsEcho] = await timeRuns({ DOCKER_HOST: real.host }, [HELLO_NONE, ECHO_NONE]);
  await real.stop();
  console.log(`engine: docker run --rm --network none hello-world (real dockerd) median ${secs(median(theirs))}`);
  console.log(`engine: hello-world ratio, both --network none: ${(median(oursNone) / median(theirs)).toFixed(2)}  target <= 1.0`);
  console.log(`engine: hello-world ratio, ours on the default bridge: ${(median(ours) / median(theirs)).toFixed(2)}`);
  console.log(`engine: docker run --rm --network none busybox echo hi (dockerd)  median ${secs(median(theirsEcho))}  ratio ${(median(oursEcho) / median(theirsEcho)).toFixed(2)}`);
} else console.log("engine: real dockerd could not start here (apt-get install docker.io; needs root)");

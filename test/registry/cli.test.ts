// `slipway registry`: serves on 127.0.0.1, prints its URL, keeps data under
// $SLIPWAY_CACHE/registry by default, seeds from --images.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { stat, rm } from "node:fs/promises";
import { join } from "node:path";
import { buildImages, tempDir, repoRoot } from "./helpers.ts";

const temps: string[] = [];
after(() => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

/** Starts the CLI; resolves with its URL once it prints it, and a stop function. */
function startCli(args: string[], env: Record<string, string>): Promise<{ url: string; out: () => string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [join(repoRoot, "bin/slipway.mjs"), "registry", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
    const onData = (b: Buffer) => {
      out += b;
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes("\n", m.index + m[0].length)) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          out: () => out,
          stop: () =>
            new Promise((r) => {
              child.once("exit", (code) => r(code));
              child.kill("SIGINT");
            }),
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

describe("slipway registry", () => {
  it("serves on 127.0.0.1 with data under $SLIPWAY_CACHE, seeded from --images", async () => {
    const cache = await tempDir("slipway-cache-");
    temps.push(cache);
    const images = await buildImages();
    const cli = await startCli(["--port", "0", "--images", images], { SLIPWAY_CACHE: cache });
    try {
      const cat = await (await fetch(`${cli.url}/v2/_catalog`)).json();
      assert.deepEqual(cat, { repositories: ["busybox", "docker/getting-started", "hello-world"] });
      assert.ok((await stat(join(cache, "registry/docker/registry/v2/repositories/busybox"))).isDirectory());
      assert.match(cli.out(), /base images from/);
    } finally {
      assert.equal(await cli.stop(), 0, "exits cleanly on SIGINT");
    }
  });

  it("takes --dir, and says when there are no base images", async () => {
    const dir = await tempDir();
    temps.push(dir);
    const cli = await startCli(["--port=0", "--dir", dir, "--images", join(dir, "none")], {});
    try {
      assert.equal((await fetch(`${cli.url}/v2/`)).headers.get("docker-distribution-api-version"), "registry/2.0");
      assert.match(cli.out(), /no base images/);
      assert.ok(cli.out().includes(dir));
    } finally {
      await cli.stop();
    }
  });
});

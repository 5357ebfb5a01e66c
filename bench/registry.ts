// Benchmark: `skopeo copy` of a ~10 MB image to our registry and to
// distribution's (Debian's docker-registry), both on loopback, in one run.
// Prints the median times and their ratio (target: ours/theirs ≤ 1.0),
// for the push and for the pull back.
//
//   npx tsx bench/registry.ts [--runs 5] [--mb 10]
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startRegistry } from "../cli/registry.ts";

const run = promisify(execFile);
const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const runs = opt("--runs", 5);
const mb = opt("--mb", 10);

const sha256 = (b: Uint8Array) => "sha256:" + createHash("sha256").update(b).digest("hex");

/** A fresh image as an OCI layout: one gzip layer holding `mb` MB of random (incompressible) bytes. */
async function makeLayout(dir: string): Promise<void> {
  const content = join(dir, "content");
  await mkdir(content, { recursive: true });
  await writeFile(join(content, "random.bin"), randomBytes(mb * 1024 * 1024));
  await run("tar", ["-C", content, "-czf", join(dir, "layer.tar.gz"), "random.bin"]);
  const { readFile } = await import("node:fs/promises");
  const layer = new Uint8Array(await readFile(join(dir, "layer.tar.gz")));
  const { stdout: tarSum } = await run("sh", ["-c", `gzip -dc '${join(dir, "layer.tar.gz")}' | sha256sum`]);
  const config = Buffer.from(
    JSON.stringify({ architecture: "386", os: "linux", config: { Cmd: ["sh"] }, rootfs: { type: "layers", diff_ids: ["sha256:" + tarSum.split(" ")[0]] } }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha256(layer), size: layer.length }],
    }),
  );
  const layout = join(dir, "layout");
  await mkdir(join(layout, "blobs/sha256"), { recursive: true });
  for (const b of [layer, config, manifest]) await writeFile(join(layout, "blobs/sha256", sha256(b).slice(7)), b);
  await writeFile(join(layout, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: sha256(manifest),
          size: manifest.length,
          annotations: { "org.opencontainers.image.ref.name": "latest" },
        },
      ],
    }),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startDockerRegistry(dir: string): Promise<{ host: string; stop(): void }> {
  const port = await freePort();
  const config = join(dir, "config.yml");
  await writeFile(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = spawn("/usr/bin/docker-registry", ["serve", config], { stdio: "ignore" });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { host: `127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "slipway-bench-registry-"));
  const ours = await startRegistry({ dir: join(work, "ours"), images: null });
  const theirs = await startDockerRegistry(work);
  const oursHost = new URL(ours.url).host;
  const times = { push: { ours: [] as number[], theirs: [] as number[] }, pull: { ours: [] as number[], theirs: [] as number[] } };
  try {
    for (let i = 0; i < runs + 1; i++) {
      // A new image each run, so no registry (and no skopeo cache) has its blobs yet.
      const dir = join(work, `img-${i}`);
      await makeLayout(dir);
      const order: Array<["ours" | "theirs", string]> = i % 2 ? [["theirs", theirs.host], ["ours", oursHost]] : [["ours", oursHost], ["theirs", theirs.host]];
      for (const [who, host] of order) {
        const ref = `docker://${host}/bench/img-${i}:latest`;
        const push = await timed(() => run("skopeo", ["--insecure-policy", "copy", "-q", "--dest-tls-verify=false", `oci:${join(dir, "layout")}:latest`, ref]));
        const pull = await timed(() => run("skopeo", ["--insecure-policy", "copy", "-q", "--src-tls-verify=false", ref, `oci:${join(dir, `back-${who}`)}:latest`]));
        if (i > 0) {
          // Run 0 warms up both (page cache, JIT) and is not counted.
          times.push[who].push(push);
          times.pull[who].push(pull);
        }
      }
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    theirs.stop();
    await ours.close();
    await rm(work, { recursive: true, force: true });
  }
  for (const kind of ["push", "pull"] as const) {
    const a = median(times[kind].ours);
    const b = median(times[kind].theirs);
    const what = kind === "push" ? `skopeo copy ${mb} MB` : `skopeo copy ${mb} MB back (pull)`;
    console.log(`registry: ${what}  slipway ${a.toFixed(2)} s  docker-registry ${b.toFixed(2)} s  ratio ${(a / b).toFixed(2)}  (median of ${runs})`);
  }
}

await main();

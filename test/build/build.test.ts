// docker build (DOCKER_BUILDKIT=0, the classic builder's API) and the other ways
// images are made and moved (save/load, export/import, commit), through the real
// docker CLI against `slipway daemon`, compared with real Docker on this machine.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { startTestDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { readTar } from "../../worker/engine/build/tar.ts";
import { startRealDocker, type RealDocker } from "./real-docker.ts";

/** A build context folder with these files. */
function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "ctx-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** Entries of a tar file: name → "type mode size [link]". */
async function listTar(bytes: Uint8Array): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for await (const e of readTar(bytes)) m.set(e.header.name, `${e.header.type} ${e.header.mode.toString(8)} ${e.header.uid}:${e.header.gid} ${e.header.type === "file" ? e.header.size : 0}${e.header.linkname ? " " + e.header.linkname : ""}`);
  return m;
}

const RUNTIME = /^(\.dockerenv|etc\/(hosts|hostname|resolv\.conf|mtab)|dev|proc|sys)(\/|$)/;

describe("build: docker build against slipway daemon", () => {
  let d: TestDaemon;
  before(async () => {
    d = await startTestDaemon();
    const p = await d.docker(["pull", "busybox"]);
    assert.equal(p.status, 0, p.stderr);
  });
  after(() => d?.stop());

  const build = (dir: string, ...args: string[]) => d.docker(["build", ...args, dir]);

  test("a single-stage build streams Docker's steps, tags the image, and records history", async () => {
    const dir = context({ "a.txt": "hello\n", Dockerfile: 'FROM busybox\nCOPY a.txt /app/\nWORKDIR /app\nENV A=1 B="x y"\nLABEL team=docs\nEXPOSE 8080/tcp\nCMD ["cat", "a.txt"]\n' });
    const r = await build(dir, "-t", "single");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Sending build context to Docker daemon [^\n]*\nStep 1\/7 : FROM busybox\n ---> [0-9a-f]{12}\nStep 2\/7 : COPY a.txt \/app\/\n ---> [0-9a-f]{12}\nStep 3\/7 : WORKDIR \/app\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    assert.match(r.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged single:latest\n$/);
    const h = await d.docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", "single"]);
    const rows = h.stdout.trim().split("\n");
    assert.deepEqual(rows.slice(0, 6), ['/bin/sh -c #(nop)  CMD ["cat" "a.txt"]|0B', "/bin/sh -c #(nop)  EXPOSE 8080/tcp|0B", "/bin/sh -c #(nop)  LABEL team=docs|0B", "/bin/sh -c #(nop)  ENV A=1 B=x y|0B", "/bin/sh -c #(nop) WORKDIR /app|0B", rows[5]]);
    assert.match(rows[5], /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/app\/ \|6B$/);
    const i = await d.docker(["image", "inspect", "-f", "{{json .Config.Env}} {{.Config.WorkingDir}} {{json .Config.Cmd}} {{json .Config.Labels}} {{len .RootFS.Layers}}", "single"]);
    assert.equal(i.stdout.trim(), '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","A=1","B=x y"] /app ["cat","a.txt"] {"team":"docs"} 2');
    // Intermediate images are kept for the cache but listed only with -a.
    const imgs = await d.docker(["images", "-q"]);
    const all = await d.docker(["images", "-aq"]);
    assert.ok(all.stdout.trim().split("\n").length > imgs.stdout.trim().split("\n").length + 4);
  });

  test("a rebuild uses the cache; editing a COPY'd file misses from that step on; --no-cache rebuilds", async () => {
    const dir = context({ "a.txt": "one\n", "b.txt": "b\n", Dockerfile: "FROM busybox\nCOPY b.txt /b.txt\nCOPY a.txt /a.txt\nENV X=1\nCMD [\"sh\"]\n" });
    const first = await build(dir, "-t", "cached");
    assert.equal(first.status, 0, first.stderr);
    const again = await build(dir, "-t", "cached");
    assert.equal((again.stdout.match(/ ---> Using cache/g) ?? []).length, 4);
    assert.equal(again.stdout.match(/Successfully built (\w+)/)![1], first.stdout.match(/Successfully built (\w+)/)![1]);
    writeFileSync(join(dir, "a.txt"), "two\n");
    const edited = await build(dir, "-t", "cached");
    const steps = edited.stdout.split(/^Step /m).slice(1);
    assert.deepEqual(steps.map((s) => s.includes("Using cache")), [false, true, false, false, false]);
    const nc = await build(dir, "--no-cache", "-t", "cached");
    assert.doesNotMatch(nc.stdout, /Using cache/);
  });

  test("a changed ARG invalidates the cache where it is first used", async () => {
    const dir = context({ Dockerfile: "FROM busybox\nARG V=1\nLABEL a=b\nENV FROM_ARG=$V\nCMD [\"sh\"]\n" });
    assert.equal((await build(dir, "-t", "args")).status, 0);
    const r = await build(dir, "--build-arg", "V=2", "-t", "args");
    const steps = r.stdout.split(/^Step /m).slice(1);
    assert.deepEqual(steps.map((s) => s.includes("Using cache")), [false, true, true, false, false]);
    const env = await d.docker(["image", "inspect", "-f", "{{json .Config.Env}}", "args"]);
    assert.match(env.stdout, /"FROM_ARG=2"/);
    const unused = await build(dir, "--build-arg", "NOPE=1");
    assert.match(unused.stdout, /\[Warning\] One or more build-args \[NOPE\] were not consumed/);
  });

  test(".dockerignore keeps files out of the context", async () => {
    const dir = context({ "keep.txt": "k", "secret.env": "s", "logs/a.log": "l", ".dockerignore": "*.env\nlogs\n", Dockerfile: "FROM busybox\nCOPY . /ctx/\n" });
    assert.equal((await build(dir, "-t", "ignored")).status, 0);
    const c = await d.docker(["create", "ignored", "true"]);
    const tarPath = join(dir, "out.tar");
    const ex = await d.docker(["export", "-o", tarPath, c.stdout.trim()]);
    assert.equal(ex.status, 0, ex.stderr);
    const names = [...(await listTar(readFileSync(tarPath))).keys()].filter((n) => n.startsWith("ctx/"));
    assert.deepEqual(names.sort(), ["ctx/.dockerignore", "ctx/Dockerfile", "ctx/keep.txt"]);
  });

  test("a Dockerfile and .dockerignore it lists are read, then left out of COPY . (dockerd's removeDockerfile); -f from outside the context", async () => {
    const dir = context({ "keep.txt": "k", ".dockerignore": "Dockerfile\n.dockerignore\n", Dockerfile: "FROM busybox\nCOPY . /ctx/\nRUN ls -A /ctx\n" });
    const r = await build(dir, "--no-cache");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Running in \w+\nkeep\.txt\n/);
    const outside = context({ Dockerfile: "FROM busybox\nCOPY . /ctx/\nRUN ls -A /ctx\n" });
    const plain = context({ "keep.txt": "k" });
    const o = await build(plain, "--no-cache", "-f", join(outside, "Dockerfile"));
    assert.equal(o.status, 0, o.stderr);
    // the CLI adds the Dockerfile as .dockerfile.<random>, named in .dockerignore: not in COPY .
    assert.match(o.stdout, /\nkeep\.txt\n/);
    assert.doesNotMatch(o.stdout, /\.dockerfile\./);
  });

  test("multi-stage builds copy between stages; --target stops early; FROM scratch works", async () => {
    const dir = context({ "a.txt": "A", Dockerfile: "FROM busybox AS base\nCOPY a.txt /from-base.txt\n\nFROM scratch\nCOPY --from=base /from-base.txt /bin/busybox /\nCMD [\"/busybox\", \"cat\", \"/from-base.txt\"]\n" });
    const r = await build(dir, "-t", "multi");
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Step 3\/5 : FROM scratch\n/);
    const layers = await d.docker(["image", "inspect", "-f", "{{len .RootFS.Layers}}", "multi"]);
    assert.equal(layers.stdout.trim(), "1");
    const t = await build(dir, "--target", "base", "-t", "multi-base");
    assert.match(t.stdout, /Step 2\/2 : COPY/);
    const bad = await build(dir, "--target", "nope");
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /failed to reach build target nope in Dockerfile/);
  });

  test("ADD unpacks a local tar archive", async () => {
    const dir = context({ "src/x/y.txt": "Y", Dockerfile: "FROM busybox\nADD files.tar.gz /opt/\n" });
    spawnSync("tar", ["-czf", join(dir, "files.tar.gz"), "-C", join(dir, "src"), "x"]);
    assert.equal((await build(dir, "-t", "added")).status, 0);
    const c = await d.docker(["create", "added", "true"]);
    const tarPath = join(dir, "out.tar");
    await d.docker(["export", "-o", tarPath, c.stdout.trim()]);
    const list = await listTar(readFileSync(tarPath));
    assert.ok(list.has("opt/x/y.txt"), [...list.keys()].filter((k) => k.startsWith("opt")).join(","));
  });

  test("Dockerfile errors give the line number and Docker's words", async () => {
    const dir = context({ Dockerfile: "FROM busybox\n# comment\nFORM x\n" });
    const r = await build(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Error response from daemon: dockerfile parse error on line 3: unknown instruction: FORM/);
    const missing = await build(context({ Dockerfile: "FROM busybox\nCOPY nope.txt /\n" }));
    assert.match(missing.stderr, /COPY failed: file not found in build context or excluded by \.dockerignore: stat nope\.txt: file does not exist/);
  });

  test("quiet mode prints only the image ID; --label labels the result", async () => {
    const dir = context({ Dockerfile: "FROM busybox\nENV Q=1\n" });
    const r = await build(dir, "-q", "--label", "built.by=slipway");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const l = await d.docker(["image", "inspect", "-f", "{{index .Config.Labels \"built.by\"}}", r.stdout.trim()]);
    assert.equal(l.stdout.trim(), "slipway");
  });

  test("export and import: a flat rootfs tar out and back in as a one-layer image", async () => {
    const c = await d.docker(["create", "single", "true"]);
    const dir = mkdtempSync(join(tmpdir(), "exp-"));
    const tarPath = join(dir, "fs.tar");
    assert.equal((await d.docker(["export", "-o", tarPath, c.stdout.trim()])).status, 0);
    const list = await listTar(readFileSync(tarPath));
    assert.ok(list.has("app/a.txt") && list.has("bin/busybox"));
    const imp = await d.docker(["import", "-c", "CMD [\"sh\"]", "-m", "from a tar", tarPath, "imported:v1"]);
    assert.equal(imp.status, 0, imp.stderr);
    assert.match(imp.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const h = await d.docker(["history", "--format", "{{.Comment}}|{{.CreatedBy}}", "imported:v1"]);
    assert.equal(h.stdout.trim(), "from a tar|");
    const cmd = await d.docker(["image", "inspect", "-f", "{{json .Config.Cmd}} {{len .RootFS.Layers}}", "imported:v1"]);
    assert.equal(cmd.stdout.trim(), '["sh"] 1');
  });

  test("RUN: output, a layer with whiteouts, a failing step's exit code", async () => {
    const dir = context({ Dockerfile: "FROM busybox\nARG WHO=you\nRUN echo hello $WHO > /greeting && rm /bin/ls && echo done\n" });
    const r = await build(dir, "-t", "ran");
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, / ---> Running in [0-9a-f]{12}\ndone\nRemoving intermediate container/);
    const h = await d.docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", "ran"]);
    assert.match(h.stdout, /^\|1 WHO=you \/bin\/sh -c echo hello \$WHO > \/greeting && rm \/bin\/ls && echo done$/m);
    const save = join(dir, "ran.tar");
    await d.docker(["save", "-o", save, "ran"]);
    const files = new Map<string, Uint8Array>();
    for await (const e of readTar(readFileSync(save))) files.set(e.header.name, e.data);
    const manifest = JSON.parse(new TextDecoder().decode(files.get("manifest.json")));
    const top = await listTar(files.get(manifest[0].Layers.at(-1))!);
    assert.ok(top.has("bin/.wh.ls") && top.has("greeting"), [...top.keys()].join(","));
    const fail = await build(context({ Dockerfile: "FROM busybox\nRUN exit 3\n" }), "-t", "never");
    assert.equal(fail.status, 3);
    assert.match(fail.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    assert.notEqual((await d.docker(["image", "inspect", "never"])).status, 0);
  });

  test("commit: a changed file becomes a layer, and the new image runs", async () => {
    const name = "to-commit";
    assert.equal((await d.docker(["run", "--name", name, "busybox", "sh", "-c", "echo changed > /etc/motd"])).status, 0);
    const c = await d.docker(["commit", "-m", "motd", "-c", "CMD [\"cat\", \"/etc/motd\"]", name, "committed:v1"]);
    assert.equal(c.status, 0, c.stderr);
    const r = await d.docker(["run", "--rm", "committed:v1"]);
    assert.equal(r.stdout, "changed\n");
  });

  describe("compared with real Docker's classic builder", () => {
    let real: RealDocker | string;
    before(async () => {
      real = await startRealDocker();
      if (typeof real === "string") console.log(`# real Docker comparison skipped: ${real}`);
    });
    after(async () => {
      if (typeof real !== "string") await real?.stop();
    });

    const dockerfiles: Record<string, Record<string, string>> = {
      "copy and metadata": { "a.txt": "hello\n", "d/b.txt": "b", "d/e/c.txt": "c", Dockerfile: 'FROM busybox\nCOPY a.txt /app/\nCOPY d /data\nCOPY d/ /etc/more/\nWORKDIR /app\nWORKDIR sub\nENV A=1 B="x y"\nLABEL l=1\nEXPOSE 80 53/udp\nUSER nobody\nVOLUME /data\nSTOPSIGNAL SIGKILL\nENTRYPOINT ["sh"]\n' },
      "arg and substitution": { "x.txt": "x", Dockerfile: "ARG BASE=busybox\nFROM $BASE\nARG DIR=/opt\nENV D=${DIR}/x\nCOPY x.txt ${D}/\nWORKDIR $D\nCMD echo $D\n" },
      "multi-stage": { "a.txt": "a", Dockerfile: "FROM busybox AS one\nCOPY a.txt /one/\nFROM busybox\nCOPY --from=one /one /two\nCOPY --chown=nobody:nogroup a.txt /owned.txt\n" },
    };
    for (const [name, files] of Object.entries(dockerfiles)) {
      test(name, async (t) => {
        if (typeof real === "string") return t.skip(real);
        const dir = context(files);
        const tag = `cmp-${name.replace(/\W+/g, "-")}`;
        const ours = await d.docker(["build", "--no-cache", "-t", tag, dir]);
        const theirs = real.docker(["build", "--no-cache", "-t", tag, dir]);
        assert.equal(ours.status, 0, ours.stderr);
        assert.equal(theirs.status, 0, theirs.stderr);
        const steps = (s: string) => s.split("\n").filter((l) => /^Step |^ ---> (Running in|Using cache)|^Removing/.test(l)).map((l) => l.replace(/[0-9a-f]{12}/g, "ID"));
        assert.deepEqual(steps(ours.stdout), steps(theirs.stdout));
        const hist = (s: string) => s.trim().split("\n").map((l) => l.replace(/(file|dir|multi):[0-9a-f]{64}/, "$1:HASH"));
        const fmt = ["history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", tag];
        assert.deepEqual(hist((await d.docker(fmt)).stdout), hist(real.docker(fmt).stdout));
        const cfgFmt = ["image", "inspect", "-f", "{{json .Config.Env}} {{json .Config.Cmd}} {{json .Config.Entrypoint}} {{.Config.WorkingDir}} {{.Config.User}} {{json .Config.ExposedPorts}} {{json .Config.Volumes}} {{json .Config.Labels}} {{.Config.StopSignal}}", tag];
        assert.equal((await d.docker(cfgFmt)).stdout, real.docker(cfgFmt).stdout);
        // The filesystems, entry by entry (type, mode, owner, size), without what a runtime adds.
        const oursC = (await d.docker(["create", tag, "true"])).stdout.trim();
        const theirsC = real.docker(["create", tag, "true"]).stdout.trim();
        const a = join(dir, "ours.tar");
        const b = join(dir, "theirs.tar");
        await d.docker(["export", "-o", a, oursC]);
        real.docker(["export", "-o", b, theirsC]);
        const strip = (m: Map<string, string>) => new Map([...m].filter(([k]) => !RUNTIME.test(k)));
        assert.deepEqual(strip(await listTar(readFileSync(a))), strip(await listTar(readFileSync(b))));
      });
    }

    test("an image saved by real Docker loads into Slipway, and the reverse", async (t) => {
      if (typeof real === "string") return t.skip(real);
      const dir = context({ "m.txt": "moved\n", Dockerfile: 'FROM busybox\nCOPY m.txt /m.txt\nCMD ["cat", "/m.txt"]\n' });
      assert.equal(real.docker(["build", "-t", "from-real", dir]).status, 0);
      const fromReal = join(dir, "from-real.tar");
      assert.equal(real.docker(["save", "-o", fromReal, "from-real"]).status, 0);
      const load = await d.docker(["load", "-i", fromReal]);
      assert.equal(load.status, 0, load.stderr);
      assert.equal(load.stdout, "Loaded image: from-real:latest\n");
      const id = (x: { stdout: string }) => x.stdout.trim();
      assert.equal(id(await d.docker(["image", "inspect", "-f", "{{.Id}}", "from-real"])), id(real.docker(["image", "inspect", "-f", "{{.Id}}", "from-real"])));
      assert.equal((await d.docker(["run", "--rm", "from-real"])).stdout, "moved\n");

      assert.equal((await d.docker(["build", "-t", "from-slipway", dir])).status, 0);
      const fromUs = join(dir, "from-slipway.tar");
      assert.equal((await d.docker(["save", "-o", fromUs, "from-slipway"])).status, 0);
      const l2 = real.docker(["load", "-i", fromUs]);
      assert.equal(l2.status, 0, l2.stderr);
      assert.equal(id(real.docker(["image", "inspect", "-f", "{{.Id}}", "from-slipway"])), id(await d.docker(["image", "inspect", "-f", "{{.Id}}", "from-slipway"])));
      const run = real.docker(["run", "--rm", "from-slipway"]);
      assert.equal(run.stdout, "moved\n", run.stderr);
    });
  });
});

// The commands the docker client is compared on, with the real docker CLI run
// against the same daemon: stdout, stderr and exit status, ids and times normalised.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Each case runs in order against one daemon; setup cases change state (not compared when `setup`). */
export interface Case {
  args: string[];
  /** Runs once with the real CLI only, to set state up for the next cases. */
  setup?: boolean;
  /** Run with the real CLI between the real CLI's run and ours, to give ours the same starting state. */
  undo?: string[];
}

/** Build contexts both clients build from: the same files at the same paths, on the host and in the guest. */
export const CONTEXTS: Record<string, Record<string, string>> = {
  "/tmp/sw-ctx/simple": {
    Dockerfile: 'FROM busybox\nARG WHO=world\nRUN echo "hello $WHO" > /greeting\nLABEL stage=simple\nCMD ["cat", "/greeting"]\n',
    "keep.txt": "kept\n",
  },
  "/tmp/sw-ctx/ignore": {
    Dockerfile: "FROM busybox\nCOPY . /c\nRUN find /c | sort\n",
    ".dockerignore": "# comments and exceptions\n*.log\nsub\n!sub/b\nDockerfile\n",
    "x.log": "ignored\n",
    "sub/a": "ignored\n",
    "sub/b": "re-included\n",
    "deep/er/file.txt": "kept\n",
  },
  "/tmp/sw-ctx/multi": {
    Dockerfile: 'FROM busybox AS build\nRUN echo "made in stage one" > /artifact.txt\nFROM busybox AS final\nCOPY --from=build /artifact.txt /artifact.txt\nRUN cat /artifact.txt\nFROM final AS extra\nRUN echo never\n',
    "other.Dockerfile": "FROM busybox\nRUN echo from other\n",
    "bad.Dockerfile": "FROM busybox\nBOGUS x\n",
  },
  "/tmp/sw-ctx/fail": { Dockerfile: "FROM busybox\nRUN echo before\nRUN exit 3\n" },
};

const c = (...args: string[]): Case => ({ args });
const setup = (...args: string[]): Case => ({ args, setup: true });
const undo = (u: string[], ...args: string[]): Case => ({ args, undo: u });

export const CASES: Case[] = [
  // pull (plain lines off a terminal) and the images it leaves
  undo(["rmi", "busybox"], "pull", "busybox"),
  undo(["rmi", "hello-world"], "pull", "hello-world:latest"),
  c("pull", "busybox"),
  c("images"), c("images", "-q"), c("images", "-a"), c("images", "--no-trunc"), c("images", "busybox"),
  c("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"), c("images", "--format", "table {{.ID}}\t{{.Size}}"),
  setup("tag", "busybox", "mine/box:v1"),
  c("images"),
  undo(["tag", "busybox", "mine/box:v1"], "rmi", "mine/box:v1"),
  undo(["rmi", "mine/box:v2"], "tag", "busybox", "mine/box:v2"),
  undo(["tag", "busybox", "mine/box:v2"], "rmi", "mine/box:v2"),
  c("history", "busybox"), c("history", "--no-trunc", "busybox"), c("history", "-q", "busybox"),
  c("history", "--format", "{{.CreatedBy}}|{{.Size}}", "busybox"),
  c("inspect", "busybox"), c("image", "inspect", "hello-world"),
  c("inspect", "-f", "{{.Architecture}} {{.Os}} {{len .RootFS.Layers}} {{json .Config.Cmd}} {{.Config.Cmd}}", "busybox"),
  // containers that are created but need not run
  setup("create", "--name", "c1", "-e", "A=1", "-p", "8080:80", "busybox", "echo", "hi"),
  c("ps", "-a"), c("ps", "-aq"), c("ps", "-a", "--no-trunc"), c("ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Command}}"),
  c("ps", "-a", "-f", "name=c1"), c("ps"), c("container", "ls", "-a"),
  c("inspect", "c1"), c("container", "inspect", "-f", "{{.Name}} {{.Config.Env}} {{json .HostConfig.PortBindings}}", "c1"),
  // the way tutorials get a container's address
  c("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "c1"),
  // Go template variables, as Docker's inspect documentation uses them
  c("inspect", "-f", "{{range $p, $b := .HostConfig.PortBindings}}{{$p}} -> {{(index $b 0).HostPort}} {{end}}", "c1"),
  c("inspect", "-f", "{{range $i, $e := .Config.Env}}{{$i}}={{$e}};{{end}}", "c1"),
  c("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "c1"),
  c("inspect", "-f", "{{$n := .Name}}{{with $s := .State}}{{$n}} {{$s.Status}}{{end}}", "c1"),
  c("inspect", "-f", "{{$nope}}", "c1"), c("inspect", "-f", "{{.Name", "c1"),
  undo(["rename", "c2", "c1"], "rename", "c1", "c2"),
  undo(["create", "--name", "c2", "busybox"], "rm", "c2"),
  // pause and unpause: the (Paused) state, and Docker's words for the wrong one
  setup("run", "-d", "--name", "pz", "busybox", "sleep", "1000"),
  undo(["unpause", "pz"], "pause", "pz"), c("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "pz"),
  c("ps", "-f", "name=pz", "--format", "{{.Names}} {{.State}}"), c("pause", "pz"), c("exec", "pz", "true"),
  undo(["pause", "pz"], "unpause", "pz"), c("unpause", "pz"), c("pause", "nosuch"), c("unpause", "nosuch"),
  c("pause"), c("unpause"), c("pause", "--help"), c("unpause", "--help"),
  setup("rm", "-f", "pz"),
  // diff, update, stats, cp, and run's --read-only, --tmpfs, --mount
  setup("run", "-d", "--name", "dz", "busybox", "sh", "-c", "echo x > /new; rm /bin/zcat; mkdir -p /d/sub; echo deep > /d/sub/f; sleep 1000"),
  setup("exec", "dz", "sh", "-c", "until [ -f /d/sub/f ]; do sleep 0.1; done"),
  c("diff", "dz"), c("container", "diff", "dz"), c("diff", "nosuch"), c("diff"),
  c("update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--pids-limit", "50", "--restart", "on-failure:3", "dz"),
  c("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy}}", "dz"),
  c("update", "dz"), c("update", "--memory", "1k", "dz"), c("update", "--memory", "x", "dz"), c("update", "--restart", ":3", "dz"),
  c("update", "--cpus", "1", "nosuch", "dz"), c("update"),
  c("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}} {{.MemUsage}}", "dz"),
  c("stats", "--no-stream", "--format", "table {{.Name}}\t{{.PIDs}}"), c("stats", "--no-stream", "nosuch"),
  c("cp", "dz:/d", "/tmp/sw-cp-dir"), c("cp", "dz:/new", "/tmp/sw-cp-file"), c("cp", "dz:/nosuch", "/tmp/x"), c("cp", "dz:/d", "/tmp/sw-cp-file"),
  undo(["exec", "dz", "rm", "-rf", "/back"], "cp", "/tmp/sw-cp-dir", "dz:/back"), c("cp", "/tmp/sw-cp-file", "dz:/back/"), c("cp", "/tmp/sw-ctx/simple/.", "dz:/ctx"),
  c("exec", "dz", "sh", "-c", "find /back /ctx | sort; cat /back/new /back/sub/f"),
  c("cp", "/tmp/sw-nosuch", "dz:/"), c("cp", "a", "b"), c("cp", "dz:/a", "dz:/b"),
  setup("rm", "-f", "dz"),
  c("run", "--rm", "--read-only", "busybox", "touch", "/x"),
  c("run", "--rm", "--read-only", "--tmpfs", "/scratch", "busybox", "sh", "-c", "touch /scratch/ok && echo ok"),
  c("run", "--rm", "--tmpfs", "/t:size=64k", "busybox", "sh", "-c", "mount | grep ' /t '"),
  c("run", "--rm", "--mount", "type=tmpfs,target=/m,tmpfs-size=1m", "busybox", "sh", "-c", "mount | grep ' /m '"),
  c("run", "--rm", "--mount", "type=volume,source=mvol,target=/data", "busybox", "sh", "-c", "echo hi > /data/f; cat /data/f"),
  c("run", "--rm", "--mount", "type=volume,source=mvol,target=/data,readonly", "busybox", "sh", "-c", "cat /data/f; touch /data/g"),
  c("run", "--rm", "--mount", "source=x", "busybox", "true"), setup("volume", "rm", "mvol"),
  c("diff", "--help"), c("update", "--help"), c("stats", "--help"), c("cp", "--help"),
  // networks, volumes, system
  c("network", "ls"), c("network", "ls", "-q"), c("network", "inspect", "bridge"),
  undo(["network", "rm", "net1"], "network", "create", "net1"), c("network", "ls"),
  // connect and disconnect: the container's networks as inspect shows them, and Docker's words
  setup("run", "-d", "--name", "nc1", "busybox", "sleep", "1000"),
  undo(["network", "disconnect", "net1", "nc1"], "network", "connect", "net1", "nc1"),
  c("inspect", "-f", "{{len .NetworkSettings.Networks}} {{.NetworkSettings.Networks.net1.NetworkID}}", "nc1"),
  c("network", "connect", "net1", "nc1"), c("network", "connect", "nosuchnet", "nc1"), c("network", "connect", "net1"),
  undo(["network", "connect", "net1", "nc1"], "network", "disconnect", "net1", "nc1"),
  c("inspect", "-f", "{{len .NetworkSettings.Networks}} {{.NetworkSettings.Networks.net1.NetworkID}}", "nc1"),
  c("network", "connect", "--help"), c("network", "disconnect", "--help"),
  setup("rm", "-f", "nc1"),
  undo(["network", "create", "net1"], "network", "rm", "net1"), c("network", "rm", "nosuchnet"),
  undo(["volume", "rm", "vol1"], "volume", "create", "vol1"), c("volume", "ls"), c("volume", "ls", "-q"),
  c("volume", "inspect", "vol1"), undo(["volume", "create", "vol1"], "volume", "rm", "vol1"),
  c("volume", "rm", "nosuchvol"), c("system", "df"),
  c("version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}/{{.Server.Arch}}"),
  c("info", "--format", "{{.Name}} {{.NCPU}} {{.OperatingSystem}}"),
  // errors: the real CLI's messages and exit codes
  c("foo"), c("network", "foo"), c("run", "--bogus", "x"), c("run", "-z", "x"), c("run"), c("run", "-p", "abc", "busybox"),
  c("run", "-e", "", "busybox"), c("run", "-v", "", "busybox"), c("create", "-p", "1:2:3:4", "busybox"),
  c("run", "--memory", "abc", "busybox"), c("run", "--cpus", "x", "busybox"), c("rm"), c("rm", "nosuch"), c("rmi", "nosuch"),
  c("logs"), c("logs", "--tail"), c("ps", "--bogus"), c("ps", "x"), c("stop", "nosuch"), c("stop", "-t", "x", "nosuch"),
  c("port"), c("tag", "a"), c("inspect", "nosuch"), c("image", "inspect", "nosuch"), c("inspect", "-f", "{{.Id}}", "nosuch", "busybox"),
  c("run", "nosuchimage"), c("pull", "nosuchimage"), c("-H"), c("--bogus"),
  // build (the classic builder; --no-cache: the real CLI runs first, ours would see its cache)
  c("build", "--no-cache", "-t", "built:1", "/tmp/sw-ctx/simple"), c("run", "--rm", "built:1"),
  c("build", "--no-cache", "-q", "/tmp/sw-ctx/simple"),
  c("build", "--no-cache", "--build-arg", "WHO=there", "--label", "by=test", "-t", "built:2", "/tmp/sw-ctx/simple"),
  c("inspect", "-f", "{{json .Config.Labels}} {{json .Config.Cmd}}", "built:2"), c("run", "--rm", "built:2"),
  c("build", "--no-cache", "/tmp/sw-ctx/ignore"),
  c("build", "--no-cache", "--target", "final", "-t", "multi", "/tmp/sw-ctx/multi"),
  c("build", "--no-cache", "-f", "/tmp/sw-ctx/multi/other.Dockerfile", "/tmp/sw-ctx/multi"),
  // (a -f from outside the context is left out: the real CLI's context size then depends on Go's map order)
  c("build", "--no-cache", "-f", "/tmp/sw-ctx/multi/bad.Dockerfile", "/tmp/sw-ctx/multi"),
  c("build", "--no-cache", "/tmp/sw-ctx/fail"), c("build", "--no-cache", "-q", "/tmp/sw-ctx/fail"),
  c("build", "--no-cache", "--target", "nosuch", "/tmp/sw-ctx/multi"),
  c("build", "/tmp/sw-ctx/nosuch"), c("build", "/tmp/sw-ctx/simple/keep.txt"), c("build", "/tmp/sw-ctx"),
  c("build", "-f", "/tmp/sw-ctx/nofile", "/tmp/sw-ctx/simple"), c("build"), c("build", "-t", "Bad", "/tmp/sw-ctx/simple"),
  // commit, save/load, export/import
  setup("run", "--name", "cm1", "busybox", "sh", "-c", "echo made > /made"),
  c("commit", "-m", "a message", "-a", "me", "-c", 'CMD ["cat", "/made"]', "cm1", "mine/cm:v1"), c("run", "--rm", "mine/cm:v1"),
  c("inspect", "-f", "{{.Author}}|{{.Comment}}|{{json .Config.Cmd}}", "mine/cm:v1"), c("history", "--format", "{{.CreatedBy}}|{{.Comment}}", "mine/cm:v1"),
  c("commit", "-p=false", "cm1"), c("commit", "nosuch"), c("commit", "cm1", "Bad:x"), c("commit"),
  c("save", "-o", "/tmp/sw-save.tar", "busybox", "mine/cm:v1"), c("load", "-i", "/tmp/sw-save.tar"), c("load", "-q", "-i", "/tmp/sw-save.tar"),
  c("save", "nosuch"), c("load", "-i", "/tmp/sw-nosuch.tar"), c("load", "x"), c("save"),
  c("export", "-o", "/tmp/sw-export.tar", "cm1"), c("import", "/tmp/sw-export.tar", "imported:1"), c("run", "--rm", "imported:1", "cat", "/made"),
  c("import", "-m", "hello", "-c", "ENV A=1", "/tmp/sw-export.tar", "imported:2"),
  c("inspect", "-f", "{{json .Config.Env}}", "imported:2"), c("history", "--format", "{{.Comment}}", "imported:2"),
  c("export", "nosuch"), c("import", "/tmp/sw-nosuch.tar"), c("export"), c("import"),
  // help texts
  c("build", "--help"), c("commit", "--help"), c("save", "--help"), c("load", "--help"), c("export", "--help"), c("import", "--help"),
  c("run", "--help"), c("ps", "--help"), c("network"), c("network", "ls", "--help"), c("volume", "--help"), c("image"),
];

/** Ids, digests and the client's own version differ between runs and clients. */
export function normalise(s: string): string {
  return s
    .replace(/\r+\n/g, "\n")
    // DOCKER_BUILDKIT=0 makes the real CLI warn; ours is the classic builder and says nothing
    .replace(/DEPRECATED: The legacy builder is deprecated[^\n]*\n[^\n]*\n[^\n]*environment-variable\.\n\n/, "")
    .replace(/sha256:[0-9a-f]{64}/g, "sha256:<DIGEST>")
    .replace(/\b[0-9a-f]{64}\b/g, "<ID64>")
    .replace(/\b[0-9a-f]{12}\b/g, "<ID>")
    .replace(/\b(slipway-daemon-|cli-)\w+/g, "<TMP>")
    .replace(/"[^"\n]*\/cli(\/[a-z.]+)?"\)/g, '"<CONFIG>")')
    .replace(/"\/root\/\.docker(\/[a-z.]+)?"\)/g, '"<CONFIG>")')
    .replace(/(\d+|Less than a|About a|About an) (seconds?|minutes?|hours?|second) ago/g, "<TIME> ago")
    .replace(/Up (\d+ \w+|Less than a second|About a minute)/g, "Up <TIME>")
    .replace(/"Created": "[^"]+"/g, '"Created": "<TIME>"')
    .replace(/"(StartedAt|FinishedAt|CreatedAt)": "[^"]+"/g, '"$1": "<TIME>"');
}

/** Table columns widen with times ("2 seconds ago" vs "1 second ago"): compare cells, not spacing, for listings. */
/**
 * stdout as compared. `docker images` rows of one image whose tags are in different
 * repositories come out of the real CLI in Go map order (its formatter groups tags by
 * repository in a map), so their order is random there: those outputs compare as row sets.
 */
export function stdoutCells(k: Case, s: string): string {
  const out = cells(s);
  if (k.args[0] !== "images") return out;
  const [head, ...rows] = out.split("\n");
  return [head, ...rows.sort()].join("\n");
}

export function cells(s: string): string {
  return normalise(s)
    .split("\n")
    .map((l) => l.split(/ {2,}/).join(" | "))
    .join("\n");
}

/** The shell lines that create CONTEXTS (for the guest; the host writes them with fs). */
export function contextScript(): string {
  const lines: string[] = ["rm -rf /tmp/sw-ctx"];
  for (const [dir, files] of Object.entries(CONTEXTS)) {
    for (const [name, text] of Object.entries(files)) {
      const path = `${dir}/${name}`;
      lines.push(`mkdir -p ${path.slice(0, path.lastIndexOf("/"))}`, `cat > ${path} <<'SW_EOF'`, text.replace(/\n$/, ""), "SW_EOF");
    }
  }
  return lines.join("\n");
}

/** CONTEXTS on the host, for the real CLI (and the host build of ours). */
export function writeHostContexts(): void {
  rmSync("/tmp/sw-ctx", { recursive: true, force: true });
  // docker cp's destinations: each run starts without them
  for (const p of ["/tmp/sw-cp-dir", "/tmp/sw-cp-file"]) rmSync(p, { recursive: true, force: true });
  for (const [dir, files] of Object.entries(CONTEXTS)) {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  }
}

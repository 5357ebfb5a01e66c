// The commands the docker client is compared on, with the real docker CLI run
// against the same daemon: stdout, stderr and exit status, ids and times normalised.

/** Each case runs in order against one daemon; setup cases change state (not compared when `setup`). */
export interface Case {
  args: string[];
  /** Runs once with the real CLI only, to set state up for the next cases. */
  setup?: boolean;
  /** Run with the real CLI between the real CLI's run and ours, to give ours the same starting state. */
  undo?: string[];
}

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
  undo(["rename", "c2", "c1"], "rename", "c1", "c2"),
  undo(["create", "--name", "c2", "busybox"], "rm", "c2"),
  // networks, volumes, system
  c("network", "ls"), c("network", "ls", "-q"), c("network", "inspect", "bridge"),
  undo(["network", "rm", "net1"], "network", "create", "net1"), c("network", "ls"),
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
  // help texts
  c("run", "--help"), c("ps", "--help"), c("network"), c("network", "ls", "--help"), c("volume", "--help"), c("image"),
];

/** Ids, digests and the client's own version differ between runs and clients. */
export function normalise(s: string): string {
  return s
    .replace(/\r\n/g, "\n")
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
export function cells(s: string): string {
  return normalise(s)
    .split("\n")
    .map((l) => l.split(/ {2,}/).join(" | "))
    .join("\n");
}

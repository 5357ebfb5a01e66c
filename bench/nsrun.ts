// nsrun's start-up cost: `nsrun run` of `true` against busybox
// `unshare -mpuin --fork true` (the namespaces alone, no runtime) in the same
// guest. One in-guest loop times them all, interleaved so that all see the same
// background (the kernel tears network namespaces down asynchronously), with
// `timeit` (CLOCK_MONOTONIC; bench/guest-tools): the emulator's boot is not in the figures.
//
// Three bundles, from what unshare does to what Docker asks for:
//  - "namespaces": the five namespaces unshare makes and no mounts: the runtime's own cost
//    (config.json, the cgroup, the state, pivot_root) over the same kernel work;
//  - "tests": the guest tests' bundle (test/guest/nsrun-lib.sh): six namespaces; proc, a tmpfs
//    /dev with its devices, devpts, shm, sysfs and cgroup2, each made and torn down per run;
//  - "spec": `nsrun spec`'s default, which adds mqueue and masks 13 paths.
import { readFileSync } from "node:fs";
import { consoleExec } from "../worker/vm/console-exec.ts";
import { GuestMachine } from "../worker/vm/guest-machine.ts";
import { loadGuestAssets, v86WasmPath } from "../worker/node/guest-files.ts";
import { median } from "./_stats.ts";
import { installGuestTool } from "./_guest-tools.ts";

const RUNS = 20;
const WARMUP = 10;

const lib = readFileSync(new URL("../test/guest/nsrun-lib.sh", import.meta.url), "utf8");
const script = `
set -e
export PATH=/usr/local/bin:$PATH
cat > /tmp/nsrun-lib.sh <<'NSRUN_LIB_EOF'
${lib}NSRUN_LIB_EOF
. /tmp/nsrun-lib.sh
mkb /tmp/bench-tests '["true"]'
mkb /tmp/bench-namespaces '["true"]'
sed -i '/"destination"/d; s/, { "type": "cgroup" }//' /tmp/bench-namespaces/config.json
s=/tmp/bench-spec
rm -rf $s && mkdir -p $s && ln -s $R $s/rootfs && cd $s && nsrun spec
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' config.json
for i in $(seq 1 ${WARMUP}); do
  for b in namespaces tests spec; do nsrun run -b /tmp/bench-$b warm; done
  unshare -mpuin --fork true
done
i=0
while [ $i -lt ${RUNS} ]; do
  echo "unshare $(timeit unshare -mpuin --fork true)"
  sleep 0.2
  for b in namespaces tests spec; do
    echo "$b $(timeit nsrun run -b /tmp/bench-$b bench)"
    sleep 0.2
  done
  i=$((i + 1))
done
`;

const machine = await GuestMachine.start(loadGuestAssets(), { wasmPath: v86WasmPath() });
try {
  await installGuestTool(machine, "timeit");
  const r = await consoleExec(machine, script, { timeoutMs: 900_000 });
  if (r.status !== 0) throw new Error(`bench script failed (${r.status}):\n${r.output}`);
  const times = (name: string) => {
    const xs = r.output.split("\n").filter((l) => l.startsWith(name + " ")).map((l) => Number(l.split(" ")[1]));
    if (xs.length !== RUNS) throw new Error(`unexpected output for ${name}:\n${r.output}`);
    return xs;
  };
  const show = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");
  const unshare = times("unshare");
  const u = median(unshare);
  console.log(`runs (ms): unshare ${show(unshare)}`);
  const rows: [string, string][] = [
    ["namespaces", "the same five namespaces, no mounts"],
    ["tests", "the tests' bundle (six namespaces, proc, /dev, devpts, shm, sysfs, cgroup2)"],
    ["spec", "`nsrun spec` default bundle"],
  ];
  for (const [name] of rows) console.log(`runs (ms): nsrun, ${name} ${show(times(name))}`);
  console.log(`nsrun: unshare -mpuin --fork true median ${u.toFixed(1)} ms`);
  for (const [name, what] of rows) {
    const n = median(times(name));
    console.log(`nsrun: run true, ${what}: median ${n.toFixed(1)} ms; ratio ${(n / u).toFixed(2)}${name === "namespaces" ? "  target <= 2" : ""}`);
  }
} finally {
  await machine.stop();
}

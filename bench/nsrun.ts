// nsrun's start-up cost: `nsrun run` of `true` against busybox
// `unshare -mpuin --fork true` (the same namespaces, no runtime) in the same
// guest. One in-guest loop times both, interleaved so that both see the same
// background (the kernel tears network namespaces down asynchronously), with
// the guest's `timeit` (CLOCK_MONOTONIC): the emulator's boot is not in the figures.
import { readFileSync } from "node:fs";
import { consoleExec } from "../worker/vm/console-exec.ts";
import { GuestMachine } from "../worker/vm/guest-machine.ts";
import { loadGuestAssets, v86WasmPath } from "../worker/node/guest-files.ts";
import { median } from "./_stats.ts";
import { installGuestTool } from "./_guest-tools.ts";

const RUNS = 20;

// The bundle the guest tests use (test/guest/nsrun-lib.sh: six namespaces;
// proc, a tmpfs /dev with its devices, devpts, shm, sysfs and cgroup2), and
// for comparison \`nsrun spec\`'s default, which adds mqueue and masks 13 paths.
const lib = readFileSync(new URL("../test/guest/nsrun-lib.sh", import.meta.url), "utf8");
const script = `
set -e
export PATH=/usr/local/bin:$PATH
cat > /tmp/nsrun-lib.sh <<'NSRUN_LIB_EOF'
${lib}NSRUN_LIB_EOF
. /tmp/nsrun-lib.sh
mkb /tmp/bench-nsrun '["true"]'
s=/tmp/bench-spec
rm -rf $s && mkdir -p $s && ln -s $R $s/rootfs && cd $s && nsrun spec
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' config.json
for i in $(seq 1 10); do nsrun run -b /tmp/bench-nsrun warm$i; nsrun run -b $s warm$i; unshare -mpuin --fork true; done
i=0
while [ $i -lt ${RUNS} ]; do
  echo "nsrun $(timeit nsrun run -b /tmp/bench-nsrun bench)"
  sleep 0.2
  echo "unshare $(timeit unshare -mpuin --fork true)"
  sleep 0.2
  echo "spec $(timeit nsrun run -b $s bench)"
  sleep 0.2
  i=$((i + 1))
done
`;

const machine = await GuestMachine.start(loadGuestAssets(), { wasmPath: v86WasmPath() });
try {
  await installGuestTool(machine, "timeit");
  const r = await consoleExec(machine, script, { timeoutMs: 600_000 });
  if (r.status !== 0) throw new Error(`bench script failed (${r.status}):\n${r.output}`);
  const times = (name: string) =>
    r.output.split("\n").filter((l) => l.startsWith(name + " ")).map((l) => Number(l.split(" ")[1]));
  const nsrun = times("nsrun");
  const unshare = times("unshare");
  const spec = times("spec");
  if (nsrun.length !== RUNS || unshare.length !== RUNS || spec.length !== RUNS) throw new Error(`unexpected output:\n${r.output}`);
  const n = median(nsrun);
  const u = median(unshare);
  const sp = median(spec);
  const show = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(" ");
  console.log(`runs (ms): nsrun ${show(nsrun)}`);
  console.log(`runs (ms): unshare ${show(unshare)}`);
  console.log(`runs (ms): nsrun, spec default ${show(spec)}`);
  console.log(`nsrun: run true median ${n.toFixed(1)} ms; unshare -mpuin --fork true median ${u.toFixed(1)} ms; ratio ${(n / u).toFixed(2)}`);
  console.log(`nsrun, \`nsrun spec\` default bundle: run true median ${sp.toFixed(1)} ms; ratio ${(sp / u).toFixed(2)}`);
} finally {
  await machine.stop();
}

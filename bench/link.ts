// npx tsx bench/link.ts: the agent link's throughput both ways and small-message
// round trip, beside the alternatives measured the same way (9p, serial console).
import { randomBytes } from "node:crypto";
import { startGuest } from "../test/helpers/guest.ts";
import { AgentClient } from "../worker/link/agent-client.ts";

const MiB = 1024 * 1024;
const N = Number(process.env.LINK_BENCH_MIB ?? 8) * MiB;
const rate = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(1)} MiB/s`;

const guest = await startGuest();
try {
  const agent = await AgentClient.connect(guest.machine);

  // JS -> guest: the agent's sink counts (raw: no hashing in the emulated CPU; the tests hash).
  const data = randomBytes(N);
  let t = performance.now();
  const sink = agent.link.call("sink", { raw: true });
  sink.write(data);
  sink.end();
  const r = (await sink.reply) as { size: number; sha256: string };
  const jsToGuest = performance.now() - t;
  if (r.size !== N) throw new Error("sink: byte count differs");

  // guest -> JS: the agent's source.
  t = performance.now();
  const src = agent.link.call("source", { size: N, raw: true });
  src.end();
  let got = 0;
  const reader = src.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    got += value.length;
  }
  const guestToJs = performance.now() - t;
  if (got !== N) throw new Error(`source: ${got} of ${N} bytes`);

  // Round trip of a 32-byte message on one echo stream.
  const echo = agent.echo();
  const er = echo.readable.getReader();
  const rtts: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    echo.write(new Uint8Array(32));
    let n = 0;
    while (n < 32) n += (await er.read()).value!.length;
    rtts.push(performance.now() - t0);
  }
  echo.end();
  rtts.sort((a, b) => a - b);
  // A whole unary call (CALL+END, REPLY+END).
  const calls: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    await agent.hasLayer("sha256:" + "0".repeat(64));
    calls.push(performance.now() - t0);
  }
  calls.sort((a, b) => a - b);
  console.log(
    `link: tcp guest->js ${rate(N, guestToJs)}  js->guest ${rate(N, jsToGuest)}  rtt median ${rtts[100].toFixed(2)} ms  call median ${calls[50].toFixed(2)} ms`,
  );
  agent.close();

  // 9p: JS writes a file into the share, the guest reads it through.
  const nineMiB = Math.min(N, 8 * MiB);
  t = performance.now();
  await guest.machine.writeSharedFile("bench.bin", new Uint8Array(data.subarray(0, nineMiB)));
  await guest.sh("cat /mnt/host/bench.bin > /dev/null");
  const ninep = performance.now() - t;
  // guest -> JS over 9p: the guest writes, JS reads the file back.
  t = performance.now();
  await guest.sh(`dd if=/dev/zero of=/mnt/host/out.bin bs=64k count=${nineMiB / 65536} 2>/dev/null`);
  const back: Uint8Array = await (guest.machine.emulator as any).read_file("out.bin");
  const ninepBack = performance.now() - t;
  if (back.length !== nineMiB) throw new Error(`9p read_file: ${back.length} bytes`);
  await guest.sh("rm -f /mnt/host/bench.bin /mnt/host/out.bin");
  console.log(`link: 9p js->guest ${rate(nineMiB, ninep)}  guest->js ${rate(nineMiB, ninepBack)} (file round trips, not a stream)`);

  // The serial console (ttyS0), guest -> JS: what slipway exec's output rides on.
  const serialBytes = 256 * 1024;
  t = performance.now();
  const out = await guest.exec(`head -c ${serialBytes} /dev/zero | tr '\\0' 'x'`, 300_000);
  const serial = performance.now() - t;
  if (out.output.length < serialBytes) throw new Error(`serial: ${out.output.length} bytes`);
  const t1 = performance.now();
  await guest.sh("true");
  const serialRtt = performance.now() - t1;
  console.log(`link: serial guest->js ${rate(serialBytes, serial)}  command round trip ${serialRtt.toFixed(1)} ms`);
} finally {
  await guest.stop();
}

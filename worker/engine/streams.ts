// Docker's stream framing. Without a TTY, stdout and stderr share one connection:
// each frame is an 8-byte header (stream, 0, 0, 0, big-endian length) then the bytes.
// With a TTY there is one raw stream.

export const MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
export const RAW = "application/vnd.docker.raw-stream";

export function frame(stream: 0 | 1 | 2, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  out[0] = stream;
  new DataView(out.buffer).setUint32(4, data.length);
  out.set(data, 8);
  return out;
}

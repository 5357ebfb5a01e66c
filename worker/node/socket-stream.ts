// A Node socket as the daemon's ByteStream. allowHalfOpen matters: the docker CLI
// half-closes its side when stdin ends and still reads the container's output.
import type { Socket } from "node:net";
import type { ByteStream } from "../engine/http/byte-stream.ts";

export function socketStream(sock: Socket): ByteStream {
  const queue: Uint8Array[] = [];
  let ended = false;
  let waiting: ((v: Uint8Array | null) => void) | undefined;
  sock.on("data", (d: Buffer) => {
    const chunk = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(chunk);
    } else {
      queue.push(chunk);
      sock.pause();
    }
  });
  const finish = () => {
    ended = true;
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(null);
    }
  };
  sock.on("end", finish);
  sock.on("close", finish);
  sock.on("error", finish);
  return {
    read() {
      const next = queue.shift();
      if (next) return Promise.resolve(next);
      if (ended) return Promise.resolve(null);
      sock.resume();
      return new Promise((r) => (waiting = r));
    },
    write(data) {
      if (sock.destroyed) return Promise.reject(new Error("connection closed"));
      return new Promise((resolve, reject) => sock.write(data, (err) => (err ? reject(err) : resolve())));
    },
    end() {
      sock.end();
    },
  };
}

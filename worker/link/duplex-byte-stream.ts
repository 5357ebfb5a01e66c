// A link stream (an Engine API connection relayed from the guest, a dialled port) as
// the daemon's ByteStream. A stream the guest resets is, to the reader, an ended one:
// the connection is gone either way, and nobody is left to take an error.
import type { ByteStream } from "../engine/http/byte-stream.ts";
import type { Duplex } from "./agent-api.ts";

export function duplexByteStream(conn: Duplex): ByteStream {
  const reader = conn.readable.getReader();
  return {
    read: async () => {
      try {
        const { done, value } = await reader.read();
        return done ? null : value;
      } catch {
        return null;
      }
    },
    write: async (d) => conn.write(d),
    end: () => conn.end(),
  };
}

// What the drivers that keep each file as one value (memory, IndexedDB) share: a byte range of
// a value as a stream, and a stream gathered into one value before it is stored.
import { concatBytes } from "../bytes.ts";

/** bytes[offset, offset + length) as a stream: distribution's Reader(path, offset). */
export function rangeStream(data: Uint8Array, offset = 0, length?: number): ReadableStream<Uint8Array> {
  const end = length === undefined ? data.byteLength : Math.min(data.byteLength, offset + length);
  const part = data.subarray(Math.min(offset, data.byteLength), end);
  return new ReadableStream({
    start(c) {
      if (part.byteLength) c.enqueue(part);
      c.close();
    },
  });
}

/** The whole body in one array (each chunk copied: the caller may reuse its buffers). */
export async function gather(body: AsyncIterable<Uint8Array>, onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) {
    onChunk?.(chunk);
    chunks.push(chunk.slice());
  }
  return concatBytes(chunks);
}

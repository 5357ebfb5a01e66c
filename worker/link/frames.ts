// Frames of the daemon–agent link (see link-protocol.md): a 9-byte big-endian header
// (u32 stream, u8 type, u32 length) and the payload. Runs in Node and in a web worker.

export const FrameType = {
  HELLO: 1,
  OPEN: 2,
  DATA: 3,
  END: 4,
  CALL: 5,
  REPLY: 6,
  CREDIT: 7,
  RESET: 8,
  EVENT: 9,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const HEADER_SIZE = 9;
/** Largest payload either side accepts; larger is a protocol error. */
export const MAX_PAYLOAD = 1 << 20;
/** Largest DATA payload a sender produces. */
export const MAX_DATA = 64 * 1024;
/** Bytes of DATA a sender may have outstanding (sent, not yet credited) per stream. */
export const WINDOW = 256 * 1024;

export interface Frame {
  stream: number;
  type: FrameType;
  payload: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFrame(stream: number, type: FrameType, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`link frame payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const out = new Uint8Array(HEADER_SIZE + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, stream >>> 0);
  view.setUint8(4, type);
  view.setUint32(5, payload.length);
  out.set(payload, HEADER_SIZE);
  return out;
}

export function jsonPayload(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function parseJson<T = unknown>(payload: Uint8Array): T {
  return JSON.parse(decoder.decode(payload)) as T;
}

export function u32Payload(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

export function readU32(payload: Uint8Array): number {
  if (payload.length !== 4) throw new Error(`link: a CREDIT frame carries 4 bytes, not ${payload.length}`);
  return new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
}

/** Reassembles frames from TCP chunks, which split and join frames anywhere. */
export class FrameDecoder {
  private buf = new Uint8Array(64 * 1024);
  private start = 0;
  private end = 0;

  /** Feeds bytes; returns the frames now complete. Throws on a malformed header. */
  push(chunk: Uint8Array): Frame[] {
    this.append(chunk);
    const frames: Frame[] = [];
    for (;;) {
      const avail = this.end - this.start;
      if (avail < HEADER_SIZE) break;
      const view = new DataView(this.buf.buffer, this.start, HEADER_SIZE);
      const length = view.getUint32(5);
      const type = view.getUint8(4);
      if (length > MAX_PAYLOAD) throw new Error(`link: frame of ${length} bytes exceeds ${MAX_PAYLOAD}`);
      if (type < FrameType.HELLO || type > FrameType.EVENT) throw new Error(`link: unknown frame type ${type}`);
      if (avail < HEADER_SIZE + length) break;
      const p = this.start + HEADER_SIZE;
      frames.push({ stream: view.getUint32(0), type: type as FrameType, payload: this.buf.slice(p, p + length) });
      this.start = p + length;
    }
    if (this.start === this.end) this.start = this.end = 0;
    return frames;
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const used = this.end - this.start;
      if (used + chunk.length <= this.buf.length) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(this.buf.length * 2, used + chunk.length));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = used;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}

// Joining byte chunks into one array: request bodies and whole stored files.
// (The engine has its own twin; the registry stands alone behind the Distribution API.)
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

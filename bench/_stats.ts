// Small helpers shared by the benchmark scripts.
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
export const runs = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(" ");

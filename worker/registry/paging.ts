// The `n` / `last` paging shared by tags/list and the catalog: results are
// sorted, `last` says where the previous page ended, `n` how many to give.
// When more remain, a Link header names the next page (RFC 5988).
import { compare } from "./store.ts";

export interface Page {
  items: string[];
  /** The Link header value, when there is a next page. */
  link: string | null;
}

export function paginate(all: string[], url: URL, path: string): Page {
  const nParam = url.searchParams.get("n");
  const last = url.searchParams.get("last");
  const n = nParam !== null && /^\d+$/.test(nParam) ? Number(nParam) : null;
  let items = last !== null ? all.filter((x) => compare(x, last) > 0) : all;
  if (n === null || items.length <= n) return { items, link: null };
  items = items.slice(0, n);
  if (n === 0) return { items, link: null };
  const next = new URLSearchParams({ n: String(n), last: items[items.length - 1] });
  return { items, link: `<${path}?${next}>; rel="next"` };
}

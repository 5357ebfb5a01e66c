// Makes a container's web page whole for the sandboxed Preview iframe.
// The iframe's page has an opaque origin, and Chromium sends an opaque-origin document's
// requests past the service worker, so nothing it loads by URL could reach the guest.
// Before the page goes into the iframe, every stylesheet, script, image and font it names on
// the container's server is fetched here (through the relay) and written into the page:
// stylesheets and scripts as data: URLs or inline text, CSS url()s recursively.
// A small script added to the page sends link clicks and form submissions to the app, which
// loads the next page the same way: browsing inside the preview works as in a tab.

/** Fetches one resource of the container's server, by absolute URL under the preview's root. */
export type ResourceFetch = (url: string) => Promise<Response>;

export interface InlineOptions {
  /** The page's own URL: its relative links resolve against it. */
  pageUrl: string;
  /** Only URLs under this prefix belong to the container; others are left as they are. */
  root: string;
  fetch: ResourceFetch;
  /** Stop inlining once this many bytes were fetched: a preview, not a mirror. */
  maxBytes?: number;
}

/** What the page's navigation script posts to the app. */
export interface PreviewNavigation {
  type: "slipway-preview-navigate";
  url: string;
  method: "GET" | "POST";
  /** application/x-www-form-urlencoded body of a POST form. */
  body?: string;
}

const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]+))\s*\)/g;
const CSS_IMPORT = /@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^)'";\s]+))\s*\)?([^;]*);/g;

export async function inlinePage(htmlText: string, opts: InlineOptions): Promise<string> {
  const doc = new DOMParser().parseFromString(htmlText, "text/html");
  const budget = { left: opts.maxBytes ?? 32 * 1024 * 1024 };
  const mine = (ref: string, base: string): string | undefined => (ref.startsWith("#") ? undefined : previewUrl(ref, base, opts.root));
  const get = async (url: string): Promise<{ type: string; bytes: Uint8Array } | undefined> => {
    if (budget.left <= 0) return undefined;
    try {
      const res = await opts.fetch(url);
      if (!res.ok) return undefined;
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length > budget.left) return undefined;
      budget.left -= bytes.length;
      // A server that names no type, or only "octet-stream", leaves it to the file's extension.
      const served = (res.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
      return { type: !served || served === "application/octet-stream" ? guessType(url) : served, bytes };
    } catch {
      return undefined;
    }
  };
  const dataUrlOf = async (url: string): Promise<string | undefined> => {
    const r = await get(url);
    if (!r) return undefined;
    if (r.type === "text/css") return toDataUrl("text/css", new TextEncoder().encode(await inlineCss(new TextDecoder().decode(r.bytes), url, 0)));
    return toDataUrl(r.type, r.bytes);
  };
  // CSS: @import becomes the imported sheet's text, url() a data: URL. Depth-limited against loops.
  const inlineCss = async (css: string, base: string, depth: number): Promise<string> => {
    if (depth < 8) {
      for (const m of [...css.matchAll(CSS_IMPORT)]) {
        const url = mine(m[1] ?? m[2] ?? m[3], base);
        const r = url ? await get(url) : undefined;
        if (!url || !r) continue;
        const inner = await inlineCss(new TextDecoder().decode(r.bytes), url, depth + 1);
        const media = m[4].trim();
        css = css.replace(m[0], media ? `@media ${media} {\n${inner}\n}` : inner);
      }
    }
    const urls = new Map<string, string>();
    for (const m of css.matchAll(CSS_URL)) {
      const url = mine(m[1] ?? m[2] ?? m[3], base);
      if (url && !urls.has(url)) urls.set(url, (await dataUrlOf(url)) ?? url);
    }
    return css.replace(CSS_URL, (whole, a, b, c) => {
      const url = mine(a ?? b ?? c, base);
      const data = url && urls.get(url);
      return data ? `url("${data}")` : whole;
    });
  };

  const base = opts.pageUrl;
  const work: Promise<void>[] = [];
  for (const link of doc.querySelectorAll<HTMLLinkElement>("link[href]")) {
    const rel = (link.getAttribute("rel") ?? "").toLowerCase().split(/\s+/);
    const url = mine(link.getAttribute("href")!, base);
    if (!url) continue;
    if (rel.includes("stylesheet")) {
      work.push(
        get(url).then(async (r) => {
          if (!r) return;
          const style = doc.createElement("style");
          const media = link.getAttribute("media");
          if (media) style.setAttribute("media", media);
          style.textContent = await inlineCss(new TextDecoder().decode(r.bytes), url, 0);
          link.replaceWith(style);
        }),
      );
    } else if (rel.some((r) => r === "icon" || r === "apple-touch-icon")) {
      work.push(setAttr(link, "href", dataUrlOf(url)));
    }
  }
  for (const script of doc.querySelectorAll<HTMLScriptElement>("script[src]")) {
    const url = mine(script.getAttribute("src")!, base);
    if (url) work.push(setAttr(script, "src", get(url).then((r) => r && toDataUrl("text/javascript", r.bytes))));
  }
  for (const el of doc.querySelectorAll<HTMLElement>("img[src], source[src], video[src], audio[src], track[src], input[type=image][src], embed[src]")) {
    const url = mine(el.getAttribute("src")!, base);
    if (url) work.push(setAttr(el, "src", dataUrlOf(url)));
  }
  for (const el of doc.querySelectorAll<HTMLElement>("video[poster]")) {
    const url = mine(el.getAttribute("poster")!, base);
    if (url) work.push(setAttr(el, "poster", dataUrlOf(url)));
  }
  for (const el of doc.querySelectorAll<HTMLElement>("img[srcset], source[srcset]")) {
    work.push(
      (async () => {
        const parts = await Promise.all(
          el.getAttribute("srcset")!.split(",").map(async (candidate) => {
            const [ref, ...desc] = candidate.trim().split(/\s+/);
            const url = mine(ref, base);
            const data = url && (await dataUrlOf(url));
            return [data ?? ref, ...desc].join(" ");
          }),
        );
        el.setAttribute("srcset", parts.join(", "));
      })(),
    );
  }
  for (const style of doc.querySelectorAll("style")) {
    work.push(inlineCss(style.textContent ?? "", base, 0).then((css) => void (style.textContent = css)));
  }
  for (const el of doc.querySelectorAll<HTMLElement>("[style]")) {
    work.push(inlineCss(el.getAttribute("style")!, base, 8).then((css) => el.setAttribute("style", css)));
  }
  await Promise.all(work);

  // <base> keeps anything left (a link built by script) resolving under the preview's path.
  const baseEl = doc.createElement("base");
  baseEl.href = base;
  const nav = doc.createElement("script");
  nav.textContent = navigationScript(opts.root);
  doc.head.prepend(baseEl, nav);
  return "<!doctype html>\n" + doc.documentElement.outerHTML;
}

/**
 * Where a reference in the container's page points, as a URL under the preview's root, or
 * undefined when it points elsewhere. The page was written for its own server's root, so a
 * root-relative "/style.css" or "http://localhost/style.css" means root + "style.css".
 */
export function previewUrl(ref: string, base: string, root: string): string | undefined {
  ref = ref.trim();
  if (!ref || /^(data|blob|javascript|mailto|tel|about):/i.test(ref)) return undefined;
  if (/^\/(?!\/)/.test(ref)) return root + ref.slice(1);
  let abs: string;
  try {
    abs = new URL(ref, base).href;
  } catch {
    return undefined;
  }
  // Already under the preview (the app itself may be served from localhost).
  if (abs.startsWith(root)) return abs;
  const local = /^(?:https?:)?\/\/(?:localhost|127\.0\.0\.1)(?::\d+)?(\/.*)?$/i.exec(ref);
  return local ? root + (local[1] ?? "/").slice(1) : undefined;
}

/** Turns link clicks and form submissions inside the preview into messages to the app. */
function navigationScript(root: string): string {
  return `(() => {
  const root = ${JSON.stringify(root)};
  const go = (url, method, body) => parent.postMessage({ type: "slipway-preview-navigate", url, method, body }, "*");
  addEventListener("click", (e) => {
    const a = e.target instanceof Element && e.target.closest("a[href]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    const raw = a.getAttribute("href");
    if (raw.startsWith("#")) {
      e.preventDefault();
      const el = document.getElementById(decodeURIComponent(raw.slice(1)));
      if (el) el.scrollIntoView(); else if (raw === "#") scrollTo(0, 0);
      return;
    }
    const url = raw.startsWith("/") && !raw.startsWith("//") ? root + raw.slice(1) : a.href;
    if (!url.startsWith(root) || a.target === "_blank") return;
    e.preventDefault();
    go(url, "GET");
  });
  addEventListener("submit", (e) => {
    const f = e.target;
    const action = f.getAttribute("action") || "";
    const url = new URL(action.startsWith("/") && !action.startsWith("//") ? root + action.slice(1) : action, document.baseURI);
    if (!url.href.startsWith(root)) return;
    e.preventDefault();
    const data = new URLSearchParams(new FormData(f, e.submitter)).toString();
    if ((f.method || "get").toLowerCase() === "post") go(url.href, "POST", data);
    else { url.search = data; go(url.href, "GET"); }
  });
})();`;
}

async function setAttr(el: Element, name: string, value: Promise<string | undefined>): Promise<void> {
  const v = await value;
  if (v) el.setAttribute(name, v);
}

export function toDataUrl(type: string, bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${type};base64,${btoa(bin)}`;
}

// busybox httpd and friends name most types; this covers servers that send none.
function guessType(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase() ?? "";
  const types: Record<string, string> = {
    css: "text/css", js: "text/javascript", mjs: "text/javascript", json: "application/json", svg: "image/svg+xml",
    png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", ico: "image/x-icon",
    woff: "font/woff", woff2: "font/woff2", ttf: "font/ttf", otf: "font/otf", html: "text/html", txt: "text/plain",
  };
  return types[ext] ?? "application/octet-stream";
}

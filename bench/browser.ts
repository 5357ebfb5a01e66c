// The page in headless Chromium (Debian's), built and served as a static host would (with
// GitHub Pages' cache headers, scripts/lib/static-server.mjs): snapshot restore to the first
// command's output, navigation to an interactive terminal (median of fresh page loads, each in a
// new incognito context: no cache), the compressed size of what a first visit downloads, the
// bytes that went over the wire on a first and on a repeat visit (the service worker's install
// included), and the peak JS heap (page and guest worker) over 10 container runs.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { ensureAptPackages, root } from "../scripts/lib/setup.mjs";
import { buildSite } from "../scripts/lib/site.mjs";
import { serveStatic } from "../scripts/lib/static-server.mjs";
import { median, mb, runs, secs } from "./_stats.ts";

const RUNS = 5;
const TARGET_MS = 1000;
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/**
 * Resolves with performance.now() once a terminal row reads "bench-42". A string, so that
 * tsx's helpers (it names functions) do not end up in code that runs in the page.
 */
const WATCH_FOR_OUTPUT = `new Promise((resolve) => {
  const rows = document.querySelector("slipway-app").shadowRoot.querySelector("guest-terminal").shadowRoot.querySelector(".xterm-rows");
  const observer = new MutationObserver(() => {
    if (Array.from(rows.children).some((r) => r.textContent.replace(/\u00a0/g, " ").trim() === "bench-42")) {
      observer.disconnect();
      resolve(performance.now());
    }
  });
  observer.observe(rows, { subtree: true, childList: true, characterData: true });
})`;

interface Run {
  /** Restore begins (after the download) to the typed command's output on screen. */
  restoreToOutput: number;
  /** Navigation to a terminal with its prompt, focused. */
  interactive: number;
  download: number;
  /** Paths (under the site) of what the page fetched. */
  fetched: string[];
}

async function oneRun(browser: Browser, url: string): Promise<Run> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    const fetched: string[] = [];
    page.on("requestfinished", (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(url);
    await page.waitForFunction(() => document.querySelector("slipway-app")?.getAttribute("state") !== "starting", { timeout: 60_000, polling: 20 });
    const state = await page.evaluate(() => document.querySelector("slipway-app")!.getAttribute("state"));
    if (state !== "ready") throw new Error(`the page did not get ready (${state})`);

    // Watch the terminal's DOM for the output line, then type the command for real.
    const seen = page.evaluate(WATCH_FOR_OUTPUT) as Promise<number>;
    await page.keyboard.type("echo bench-$((40+2))\n");
    const outputAt = await seen;
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime])));
    const restoreBegin = marks["slipway:restore-begin"];
    if (restoreBegin === undefined) throw new Error(`the snapshot was not restored (marks: ${Object.keys(marks).join(", ")})`);
    return {
      restoreToOutput: outputAt - restoreBegin,
      interactive: marks["slipway:ready"],
      download: marks["slipway:download-end"] - marks["slipway:download-begin"],
      fetched,
    };
  } finally {
    await context.close();
  }
}

/** Navigates and waits for the terminal: resolves once the page says ready. */
async function load(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector("slipway-app")?.getAttribute("state") !== "starting", { timeout: 60_000, polling: 20 });
  const state = await page.evaluate(() => document.querySelector("slipway-app")!.getAttribute("state"));
  if (state !== "ready") throw new Error(`the page did not get ready (${state})`);
}

/** Waits until the site's service worker is active, i.e. its install (the precache) is done. */
async function swInstalled(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
}

/**
 * A terminal row that reads `line` exactly (not the typed command's echo). As a string for the
 * same reason as WATCH_FOR_OUTPUT.
 */
const hasRow = (line: string) => `Array.from(document.querySelector("slipway-app").shadowRoot.querySelector("guest-terminal").shadowRoot.querySelector(".xterm-rows").children)
  .some((r) => r.textContent.replace(/\u00a0/g, " ").trim() === ${JSON.stringify(line)})`;

/** JS heap in use: the page's and every worker's (the guest worker holds v86, the engine and the registry). */
async function heap(page: Page): Promise<{ page: number; workers: number }> {
  const m = await page.metrics();
  let workers = 0;
  for (const w of page.workers()) {
    const u = (await w.client.send("Runtime.getHeapUsage").catch(() => ({ usedSize: 0 }))) as { usedSize: number };
    workers += u.usedSize;
  }
  return { page: m.JSHeapUsedSize ?? 0, workers };
}

/** Bytes over the wire on a first visit and a repeat one (same profile, within max-age), then the heap over 10 container runs. */
async function visitsAndHeap(browser: Browser, url: string, traffic: { requests: number; notModified: number; bytes: number; reset(): void }): Promise<void> {
  const context = await browser.createBrowserContext();
  try {
    traffic.reset();
    const first = await context.newPage();
    await load(first, url);
    await swInstalled(first);
    // The precache may still be writing when ready resolves on a slow disk: let the wire go quiet.
    let last = -1;
    while (last !== traffic.bytes) {
      last = traffic.bytes;
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`browser: first visit    ${mb(traffic.bytes)} over the wire  (${traffic.requests} requests, ${traffic.notModified} answered 304, uncompressed)`);
    await first.close();

    traffic.reset();
    const page = await context.newPage();
    const t0 = Date.now();
    await load(page, url);
    console.log(`browser: repeat visit   ${(traffic.bytes / 1e3).toFixed(1)} kB over the wire  (${traffic.requests} requests, ${traffic.notModified} answered 304)  interactive in ${secs(Date.now() - t0)}`);

    // The engine's agent link comes up after the prompt: containers wait for it.
    let status = "";
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      status = (await page.evaluate(`document.querySelector("slipway-app").guest.engineStatus().then((s) => JSON.stringify(s))`)) as string;
      if (JSON.parse(status).agent) break;
    }
    if (!JSON.parse(status).agent) throw new Error(`no guest agent within 60 s: ${status}`);
    await page.evaluate(`document.querySelector("slipway-app").shadowRoot.querySelector("guest-terminal").focus()`);
    const before = await heap(page);
    let peak = before;
    const times: number[] = [];
    for (let i = 1; i <= 10; i++) {
      const t = Date.now();
      await page.keyboard.type(`docker run --rm busybox echo heap-run-$((${i}*1))\n`);
      await page.waitForFunction(hasRow(`heap-run-${i}`), { timeout: 60_000, polling: 50 });
      times.push(Date.now() - t);
      const h = await heap(page);
      if (h.page + h.workers > peak.page + peak.workers) peak = h;
    }
    console.log(`browser: 10 × docker run --rm busybox echo  median ${secs(median(times))}  (runs: ${runs(times)})`);
    console.log(`browser: JS heap before ${mb(before.page + before.workers)}  peak over 10 runs ${mb(peak.page + peak.workers)}  (page ${mb(peak.page)}, workers ${mb(peak.workers)}; v86's guest memory is outside the JS heap)`);
  } finally {
    await context.close();
  }
}

function sizes(dist: string, fetched: string[]) {
  const files = [...new Set(fetched)].filter((p) => !p.endsWith("/"));
  return files.map((path) => {
    const data = readFileSync(join(dist, path));
    // Gzip where it pays, as a static host's default compression would; else the file as is.
    return { path, raw: data.length, served: Math.min(data.length, gzipSync(data, { level: 6 }).length) };
  });
}

async function main(): Promise<number> {
  ensureAptPackages(["chromium"]);
  const dist = join(root, "build", "bench-site");
  await buildSite(dist);
  const server = await serveStatic(dist);
  const profile = mkdtempSync(join(tmpdir(), "slipway-bench-chromium-"));
  const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, userDataDir: profile, args: FLAGS });
  try {
    const all: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await oneRun(browser, server.url);
      all.push(r);
      console.log(`browser: run ${i + 1}  restore to first output ${secs(r.restoreToOutput)}  navigation to interactive ${secs(r.interactive)}  (download ${secs(r.download)})`);
    }
    const restore = all.map((r) => r.restoreToOutput);
    const interactive = all.map((r) => r.interactive);
    const m = median(restore);
    console.log(`browser: restore to first output  median ${secs(m)}  (runs: ${runs(restore)})  target ≤ ${secs(TARGET_MS)}${m <= TARGET_MS ? "" : "  MISSED"}`);
    console.log(`browser: navigation to interactive terminal  median ${secs(median(interactive))}  (runs: ${runs(interactive)})`);

    const files = sizes(dist, all[0].fetched);
    const pick = (suffix: string) => files.find((f) => f.path.endsWith(suffix));
    for (const [label, suffix] of [["kernel (bzImage)", "/bzImage"], ["initramfs", "/initramfs.cpio.zst"], ["snapshot (state.zst)", "/state.zst"]] as const) {
      const f = pick(suffix);
      if (f) console.log(`browser: ${label.padEnd(22)} ${mb(f.served)} served  (${mb(f.raw)} raw)`);
    }
    const wasm = files.find((f) => f.path.endsWith(".wasm"));
    if (wasm) console.log(`browser: ${"v86.wasm".padEnd(22)} ${mb(wasm.served)} served  (${mb(wasm.raw)} raw)`);
    const total = files.reduce((n, f) => n + f.served, 0);
    const totalRaw = files.reduce((n, f) => n + f.raw, 0);
    console.log(`browser: first visit downloads  ${mb(total)} with gzip  (${mb(totalRaw)} raw, ${files.length} files)`);
    await visitsAndHeap(browser, server.url, server.traffic);
    return 0;
  } finally {
    await browser.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

process.exitCode = await main();

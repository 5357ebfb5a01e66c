// The built page in an iframe, for tests that drive its components (the Editor, the lessons).
import type { SlipwayApp } from "../../../web/slipway-app.ts";
import type { SlipwayEditor } from "../../../web/editor/slipway-editor.ts";
import type { LessonPanel } from "../../../web/lessons/lesson-panel.ts";
import type { GuestConnection } from "../../../web/guest-connection.ts";

export const PROMPT = "root@docker-host:";

export interface AppPage {
  frame: HTMLIFrameElement;
  app: SlipwayApp;
  guest: GuestConnection;
  editor(): SlipwayEditor;
  lessons(): LessonPanel;
  /** The terminal's screen as its DOM shows it, one line per row. */
  screen(): string;
  status(): string;
}

const frames: HTMLIFrameElement[] = [];

export function closePages(): void {
  for (const f of frames.splice(0)) f.remove();
}

/** `offline`: the site is expected to come from its service worker, so there is no host to check first. */
export async function openApp(path = "/dist/index.html", timeoutMs = 90_000, opts: { offline?: boolean } = {}): Promise<AppPage> {
  if (!opts.offline) {
    const res = await fetch(path, { method: "HEAD" });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}; build the site first (npm run build)`);
  }
  const frame = document.createElement("iframe");
  frame.style.width = "1200px";
  frame.style.height = "800px";
  frame.src = path;
  document.body.append(frame);
  frames.push(frame);
  await new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  const doc = frame.contentDocument!;
  const app = await waitFor(() => doc.querySelector("slipway-app") ?? undefined, 10_000, "the <slipway-app> element");
  const shadow = () => app.shadowRoot!;
  const terminal = () => shadow().querySelector<HTMLElement>("guest-terminal")!;
  const page: AppPage = {
    frame,
    app,
    get guest() {
      return app.guest!;
    },
    editor: () => shadow().querySelector("slipway-editor")!,
    lessons: () => shadow().querySelector("lesson-panel")!,
    screen: () => {
      const rows = terminal().shadowRoot?.querySelector(".xterm-rows");
      return rows ? Array.from(rows.children, (r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()).join("\n") : "";
    },
    status: () => {
      const s = shadow().querySelector("boot-status")?.shadowRoot;
      return s ? Array.from(s.querySelectorAll(".stage, .notice, .error"), (e) => e.textContent!.trim()).join(" | ") : "";
    },
  };
  await waitFor(() => app.getAttribute("state") !== "starting", timeoutMs, "start", () => `status: ${page.status()}`);
  if (app.getAttribute("state") !== "ready") throw new Error(`the page did not get ready: ${page.status()}`);
  return page;
}

export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs: number, what: string, context = () => ""): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() > until) throw new Error(`no ${what} within ${timeoutMs} ms; ${context()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Lines of the screen that equal `line` exactly (so the echo of a typed command does not count). */
export const hasLine = (page: AppPage, line: string) => page.screen().split("\n").some((l) => l.trim() === line);

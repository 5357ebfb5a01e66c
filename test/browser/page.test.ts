// The real page, built, with the real guest: it restores the snapshot, takes typed and pasted
// input, fits its terminal, follows the system's colour scheme, boots cold, and falls back to
// a boot with a notice when the snapshot is corrupt.
import { emulateMedia, sendKeys } from "@web/test-runner-commands";

const PROMPT = "root@docker-host:";
const frames: HTMLIFrameElement[] = [];

interface Page {
  frame: HTMLIFrameElement;
  app: HTMLElement;
  /** The terminal's screen, as its DOM shows it, one line per row. */
  screen(): string;
  status(): string;
  terminal(): HTMLElement;
}

async function openPage(path: string, opts: { width?: number; height?: number } = {}): Promise<Page> {
  const res = await fetch(path, { method: "HEAD" });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}; build the site first (npm run build)`);
  const frame = document.createElement("iframe");
  frame.style.width = `${opts.width ?? 900}px`;
  frame.style.height = `${opts.height ?? 600}px`;
  frame.src = path;
  document.body.append(frame);
  frames.push(frame);
  await new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
  const doc = frame.contentDocument!;
  const app = await waitFor(() => doc.querySelector<HTMLElement>("slipway-app") ?? undefined, 10_000, "the <slipway-app> element");
  const terminal = () => app.shadowRoot!.querySelector<HTMLElement>("guest-terminal")!;
  return {
    frame,
    app,
    terminal,
    screen: () => {
      const rows = terminal().shadowRoot?.querySelector(".xterm-rows");
      return rows ? Array.from(rows.children, (r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trimEnd()).join("\n") : "";
    },
    status: () => {
      const s = app.shadowRoot!.querySelector("boot-status")!.shadowRoot!;
      return Array.from(s.querySelectorAll(".stage, .notice, .error"), (e) => e.textContent!.trim()).join(" | ");
    },
  };
}

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs: number, what: string, context = () => ""): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (performance.now() > until) throw new Error(`no ${what} within ${timeoutMs} ms; ${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitReady(page: Page, timeoutMs: number): Promise<void> {
  await waitFor(() => page.app.getAttribute("state") !== "starting", timeoutMs, "start", () => `status: ${page.status()}`);
  if (page.app.getAttribute("state") !== "ready") throw new Error(`the page did not get ready: ${page.status()}`);
  await waitFor(() => page.screen().includes(PROMPT), 5_000, "prompt on the screen", () => `screen: ${page.screen()}`);
}

/** Lines of the screen that equal `line` exactly (so the echo of a typed command does not count). */
const hasLine = (page: Page, line: string) => page.screen().split("\n").some((l) => l.trim() === line);

async function typeCommand(page: Page, command: string): Promise<void> {
  page.terminal().focus();
  await sendKeys({ type: command });
  await sendKeys({ press: "Enter" });
}

afterEach(() => {
  for (const f of frames.splice(0)) f.remove();
});

describe("the page", () => {
  it("restores the snapshot and shows the prompt, with each stage timed", async () => {
    const page = await openPage("/dist/index.html");
    await waitReady(page, 60_000);
    const status = page.status();
    for (const want of [/Downloaded [\d.]+ MB in [\d.]+ s/, /Restored the snapshot in [\d.]+ s/, /Ready after [\d.]+ s/]) {
      if (!want.test(status)) throw new Error(`status line lacks ${want}: ${status}`);
    }
    if (/notice|Booting/i.test(status)) throw new Error(`unexpected notice: ${status}`);
  });

  it("runs a command typed on the keyboard and shows its output", async () => {
    const page = await openPage("/dist/index.html");
    await waitReady(page, 60_000);
    await typeCommand(page, "echo typed-$((6*7))");
    await waitFor(() => hasLine(page, "typed-42"), 10_000, "output typed-42", () => `screen:\n${page.screen()}`);
    await typeCommand(page, "uname -m");
    await waitFor(() => hasLine(page, "i686"), 10_000, "output of uname -m", () => `screen:\n${page.screen()}`);
  });

  it("takes pasted text", async () => {
    const page = await openPage("/dist/index.html");
    await waitReady(page, 60_000);
    const textarea = page.terminal().shadowRoot!.querySelector("textarea")!;
    const data = new DataTransfer();
    data.setData("text/plain", "echo pasted-$((2+3))\n");
    textarea.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    await waitFor(() => hasLine(page, "pasted-5"), 10_000, "output pasted-5", () => `screen:\n${page.screen()}`);
  });

  it("fits the terminal to its box when the page is resized", async () => {
    const page = await openPage("/dist/index.html", { width: 900, height: 600 });
    await waitReady(page, 60_000);
    const size = () => ({ cols: Number(page.terminal().dataset.cols), rows: Number(page.terminal().dataset.rows) });
    const before = size();
    page.frame.style.width = "500px";
    page.frame.style.height = "350px";
    await waitFor(() => size().cols < before.cols && size().rows < before.rows, 5_000, "smaller terminal", () => JSON.stringify({ before, now: size() }));
    await typeCommand(page, "echo still-$((1+1))");
    await waitFor(() => hasLine(page, "still-2"), 10_000, "output after resizing", () => `screen:\n${page.screen()}`);
  });

  it("follows the system's light and dark colour scheme", async () => {
    const page = await openPage("/dist/index.html");
    await waitReady(page, 60_000);
    const background = () => getComputedStyle(page.terminal()).backgroundColor;
    await emulateMedia({ colorScheme: "light" });
    const light = await waitFor(() => background(), 2_000, "background");
    await emulateMedia({ colorScheme: "dark" });
    await waitFor(() => background() !== light, 5_000, "a dark background", () => `still ${background()}`);
    await emulateMedia({ colorScheme: "light" });
    await waitFor(() => background() === light, 5_000, "the light background again", () => `now ${background()}`);
  });

  it("lets later code drive the guest: write, and save its state", async () => {
    const page = await openPage("/dist/index.html");
    await waitReady(page, 60_000);
    const guest = (page.app as HTMLElement & { guest: { write(data: string): void; saveState(): Promise<ArrayBuffer> } }).guest;
    guest.write("echo api-$((5*5))\n");
    await waitFor(() => hasLine(page, "api-25"), 10_000, "output api-25", () => `screen:\n${page.screen()}`);
    const state = await guest.saveState();
    // A v86 state: its magic number first, then the machine (memory pages that are in use).
    const magic = new Int32Array(state, 0, 1)[0];
    if (magic !== -2039052682 || state.byteLength < 1_000_000) throw new Error(`not a v86 state: magic ${magic}, ${state.byteLength} bytes`);
  });

  it("boots the kernel when asked (?cold)", async () => {
    const page = await openPage("/dist/index.html?cold");
    await waitReady(page, 150_000);
    if (!/Booted in [\d.]+ s/.test(page.status())) throw new Error(`status: ${page.status()}`);
    await typeCommand(page, "echo cold-$((3*3))");
    await waitFor(() => hasLine(page, "cold-9"), 10_000, "output cold-9", () => `screen:\n${page.screen()}`);
  });

  it("falls back to booting, with a visible notice, when the snapshot is corrupt", async () => {
    const page = await openPage("/dist-corrupt-snapshot/index.html");
    await waitReady(page, 150_000);
    const status = page.status();
    if (!/snapshot is corrupt/.test(status) || !/Booting the kernel instead/.test(status)) throw new Error(`no notice: ${status}`);
    if (!/Booted in [\d.]+ s/.test(status)) throw new Error(`status: ${status}`);
    await typeCommand(page, "echo fallback-ok");
    await waitFor(() => hasLine(page, "fallback-ok"), 10_000, "output fallback-ok", () => `screen:\n${page.screen()}`);
  });
});

// The lesson machinery in the browser: the sanitiser keeps lesson text from reaching the page
// as HTML or script; in the real page a Run button types its block into the terminal, the
// step is checked by itself when that command finishes, and the list shows the progress,
// also after a reload.
import { renderInline, renderMarkdown } from "../../web/lessons/markdown.ts";
import { closePages, openApp, waitFor } from "./helpers/app-page.ts";

const dropDb = (name: string) =>
  new Promise<void>((resolve) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });

after(() => closePages());

describe("lesson Markdown in the page", () => {
  it("lets no HTML or script from lesson text through", () => {
    const evil = [
      "<script>window.__pwned = 1</script>",
      '<img src=x onerror="window.__pwned = 2">',
      "[click](javascript:window.__pwned=3)",
      '<a href="javascript:alert(1)">a</a>',
      "<iframe src=/></iframe>",
      "```bash runnable\n<b onmouseover=alert(1)>x</b>\n```",
    ].join("\n\n");
    const { html, commands } = renderMarkdown(evil);
    const box = document.createElement("div");
    box.innerHTML = html;
    document.body.append(box);
    try {
      if (box.querySelector("script, img, iframe, b, [onerror], [onmouseover]")) throw new Error(`markup got through: ${html}`);
      for (const a of box.querySelectorAll("a")) if (/^javascript:/i.test(a.getAttribute("href") ?? "")) throw new Error(`javascript: link: ${html}`);
      if ((window as { __pwned?: number }).__pwned) throw new Error("a script ran");
      if (!box.textContent!.includes("<script>")) throw new Error("raw HTML should show as text");
      if (commands.length !== 1 || !box.querySelector("button.run[data-run='0']")) throw new Error(`no Run button: ${html}`);
    } finally {
      box.remove();
    }
    const inline = document.createElement("span");
    inline.innerHTML = renderInline('<img src=x onerror="window.__pwned = 4"> and `code`');
    if (inline.querySelector("img") || !inline.querySelector("code")) throw new Error(`inline: ${inline.innerHTML}`);
  });
});

describe("lessons in the page", () => {
  it("run a block from its button, check the step when the command finishes, and keep the progress", async () => {
    await dropDb("slipway-lessons");
    let page = await openApp();
    let panel = page.lessons();
    // The page runs checks through the guest agent; until it has runScript, the console may.
    panel.scriptOptions = { viaConsole: true };
    await waitFor(() => panel.scripts, 10_000, "the lesson panel wired to the guest");
    await panel.openLesson("11-container-by-hand");
    await panel.updateComplete;
    const step = panel.shadowRoot!.querySelector("lesson-step")!;
    await step.updateComplete;
    const run = step.shadowRoot!.querySelector<HTMLButtonElement>(".markdown button.run")!;
    run.click();
    // Typed into the terminal…
    await waitFor(() => page.screen().includes("unshare -u sh -c"), 10_000, "the block typed into the terminal", () => page.screen());
    // …and once the prompt is back, the step is checked without a click.
    await waitFor(() => panel.currentStepIndex === 1, 30_000, "the step to pass by itself", () => `at step ${panel.currentStepIndex}`);

    // The list shows the progress, after a reload too.
    panel.closeLesson();
    await panel.updateComplete;
    const progressText = () =>
      panel.shadowRoot!.querySelector("lesson-list")?.shadowRoot?.querySelector('[data-lesson="11-container-by-hand"] .progress')?.textContent?.trim();
    await waitFor(() => progressText() === "1 of 2 steps", 5_000, "progress in the list", () => `${progressText()}`);
    await new Promise((r) => setTimeout(r, 500)); // let IndexedDB commit before the frame goes
    closePages();
    page = await openApp();
    panel = page.lessons();
    await waitFor(() => progressText() === "1 of 2 steps", 10_000, "progress in the list after a reload", () => `${progressText()}`);
  });
});

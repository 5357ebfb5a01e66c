// The Editor on the real page and guest: it lists and opens what the shell writes in
// /root/work, colours Dockerfiles, saves edits into the guest at once, follows later changes
// made in the shell, keeps the workspace across a reload, and Build types docker build.
import { closePages, hasLine, openApp, waitFor, type AppPage } from "./helpers/app-page.ts";

const dropDb = (name: string) =>
  new Promise<void>((resolve) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });

async function shell(page: AppPage, command: string, expectLine: string): Promise<void> {
  page.app.typeCommand(command);
  await waitFor(() => hasLine(page, expectLine), 15_000, `output ${expectLine}`, () => `screen:\n${page.screen()}`);
}

before(async () => {
  await dropDb("slipway-workspace");
});
after(() => closePages());

describe("the Editor", () => {
  it("edits /root/work with the shell, and keeps it across a reload", async () => {
    let page = await openApp();
    page.app.showTab("editor");
    const editor = page.editor();
    // Written in the shell: the Editor lists it and opens it (a Dockerfile first).
    await shell(page, "printf 'FROM busybox\\nCMD [\"echo\", \"one\"]\\n' > /root/work/Dockerfile; echo written-$((1+1))", "written-2");
    await waitFor(() => editor.text("Dockerfile")?.includes('CMD ["echo", "one"]'), 10_000, "the Dockerfile in the editor", () => `editor: ${editor.text()}`);
    if (!editor.shadowRoot!.querySelector('button[data-path="Dockerfile"]')) throw new Error("Dockerfile is not in the file list");

    // Dockerfile syntax: FROM is coloured as a keyword, not as plain text.
    const fromSpan = await waitFor(
      () => Array.from(editor.shadowRoot!.querySelectorAll(".view-line span span")).find((s) => s.textContent === "FROM"),
      10_000,
      "the FROM token",
    );
    const plain = Array.from(editor.shadowRoot!.querySelectorAll(".view-line span span")).find((s) => s.textContent?.includes("busybox"));
    if (!plain || fromSpan.className === plain.className) throw new Error(`FROM is not highlighted: ${fromSpan.className} vs ${plain?.className}`);

    // Edited in the Editor: the guest sees it once it is saved (as you type, or at once on flush).
    editor.setText('FROM busybox\nCMD ["echo", "two"]\n');
    await editor.flush();
    await shell(page, "grep -c two /root/work/Dockerfile", "1");

    // Changed again in the shell: the open file follows.
    await shell(page, "echo 'LABEL from=shell' >> /root/work/Dockerfile; echo appended-$((2+2))", "appended-4");
    await waitFor(() => editor.text()?.includes("LABEL from=shell"), 10_000, "the shell's change in the editor", () => `editor: ${editor.text()}`);

    // Build types docker build into the terminal.
    const image = editor.shadowRoot!.querySelector<HTMLInputElement>("input.image")!;
    image.value = "edtest";
    image.dispatchEvent(new Event("input"));
    await editor.updateComplete;
    editor.shadowRoot!.querySelector<HTMLButtonElement>("button.build")!.click();
    await waitFor(() => page.screen().includes("cd /root/work && docker build -t edtest ."), 10_000, "the build command in the terminal", () => page.screen());

    // Saved to IndexedDB within a poll; a new page puts the files back into the guest.
    await new Promise((r) => setTimeout(r, 2500));
    closePages();
    page = await openApp();
    page.app.showTab("editor");
    const again = page.editor();
    await waitFor(() => again.text("Dockerfile")?.includes("LABEL from=shell"), 15_000, "the Dockerfile after a reload", () => `editor: ${again.text()}`);
    await shell(page, "grep -c 'LABEL from=shell' /root/work/Dockerfile", "1");
  });
});

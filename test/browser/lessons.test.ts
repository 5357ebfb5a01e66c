// Every lesson, step by step, in the real page with the real guest: the lesson's starter files
// go into the workspace, then for each step its check must fail, its solve.sh runs in the
// guest (through the same script runner as the checks), and its check must pass. So a broken
// lesson, or a check that cannot fail, fails here. One fresh page per lesson.
// LESSONS=01-hello-container,05-first-dockerfile in the environment runs only those.
import { loadLessons, type Lesson } from "../../web/lessons/lesson-format.ts";
import { closePages, openApp, waitFor, type AppPage } from "./helpers/app-page.ts";

const files = (await (await fetch("/lesson-files.json")).json()) as Record<string, string>;
const { lessons, problems } = loadLessons(files);

const STEP_TIMEOUT_MS = 8 * 60_000;
/** Checks and solutions run through the console (the agent's runScript is not there yet). */
const SCRIPTS = { viaConsole: true, timeoutMs: STEP_TIMEOUT_MS - 30_000 };

const dropDb = (name: string) =>
  new Promise<void>((resolve) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });

describe("lessons", () => {
  it("are all readable", () => {
    if (problems.length) throw new Error(problems.join("\n"));
    if (lessons.length === 0) throw new Error("no lessons found");
  });
});

for (const lesson of lessons) {
  describe(`lesson ${lesson.id}`, function () {
    this.timeout(STEP_TIMEOUT_MS);
    let page: AppPage;
    let broken = "";

    before(async function () {
      this.timeout(180_000);
      closePages();
      // Each lesson as on a first visit: no progress, no workspace, no images or containers
      // that an earlier lesson left in the page's storage.
      for (const db of await indexedDB.databases()) if (db.name) await dropDb(db.name);
      page = await openApp();
      const panel = page.lessons();
      panel.scriptOptions = SCRIPTS;
      await waitFor(() => panel.scripts && panel.workspace, 10_000, "the lesson panel wired to the guest");
      await panel.openLesson(lesson.id); // applies the starter files
      await assertStarterFiles(page, lesson);
    });

    after(() => closePages());

    lesson.steps.forEach((step, i) => {
      it(`step ${step.id}: check fails, solve.sh, check passes`, async function () {
        if (broken) this.skip();
        const panel = page.lessons();
        try {
          if (panel.currentStepIndex !== i) throw new Error(`the lesson is at step ${panel.currentStepIndex}, expected ${i}`);
          const before = await panel.checkCurrent();
          if (!before) throw new Error("the check did not run");
          if (before.passed) throw new Error("the check passes before the step is done: it cannot fail");

          const solved = await page.guest.runScript(step.solve!, SCRIPTS);
          const after = await panel.checkCurrent();
          if (!after?.passed) {
            throw new Error(`the check fails after solve.sh.\n  check said: ${after?.hint}\n  solve.sh exited ${solved.status}, printed:\n${indent(solved.output)}`);
          }
          if (panel.currentStepIndex === i) throw new Error("a passed check did not move the lesson on");
        } catch (err) {
          broken = (err as Error).message; // later steps build on this one
          throw err;
        }
      });
    });

    it("ends finished, showing what really happened", async function () {
      if (broken) this.skip();
      const panel = page.lessons();
      await panel.updateComplete;
      if (panel.currentStepIndex !== undefined) throw new Error(`still at step ${panel.currentStepIndex}`);
      const finish = panel.shadowRoot!.querySelector(".finish");
      if (!finish || !/what really happened/i.test(finish.textContent ?? "")) throw new Error("no 'what really happened' at the end");
    });
  });
}

async function assertStarterFiles(page: AppPage, lesson: Lesson): Promise<void> {
  if (!lesson.files.length) return;
  const listed = new Set((await page.guest.workspace.list()).map((e) => e.path));
  for (const f of lesson.files) if (!listed.has(f.path)) throw new Error(`starter file ${f.path} is not in /root/work`);
  // And the guest's shell sees them, through the same runner.
  const r = await page.guest.runScript(`cd /root/work && ls ${lesson.files.map((f) => `'${f.path}'`).join(" ")}`, SCRIPTS);
  if (r.status !== 0) throw new Error(`the guest does not see the starter files: ${r.output}`);
}

const indent = (text: string) => text.trimEnd().replace(/^/gm, "    ");

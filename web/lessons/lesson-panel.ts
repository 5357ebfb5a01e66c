// <lesson-panel>: the lesson list, and the open lesson step by step. A step's check runs when
// the learner clicks Check, and by itself when a command they typed finishes (the app calls
// commandFinished()). Progress goes to IndexedDB. Events it sends up: run-in-terminal
// {command} (Run buttons), show-view {view} (starter files: the editor; the closing "what
// really happened": architecture, explorer).
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { unsafeHTML } from "lit/directives/unsafe-html.js";
import type { Workspace } from "../guest-connection.ts";
import type { RunScriptOptions } from "../../worker/browser/workspace-api.ts";
import type { Lesson } from "./lesson-format.ts";
import { bundledLessons } from "./lesson-loader.ts";
import { renderInline, renderMarkdown } from "./markdown.ts";
import { markdownStyles } from "./markdown-styles.ts";
import { allProgress, emptyProgress, loadProgress, saveProgress, type LessonProgress } from "./progress-store.ts";
import { checkStep, type CheckResult, type EngineApi, type ScriptRunner } from "./step-check.ts";
import "./lesson-list.ts";
import "./lesson-step.ts";

/** How often time spent in an open lesson is added up and saved. */
const TICK_MS = 15_000;
const encoder = new TextEncoder();

@customElement("lesson-panel")
export class LessonPanel extends LitElement {
  static override styles = [
    markdownStyles,
    css`
      :host {
        display: block;
        overflow: auto;
        padding: 0.75rem;
        box-sizing: border-box;
        font: 0.9375rem/1.4 system-ui, sans-serif;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.25rem 0.75rem;
        margin-bottom: 0.5rem;
      }
      h2 {
        font-size: 1.125rem;
        margin: 0;
        flex: 1 1 auto;
      }
      .meta {
        font-size: 0.8125rem;
        opacity: 0.8;
      }
      .learn {
        margin: 0 0 0.75rem;
        padding-inline-start: 1.25rem;
      }
      lesson-step {
        padding: 0.75rem 0;
        border-top: 1px solid var(--slipway-border, #d1d9e0);
      }
      details.done-steps > summary {
        cursor: pointer;
        padding: 0.25rem 0;
      }
      .finish {
        padding-top: 0.75rem;
        border-top: 1px solid var(--slipway-border, #d1d9e0);
      }
      .problems {
        color: #cf222e;
        font-size: 0.8125rem;
      }
    `,
  ];

  /** Runs check scripts in the guest. */
  @property({ attribute: false }) scripts?: ScriptRunner;
  /** Where starter files go. */
  @property({ attribute: false }) workspace?: Workspace;
  /** The daemon's Engine API, for `api:` checks. */
  @property({ attribute: false }) engine?: EngineApi;
  /** For runScript: tests allow the console fallback here; the page never does. */
  @property({ attribute: false }) scriptOptions?: RunScriptOptions;

  @state() private progress = new Map<string, LessonProgress>();
  @state() private openId?: string;
  @state() private results = new Map<string, CheckResult>();
  @state() private checking = false;

  readonly lessons: Lesson[];
  private readonly problems: string[];
  private ticker?: ReturnType<typeof setInterval>;
  private lastTick = 0;

  constructor() {
    super();
    ({ lessons: this.lessons, problems: this.problems } = bundledLessons());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void allProgress().then((p) => (this.progress = p)).catch(() => {});
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTicker();
  }

  get currentLesson(): Lesson | undefined {
    return this.lessons.find((l) => l.id === this.openId);
  }

  /** The first step not yet done in the open lesson (undefined when all are). */
  get currentStepIndex(): number | undefined {
    const lesson = this.currentLesson;
    if (!lesson) return undefined;
    const done = this.progressOf(lesson.id).done;
    const i = lesson.steps.findIndex((s) => !done.includes(s.id));
    return i < 0 ? undefined : i;
  }

  override render() {
    const lesson = this.currentLesson;
    if (!lesson) {
      return html`
        <header><h2>Lessons</h2></header>
        <lesson-list .lessons=${this.lessons} .progress=${this.progress} @lesson-open=${(e: CustomEvent<{ id: string }>) => void this.openLesson(e.detail.id)}></lesson-list>
        ${this.problems.length ? html`<p class="problems">Some lessons could not be read: ${this.problems.join("; ")}</p>` : nothing}
      `;
    }
    const p = this.progressOf(lesson.id);
    const current = this.currentStepIndex;
    const doneSteps = lesson.steps.filter((s) => p.done.includes(s.id));
    return html`
      <header>
        <button class="back" @click=${() => this.closeLesson()} aria-label="All lessons">←</button>
        <h2>${lesson.meta.title}</h2>
        <span class="meta">${lesson.meta.level} · ${lesson.meta.time} · ${doneSteps.length} of ${lesson.steps.length} steps</span>
        <button class="restart" @click=${() => void this.restartLesson()}>Start over</button>
      </header>
      <p class="meta">What you'll learn:</p>
      <ul class="learn">
        ${lesson.meta.learn.map((l) => html`<li>${unsafeHTML(renderInline(l))}</li>`)}
      </ul>
      <div class="markdown intro">${unsafeHTML(renderMarkdown(lesson.intro).html)}</div>
      ${doneSteps.length && current !== undefined
        ? html`<details class="done-steps">
            <summary>${doneSteps.length} step${doneSteps.length > 1 ? "s" : ""} done</summary>
            ${lesson.steps.map((s, i) => (p.done.includes(s.id) ? html`<lesson-step .step=${s} .index=${i} done></lesson-step>` : nothing))}
          </details>`
        : nothing}
      ${current !== undefined
        ? html`<lesson-step
            .step=${lesson.steps[current]}
            .index=${current}
            .result=${this.results.get(lesson.steps[current].id)}
            ?checking=${this.checking}
            @step-check=${() => void this.checkCurrent()}
          ></lesson-step>`
        : this.renderFinish(lesson)}
    `;
  }

  private renderFinish(lesson: Lesson) {
    const view = (name: string) => () => this.dispatchEvent(new CustomEvent("show-view", { detail: { view: name }, bubbles: true, composed: true }));
    return html`
      <section class="finish">
        <div class="markdown">${unsafeHTML(renderMarkdown(lesson.finish).html)}</div>
        <p>
          <button class="view-architecture" @click=${view("architecture")}>Open the Architecture view</button>
          <button class="view-explorer" @click=${view("explorer")}>Open the Explorer</button>
          <button class="back" @click=${() => this.closeLesson()}>All lessons</button>
        </p>
      </section>
    `;
  }

  /** Opens a lesson; a lesson not started yet puts its starter files into the workspace. */
  async openLesson(id: string): Promise<void> {
    const lesson = this.lessons.find((l) => l.id === id);
    if (!lesson) throw new Error(`no lesson ${id}`);
    const p = await loadProgress(id);
    const fresh = p.startedAt === undefined;
    p.startedAt ??= Date.now();
    await this.store(p);
    this.openId = id;
    this.results = new Map();
    this.startTicker();
    if (fresh && lesson.files.length) {
      await this.applyStarterFiles(lesson);
      // The lesson is about these files: show them.
      this.dispatchEvent(new CustomEvent("show-view", { detail: { view: "editor" }, bubbles: true, composed: true }));
    }
  }

  closeLesson(): void {
    this.tick();
    this.stopTicker();
    this.openId = undefined;
  }

  /** Forgets the lesson's progress and puts its starter files back. */
  async restartLesson(): Promise<void> {
    const lesson = this.currentLesson;
    if (!lesson) return;
    await this.store({ ...emptyProgress(lesson.id), startedAt: Date.now() });
    this.results = new Map();
    await this.applyStarterFiles(lesson);
  }

  /** Writes the lesson's files/ into /root/work (files of the same name are replaced). */
  async applyStarterFiles(lesson = this.currentLesson): Promise<void> {
    if (!lesson?.files.length) return;
    if (!this.workspace) throw new Error("the workspace is not ready: the guest has not started");
    for (const f of lesson.files) await this.workspace.write(f.path, encoder.encode(f.text));
  }

  /**
   * Checks the open lesson's current step; a pass is saved and moves the lesson on.
   * `quiet` (after a command finished): only a pass is shown, a miss leaves the last message.
   */
  async checkCurrent(opts: { quiet?: boolean } = {}): Promise<CheckResult | undefined> {
    const lesson = this.currentLesson;
    const index = this.currentStepIndex;
    if (!lesson || index === undefined || this.checking) return undefined;
    if (!this.scripts) {
      const r = { passed: false, hint: "The Linux machine is still starting." };
      if (!opts.quiet) this.setResult(lesson.steps[index].id, r);
      return r;
    }
    const step = lesson.steps[index];
    this.checking = true;
    let result: CheckResult;
    try {
      result = await checkStep(step, { scripts: this.scripts, engine: this.engine, scriptOptions: this.scriptOptions });
    } catch (err) {
      result = { passed: false, hint: `The check could not run: ${(err as Error).message}` };
    } finally {
      this.checking = false;
    }
    if (result.passed) {
      const p = this.progressOf(lesson.id);
      const done = [...p.done, step.id];
      const finished = lesson.steps.every((s) => done.includes(s.id));
      await this.store({ ...p, done, finishedAt: finished ? Date.now() : p.finishedAt });
      this.dispatchEvent(new CustomEvent("step-passed", { detail: { lesson: lesson.id, step: step.id }, bubbles: true, composed: true }));
    }
    if (result.passed || !opts.quiet) this.setResult(step.id, result);
    return result;
  }

  /** A command typed in the terminal has finished: see whether it did the step. */
  commandFinished(): void {
    if (this.currentStepIndex !== undefined && !this.checking) void this.checkCurrent({ quiet: true });
  }

  private setResult(stepId: string, r: CheckResult): void {
    this.results = new Map(this.results).set(stepId, r);
  }

  private progressOf(id: string): LessonProgress {
    return this.progress.get(id) ?? emptyProgress(id);
  }

  private async store(p: LessonProgress): Promise<void> {
    this.progress = new Map(this.progress).set(p.lessonId, p);
    await saveProgress(p).catch(() => {}); // a private window may refuse IndexedDB: progress then lasts the visit
  }

  private startTicker(): void {
    this.stopTicker();
    this.lastTick = performance.now();
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  private stopTicker(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Adds the time since the last tick to the open lesson, if the page was being looked at. */
  private tick(): void {
    const now = performance.now();
    const elapsed = now - this.lastTick;
    this.lastTick = now;
    const lesson = this.currentLesson;
    if (!lesson || document.visibilityState !== "visible") return;
    const p = this.progressOf(lesson.id);
    if (p.finishedAt) return;
    void this.store({ ...p, activeMs: p.activeMs + Math.min(elapsed, TICK_MS * 2) });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "lesson-panel": LessonPanel;
  }
}

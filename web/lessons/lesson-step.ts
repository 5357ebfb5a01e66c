// <lesson-step>: one step of a lesson: its text with Run buttons on runnable blocks, hints
// one at a time, the Check button and what the check said, and the solution on request.
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { unsafeHTML } from "lit/directives/unsafe-html.js";
import type { LessonStep as Step } from "./lesson-format.ts";
import { renderInline, renderMarkdown } from "./markdown.ts";
import type { CheckResult } from "./step-check.ts";
import { markdownStyles } from "./markdown-styles.ts";

@customElement("lesson-step")
export class LessonStep extends LitElement {
  static override styles = [
    markdownStyles,
    css`
      :host {
        display: block;
      }
      h3 {
        font-size: 1rem;
        margin: 0 0 0.5rem;
      }
      :host([done]) h3::after {
        content: " ✓";
        color: #1a7f37;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin-top: 0.5rem;
      }
      .result {
        margin: 0.5rem 0 0;
        padding: 0.5rem;
        border-radius: 6px;
        white-space: pre-wrap;
        font-size: 0.875rem;
      }
      .result.passed {
        background: color-mix(in srgb, #1a7f37 15%, transparent);
      }
      .result.failed {
        background: color-mix(in srgb, #bf8700 18%, transparent);
      }
      .hints {
        margin: 0.5rem 0 0;
        padding-inline-start: 1.25rem;
      }
    `,
  ];

  @property({ attribute: false }) step!: Step;
  @property({ type: Number }) index = 0;
  @property({ type: Boolean, reflect: true }) done = false;
  @property({ type: Boolean, reflect: true }) checking = false;
  @property({ attribute: false }) result?: CheckResult;

  @state() private hintsShown = 0;
  @state() private solutionShown = false;

  private rendered = { html: "", commands: [] as string[] };
  private solution = { html: "", commands: [] as string[] };

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("step")) {
      this.rendered = renderMarkdown(this.step.body);
      this.solution = this.step.solve ? renderMarkdown("```sh runnable\n" + stripShebang(this.step.solve) + "\n```") : { html: "", commands: [] };
      this.hintsShown = 0;
      this.solutionShown = false;
    }
  }

  override render() {
    const s = this.step;
    return html`
      <h3>${this.index + 1}. ${s.title}</h3>
      <div class="markdown" @click=${(e: Event) => this.onRun(e, this.rendered.commands)}>${unsafeHTML(this.rendered.html)}</div>
      ${this.hintsShown > 0 ? html`<ul class="hints">${s.hints.slice(0, this.hintsShown).map((h) => html`<li>${unsafeHTML(renderInline(h))}</li>`)}</ul>` : nothing}
      ${this.solutionShown ? html`<div class="markdown solution" @click=${(e: Event) => this.onRun(e, this.solution.commands)}>${unsafeHTML(this.solution.html)}</div>` : nothing}
      ${this.done
        ? nothing
        : html`<div class="actions">
            <button class="check" ?disabled=${this.checking} @click=${() => this.dispatchEvent(new CustomEvent("step-check", { bubbles: true, composed: true }))}>
              ${this.checking ? "Checking…" : "Check"}
            </button>
            ${this.hintsShown < s.hints.length ? html`<button class="hint" @click=${() => this.hintsShown++}>Hint</button>` : nothing}
            ${s.solve && !this.solutionShown ? html`<button class="show-solution" @click=${() => (this.solutionShown = true)}>Show solution</button>` : nothing}
          </div>`}
      ${this.result && !this.done
        ? html`<p class="result ${this.result.passed ? "passed" : "failed"}" role="status">${this.result.passed ? "Well done." : this.result.hint}</p>`
        : nothing}
    `;
  }

  private onRun(e: Event, commands: string[]): void {
    const button = (e.target as Element).closest?.("button[data-run]");
    if (!button) return;
    const command = commands[Number(button.getAttribute("data-run"))];
    if (command !== undefined) this.dispatchEvent(new CustomEvent("run-in-terminal", { detail: { command }, bubbles: true, composed: true }));
  }
}

const stripShebang = (script: string) => script.replace(/^#![^\n]*\n/, "").trim();

declare global {
  interface HTMLElementTagNameMap {
    "lesson-step": LessonStep;
  }
}

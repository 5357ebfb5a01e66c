// <lesson-list>: every lesson with its level, time and how far the learner got.
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { Lesson } from "./lesson-format.ts";
import type { LessonProgress } from "./progress-store.ts";

@customElement("lesson-list")
export class LessonList extends LitElement {
  static override styles = css`
    ol {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 0.5rem;
    }
    button {
      all: unset;
      box-sizing: border-box;
      display: grid;
      grid-template-columns: 1fr auto;
      gap: 0.125rem 0.5rem;
      width: 100%;
      padding: 0.5rem 0.75rem;
      border: 1px solid var(--slipway-border, #d1d9e0);
      border-radius: 6px;
      cursor: pointer;
    }
    button:hover,
    button:focus-visible {
      border-color: #0969da;
    }
    .title {
      font-weight: 600;
    }
    .meta,
    .progress {
      font-size: 0.8125rem;
      opacity: 0.8;
    }
    .progress.done {
      color: #1a7f37;
      opacity: 1;
    }
  `;

  @property({ attribute: false }) lessons: Lesson[] = [];
  @property({ attribute: false }) progress = new Map<string, LessonProgress>();

  override render() {
    return html`<ol>
      ${this.lessons.map((lesson) => {
        const p = this.progress.get(lesson.id);
        const done = p?.done.filter((id) => lesson.steps.some((s) => s.id === id)).length ?? 0;
        const finished = done === lesson.steps.length;
        return html`<li>
          <button data-lesson=${lesson.id} @click=${() => this.dispatchEvent(new CustomEvent("lesson-open", { detail: { id: lesson.id } }))}>
            <span class="title">${lesson.meta.title}</span>
            <span class="progress ${finished ? "done" : ""}" data-done=${done} data-steps=${lesson.steps.length}>
              ${finished ? "✓ done" : done > 0 ? `${done} of ${lesson.steps.length} steps` : nothing}
            </span>
            <span class="meta">${lesson.meta.level} · ${lesson.meta.time}${p?.activeMs ? ` · spent ${minutes(p.activeMs)}` : ""}</span>
          </button>
        </li>`;
      })}
    </ol>`;
  }
}

const minutes = (ms: number) => `${Math.max(1, Math.round(ms / 60_000))} min`;

declare global {
  interface HTMLElementTagNameMap {
    "lesson-list": LessonList;
  }
}

// The status line: each boot stage as it runs and how long it took, then any notice or error, in words.
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { BootStage } from "../worker/browser/guest-worker-api.ts";

export interface StageRecord {
  /** "ready" is the page's own: from opening the page to a usable terminal. */
  stage: BootStage | "ready";
  /** Milliseconds, once finished. */
  ms?: number;
  detail?: string;
}

const RUNNING: Record<StageRecord["stage"], string> = {
  download: "Downloading the guest…",
  restore: "Restoring the snapshot…",
  boot: "Booting the kernel…",
  prompt: "Waiting for the prompt…",
  ready: "Starting…",
};

const DONE: Record<StageRecord["stage"], string> = {
  download: "Downloaded",
  restore: "Restored the snapshot",
  boot: "Booted",
  prompt: "Prompt",
  ready: "Ready",
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

@customElement("boot-status")
export class BootStatus extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-size: 0.875rem;
      line-height: 1.4;
    }
    .stages {
      color: var(--slipway-muted, #59636e);
    }
    .stage + .stage::before {
      content: " · ";
    }
    .running {
      color: var(--slipway-fg, inherit);
    }
    .notice,
    .error {
      margin: 0.25rem 0 0;
      padding: 0.25rem 0.5rem;
      border-radius: 4px;
    }
    .notice {
      background: var(--slipway-warn-bg, #fff8c5);
    }
    .error {
      background: var(--slipway-error-bg, #ffebe9);
    }
  `;

  @property({ attribute: false }) stages: StageRecord[] = [];
  @property({ attribute: false }) notices: string[] = [];
  @property() error = "";

  override render() {
    return html`
      <div class="stages" role="status" aria-live="polite">
        ${this.stages.map((s) =>
          s.ms === undefined
            ? html`<span class="stage running">${RUNNING[s.stage]}</span>`
            : html`<span class="stage">${DONE[s.stage]}${s.detail ? ` ${s.detail}` : ""} ${s.stage === "ready" ? "after" : "in"} ${seconds(s.ms)}</span>`,
        )}
      </div>
      ${this.notices.map((n) => html`<p class="notice">${n}</p>`)}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "boot-status": BootStatus;
  }
}

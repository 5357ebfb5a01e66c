// Tabs as WAI-ARIA describes them: a tablist of buttons, arrow keys (and Home, End) move
// between them, only the chosen one is in the Tab order, each controls its tabpanel.
import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";

export interface TabInfo {
  id: string;
  label: string;
}

@customElement("tab-strip")
export class TabStrip extends LitElement {
  static override styles = css`
    :host {
      display: flex;
      gap: 0.125rem;
      border-bottom: 1px solid var(--slipway-border);
      overflow-x: auto;
    }
    button {
      font: inherit;
      font-size: 0.875rem;
      padding: 0.375rem 0.75rem;
      border: none;
      border-bottom: 2px solid transparent;
      background: none;
      color: var(--slipway-muted);
      cursor: pointer;
      white-space: nowrap;
    }
    button[aria-selected="true"] {
      color: var(--slipway-fg);
      border-bottom-color: var(--slipway-accent);
      font-weight: 600;
    }
    button:focus-visible {
      outline: 2px solid var(--slipway-accent);
      outline-offset: -2px;
    }
  `;

  @property({ attribute: false }) tabs: TabInfo[] = [];
  @property() selected = "";
  /** Prefix of the tabpanels' ids (panel-<id>). */
  @property() label = "Views";

  override render() {
    return html`<div role="tablist" aria-label=${this.label} style="display: contents" @keydown=${this.onKey}>
      ${this.tabs.map(
        (t) => html`<button
          role="tab"
          id="tab-${t.id}"
          data-tab=${t.id}
          aria-selected=${t.id === this.selected ? "true" : "false"}
          aria-controls="panel-${t.id}"
          tabindex=${t.id === this.selected ? 0 : -1}
          @click=${() => this.choose(t.id)}
        >
          ${t.label}
        </button>`,
      )}
    </div>`;
  }

  private onKey = (e: KeyboardEvent): void => {
    const i = this.tabs.findIndex((t) => t.id === this.selected);
    const n = this.tabs.length;
    const to = e.key === "ArrowRight" ? (i + 1) % n : e.key === "ArrowLeft" ? (i - 1 + n) % n : e.key === "Home" ? 0 : e.key === "End" ? n - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    this.choose(this.tabs[to].id);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>(`[data-tab="${this.tabs[to].id}"]`)?.focus());
  };

  private choose(id: string): void {
    this.selected = id;
    this.dispatchEvent(new CustomEvent("tab-change", { detail: id, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tab-strip": TabStrip;
  }
}

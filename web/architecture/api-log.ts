// Every Engine API and Distribution API request, as it happens: when, who, method, path,
// status, time. Rows are buttons: choosing one shows its request and response.
import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";
import type { ExchangeRecord } from "../../worker/browser/engine-api.ts";

@customElement("api-log")
export class ApiLog extends LitElement {
  static override styles = [
    panelStyles,
    css`
      tbody tr {
        cursor: pointer;
      }
      tbody tr:hover,
      tr[aria-selected="true"] {
        background: rgba(127, 127, 127, 0.15);
      }
      .s4,
      .s5 {
        color: #cf222e;
      }
      .api {
        font-size: 0.6875rem;
        text-transform: uppercase;
      }
    `,
  ];

  @property({ attribute: false }) exchanges: ExchangeRecord[] = [];
  @property({ type: Number }) selected = 0;

  override render() {
    const rows = [...this.exchanges].reverse();
    return html`<div class="scroll">
      <table aria-label="API requests, newest first">
        <thead><tr><th>Time</th><th>Client</th><th>Request</th><th>Status</th><th>ms</th></tr></thead>
        <tbody>
          ${rows.map(
            (x) => html`<tr
              tabindex="0"
              data-id=${x.id}
              data-method=${x.method}
              data-path=${x.path}
              aria-selected=${x.id === this.selected ? "true" : "false"}
              @click=${() => this.pick(x.id)}
              @keydown=${(e: KeyboardEvent) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), this.pick(x.id))}
            >
              <td class="mono">${new Date(x.time).toLocaleTimeString()}</td>
              <td>${x.client} <span class="api muted">${x.api === "engine" ? "Engine" : "Distribution"}</span></td>
              <td class="mono"><strong>${x.method}</strong> ${x.path}</td>
              <td class="mono s${String(x.status)[0]}">${x.status}${x.done ? "" : " …"}</td>
              <td class="mono">${x.ms}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  private pick(id: number): void {
    this.dispatchEvent(new CustomEvent("exchange-selected", { detail: id, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "api-log": ApiLog;
  }
}

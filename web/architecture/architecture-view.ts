// The Architecture tab: the diagram, the live log of API requests and the chosen one's detail.
// The first time the guest's docker CLI talks, a note says what just happened in words
// (e.g. that `docker ps` was an HTTP GET of /containers/json).
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";
import type { GuestConnection } from "../guest-connection.ts";
import type { ExchangeRecord } from "../../worker/browser/engine-api.ts";
import "./architecture-diagram.ts";
import "./api-log.ts";
import "./exchange-detail.ts";

const KEEP = 500;

@customElement("architecture-view")
export class ArchitectureView extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
        grid-template-rows: auto minmax(0, 1fr);
        gap: 0.5rem 0.75rem;
        padding: 0.5rem;
        box-sizing: border-box;
        overflow: auto;
      }
      .top {
        grid-column: 1 / -1;
      }
      @media (max-width: 900px) {
        :host {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      .log {
        overflow: auto;
        min-height: 8rem;
      }
    `,
  ];

  @property({ attribute: false }) guest?: GuestConnection;

  @state() private exchanges: ExchangeRecord[] = [];
  @state() private selected = 0;
  @state() private firstNote = "";

  private watching?: GuestConnection;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("guest") && this.guest && this.watching !== this.guest) {
      this.watching = this.guest;
      void this.guest.watchExchanges((x) => this.add(x));
    }
  }

  private add(x: ExchangeRecord): void {
    const i = this.exchanges.findIndex((e) => e.id === x.id);
    if (i >= 0) this.exchanges = this.exchanges.map((e) => (e.id === x.id ? x : e));
    else this.exchanges = [...this.exchanges.slice(-(KEEP - 1)), x];
    if (!this.firstNote && x.client === "guest docker" && x.api === "engine" && !/_ping|\/version|\/info/.test(x.path)) {
      this.firstNote = `Your docker command just sent an HTTP request: ${x.method} ${x.path}. The answer came back as HTTP ${x.status}. Every docker command is HTTP calls like this one, to the daemon.`;
    }
  }

  override render() {
    const chosen = this.exchanges.find((e) => e.id === this.selected);
    const latest = this.exchanges[this.exchanges.length - 1];
    return html`
      <div class="top">
        <architecture-diagram .latest=${chosen ?? latest}></architecture-diagram>
        ${this.firstNote ? html`<p class="note" role="status">${this.firstNote}</p>` : nothing}
        ${this.exchanges.length ? nothing : html`<p class="muted">Run a docker command in the terminal: each request it sends shows up here.</p>`}
      </div>
      <api-log class="log" .exchanges=${this.exchanges} .selected=${this.selected} @exchange-selected=${(e: CustomEvent<number>) => (this.selected = e.detail)}></api-log>
      <exchange-detail .exchange=${chosen}></exchange-detail>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "architecture-view": ArchitectureView;
  }
}

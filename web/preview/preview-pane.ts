// The Preview tab: each published port, and the chosen one's web page in a sandboxed iframe.
// The iframe has no allow-same-origin: its page gets an opaque origin, so whatever a container
// serves cannot read this app's storage (IndexedDB, caches) or reach into its DOM. It loads from
// preview/<port>/, which the service worker relays to the port in the guest.
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";

export interface PublishedPort {
  port: number;
  container: string;
  containerPort: number;
}

@customElement("preview-pane")
export class PreviewPane extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        padding: 0.5rem;
        box-sizing: border-box;
        height: 100%;
      }
      .ports {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem;
      }
      button[aria-pressed="true"] {
        border-color: var(--slipway-accent);
        font-weight: 600;
      }
      iframe {
        flex: 1;
        min-height: 12rem;
        width: 100%;
        border: 1px solid var(--slipway-border);
        border-radius: 4px;
        background: white;
      }
    `,
  ];

  @property({ attribute: false }) ports: PublishedPort[] = [];
  /** False until the service worker controls the page: without it there is no relay. */
  @property({ type: Boolean }) relayReady = false;
  @state() private open?: number;
  @state() private reloads = 0;

  override updated(): void {
    // A port that went away closes its preview; the first port to appear opens.
    if (this.open !== undefined && !this.ports.some((p) => p.port === this.open)) this.open = undefined;
    if (this.open === undefined && this.ports.length) this.open = this.ports[0].port;
  }

  override render() {
    const src = this.open !== undefined ? `preview/${this.open}/` : "";
    return html`
      <div class="ports" role="group" aria-label="Published ports">
        ${this.ports.length
          ? this.ports.map(
              (p) => html`<button aria-pressed=${p.port === this.open ? "true" : "false"} @click=${() => this.show(p.port)}>:${p.port} <span class="muted">${p.container} (${p.containerPort})</span></button>`,
            )
          : html`<span class="muted">No published ports. <code>docker run -d -p 80:80 docker/getting-started</code> publishes one.</span>`}
        ${this.open !== undefined ? html`<button @click=${() => this.reloads++} aria-label="Reload the preview">Reload</button>` : nothing}
      </div>
      ${this.relayReady ? nothing : html`<p class="note">The preview needs the site's service worker, which is not active yet: reload the page.</p>`}
      ${src
        ? html`<iframe
            title="Preview of port ${this.open}"
            sandbox="allow-scripts allow-forms allow-popups allow-modals"
            referrerpolicy="no-referrer"
            src=${src}
            data-nonce=${this.reloads}
          ></iframe>`
        : nothing}
    `;
  }

  private show(port: number): void {
    this.open = port;
    this.reloads++;
    // Re-setting src reloads even the same port.
    void this.updateComplete.then(() => {
      const f = this.renderRoot.querySelector("iframe");
      if (f) f.src = `preview/${port}/`;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "preview-pane": PreviewPane;
  }
}

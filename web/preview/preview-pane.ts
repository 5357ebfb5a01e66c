// The Preview tab: each published port, and the chosen one's web page in a sandboxed iframe.
// The iframe has no allow-same-origin: its page gets an opaque origin, so whatever a container
// serves cannot read this app's storage (IndexedDB, caches) or reach into its DOM.
// Chromium sends an opaque-origin frame's requests past the service worker, so the page fetches
// preview/<port>/… itself (the service worker relays that to the port in the guest) and hands
// the HTML to the iframe as srcdoc, with a <base> so its links point back at the preview path.
// Inline styles and scripts work; subresources the page loads by URL do not yet.
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
  @state() private doc = "";
  /** The path within the preview shown now (tests point it at another page). */
  @property() path = "";

  override updated(changed: Map<string, unknown>): void {
    // A port that went away closes its preview; the first port to appear opens.
    if (this.open !== undefined && !this.ports.some((p) => p.port === this.open)) this.open = undefined;
    if (this.open === undefined && this.ports.length) this.open = this.ports[0].port;
    if (changed.has("open") || changed.has("reloads") || changed.has("path")) void this.load();
  }

  private loading?: string;

  private async load(): Promise<void> {
    if (this.open === undefined) return void (this.doc = "");
    const url = new URL(`preview/${this.open}/${this.path}`, document.baseURI).href;
    this.loading = url;
    let html: string;
    try {
      const res = await fetch(url, { cache: "no-store" });
      html = await res.text();
    } catch (err) {
      html = `<p>The preview could not be loaded: ${String((err as Error).message).replace(/</g, "&lt;")}</p>`;
    }
    if (this.loading !== url) return; // another port or reload since
    const base = `<base href="${url.replace(/"/g, "&quot;")}">`;
    this.doc = /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (m) => m + base) : base + html;
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
            data-src=${src}
            .srcdoc=${this.doc}
          ></iframe>`
        : nothing}
    `;
  }

  private show(port: number): void {
    this.open = port;
    this.path = "";
    this.reloads++;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "preview-pane": PreviewPane;
  }
}

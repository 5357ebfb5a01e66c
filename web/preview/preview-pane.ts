// The Preview tab: each published port, and the chosen one's web page in a sandboxed iframe.
// The iframe has no allow-same-origin: its page gets an opaque origin, so whatever a container
// serves cannot read this app's storage (IndexedDB, caches) or reach into its DOM.
// Chromium sends an opaque-origin frame's requests past the service worker, so the pane fetches
// preview/<port>/… itself (the service worker relays that to the port in the guest), has
// page-inliner write the page's stylesheets, scripts and images into it, and hands it to the
// iframe as srcdoc. Links and forms in the page come back here as messages and load the same way.
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";
import { inlinePage, toDataUrl, type PreviewNavigation } from "./page-inliner.ts";

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
      .address {
        display: flex;
        align-items: center;
        gap: 0.25rem;
      }
      .address input {
        flex: 1;
        min-width: 0;
        font: inherit;
        font-family: ui-monospace, monospace;
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

  private loads = 0;
  @state() private busy = false;
  /** A form's POST, sent once with the next load. */
  private post?: string;

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener("message", this.onNavigate);
  }

  override disconnectedCallback(): void {
    removeEventListener("message", this.onNavigate);
    super.disconnectedCallback();
  }

  private root(): string {
    return new URL(`preview/${this.open}/`, document.baseURI).href;
  }

  // Only this pane's own iframe may navigate it, and only within the port's server.
  private onNavigate = (e: MessageEvent) => {
    const msg = e.data as PreviewNavigation | undefined;
    const frame = this.renderRoot.querySelector("iframe");
    if (msg?.type !== "slipway-preview-navigate" || !frame || e.source !== frame.contentWindow || this.open === undefined) return;
    // The page's script resolved the link already: it must lie under this port's preview.
    const url = String(msg.url);
    if (!url.startsWith(this.root())) return;
    this.post = msg.method === "POST" ? String(msg.body ?? "") : undefined;
    this.path = url.slice(this.root().length);
    this.reloads++;
  };

  private async load(): Promise<void> {
    if (this.open === undefined) return void (this.doc = "");
    const root = this.root();
    const url = root + this.path;
    const post = this.post;
    this.post = undefined;
    const ticket = ++this.loads;
    this.busy = true;
    let doc: string;
    try {
      const res = await fetch(url, post === undefined ? { cache: "no-store" } : { method: "POST", body: post, headers: { "Content-Type": "application/x-www-form-urlencoded" }, cache: "no-store" });
      const type = res.headers.get("content-type") ?? "";
      // A redirect may have moved the page: its links resolve against where it ended up.
      const at = res.url.startsWith(root) ? res.url : url;
      if (/html/i.test(type) || !type) doc = await inlinePage(await res.text(), { pageUrl: at, root, fetch: (u) => fetch(u, { cache: "no-store" }) });
      // An image on its own: the bytes are here already.
      else if (/^image\//i.test(type)) doc = `<img alt="" src="${toDataUrl(type.split(";")[0].trim(), new Uint8Array(await res.arrayBuffer()))}">`;
      else doc = `<pre style="white-space: pre-wrap">${escapeHtml(await res.text())}</pre>`;
    } catch (err) {
      doc = `<p>The preview could not be loaded: ${escapeHtml(String((err as Error).message))}</p>`;
    }
    if (ticket !== this.loads) return; // another port or reload since
    this.busy = false;
    this.doc = doc;
  }

  private go(e: Event): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem("path") as HTMLInputElement;
    this.path = input.value.replace(/^\/+/, "");
    this.reloads++;
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
      </div>
      ${this.open !== undefined
        ? html`<form class="address" @submit=${this.go} aria-label="Address in the container's server">
            <label for="path" class="muted">:${this.open}/</label>
            <input id="path" name="path" .value=${this.path} autocomplete="off" spellcheck="false" aria-label="Path on port ${this.open}" />
            <button type="submit">Go</button>
            <button type="button" @click=${() => this.reloads++} aria-label="Reload the preview">Reload</button>
            ${this.busy ? html`<span class="muted" role="status">Loading…</span>` : nothing}
          </form>`
        : nothing}
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

function escapeHtml(text: string): string {
  return text.replace(/[<&"]/g, (c) => (c === "<" ? "&lt;" : c === "&" ? "&amp;" : "&quot;"));
}

// The daemon's containers (docker ps -a), live; start, stop, rm, logs, shell and details from here.
import { LitElement, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Status: string;
  Ports: { PrivatePort: number; PublicPort?: number; Type: string; IP?: string }[];
}

@customElement("container-list")
export class ContainerList extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) containers: ContainerSummary[] = [];
  @property({ attribute: false }) busy = new Set<string>();

  override render() {
    if (!this.containers.length) return html`<p class="muted">No containers. Try <code>docker run -d -p 80:80 docker/getting-started</code> in the terminal.</p>`;
    return html`<div class="scroll">
      <table aria-label="Containers">
        <thead><tr><th>Name</th><th>Image</th><th>Status</th><th>Ports</th><th>Actions</th></tr></thead>
        <tbody>
          ${this.containers.map((c) => {
            const name = c.Names[0]?.replace(/^\//, "") ?? c.Id.slice(0, 12);
            const running = c.State === "running";
            const busy = this.busy.has(c.Id);
            return html`<tr data-id=${c.Id} data-state=${c.State}>
              <td class="mono">${name}</td>
              <td class="mono">${c.Image}</td>
              <td>${c.Status}${busy ? html` <span class="muted" role="status">working…</span>` : ""}</td>
              <td class="mono">${c.Ports.filter((p) => p.PublicPort).map((p) => `${p.PublicPort}→${p.PrivatePort}/${p.Type}`).join(", ")}</td>
              <td>
                <button @click=${() => this.act("details", c.Id)} aria-label="Details of ${name}">Details</button>
                ${running
                  ? html`<button ?disabled=${busy} @click=${() => this.act("stop", c.Id)} aria-label="Stop ${name}">Stop</button>
                      <button @click=${() => this.act("shell", c.Id)} aria-label="Open a shell in ${name}">Shell</button>`
                  : html`<button ?disabled=${busy} @click=${() => this.act("start", c.Id)} aria-label="Start ${name}">Start</button>`}
                <button @click=${() => this.act("logs", c.Id)} aria-label="Logs of ${name}">Logs</button>
                <button ?disabled=${busy} @click=${() => this.act("rm", c.Id)} aria-label="Remove ${name}">rm</button>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  private act(action: string, id: string): void {
    this.dispatchEvent(new CustomEvent("container-action", { detail: { action, id }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "container-list": ContainerList;
  }
}

// The in-tab registry's repositories and their tags (GET /v2/_catalog, /v2/<name>/tags/list),
// each tag with a Pull (docker pull, into the daemon).
import { LitElement, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";

export interface Repository {
  name: string;
  tags: string[];
}

@customElement("registry-list")
export class RegistryList extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) repositories: Repository[] = [];
  /** name:tag references being pulled. */
  @property({ attribute: false }) busy = new Set<string>();

  override render() {
    if (!this.repositories.length) return html`<p class="muted">The registry is empty.</p>`;
    return html`<table aria-label="Registry repositories">
      <thead><tr><th>Repository</th><th>Tags</th></tr></thead>
      <tbody>
        ${this.repositories.map(
          (r) =>
            html`<tr data-repo=${r.name}>
              <td class="mono">${r.name}</td>
              <td class="mono">
                ${r.tags.length
                  ? r.tags.map(
                      (t) =>
                        html`${t}
                          <button @click=${() => this.pull(r.name, t)} ?disabled=${this.busy.has(`${r.name}:${t}`)} aria-label="Pull ${r.name}:${t}">Pull</button>`,
                    )
                  : html`<span class="muted">none</span>`}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private pull(name: string, tag: string): void {
    this.dispatchEvent(new CustomEvent("registry-action", { detail: { action: "pull", name, tag }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "registry-list": RegistryList;
  }
}

// The in-tab registry's repositories and their tags (GET /v2/_catalog, /v2/<name>/tags/list).
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

  override render() {
    if (!this.repositories.length) return html`<p class="muted">The registry is empty.</p>`;
    return html`<table aria-label="Registry repositories">
      <thead><tr><th>Repository</th><th>Tags</th></tr></thead>
      <tbody>
        ${this.repositories.map((r) => html`<tr><td class="mono">${r.name}</td><td class="mono">${r.tags.join(", ") || html`<span class="muted">none</span>`}</td></tr>`)}
      </tbody>
    </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "registry-list": RegistryList;
  }
}

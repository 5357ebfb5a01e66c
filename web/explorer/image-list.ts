// The daemon's images (docker images), live; push, rmi and the layer view from here.
import { LitElement, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";
import { bytes } from "../engine-client.ts";

export interface ImageSummary {
  Id: string;
  RepoTags: string[] | null;
  Size: number;
  Created: number;
}

@customElement("image-list")
export class ImageList extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) images: ImageSummary[] = [];
  @property({ attribute: false }) busy = new Set<string>();

  override render() {
    if (!this.images.length) return html`<p class="muted">No images yet. <code>docker pull busybox</code> fetches one from the in-tab registry.</p>`;
    return html`<div class="scroll">
      <table aria-label="Images">
        <thead><tr><th>Repository:tag</th><th>Image ID</th><th>Size</th><th>Actions</th></tr></thead>
        <tbody>
          ${this.images.map((img) => {
            const name = img.RepoTags?.[0] ?? "<none>";
            const short = img.Id.replace("sha256:", "").slice(0, 12);
            return html`<tr data-id=${img.Id}>
              <td class="mono">${(img.RepoTags ?? ["<none>"]).join(", ")}</td>
              <td class="mono">${short}</td>
              <td>${bytes(img.Size)}</td>
              <td>
                <button @click=${() => this.act("layers", img.Id)} aria-label="Show the layers of ${name}">Layers</button>
                ${img.RepoTags?.length
                  ? html`<button @click=${() => this.act("push", img.Id)} ?disabled=${this.busy.has(img.Id)} aria-label="Push ${name} to the registry">Push</button>`
                  : nothing}
                <button @click=${() => this.act("rmi", img.Id)} ?disabled=${this.busy.has(img.Id)} aria-label="Remove image ${name}">rmi</button>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  private act(action: string, id: string): void {
    this.dispatchEvent(new CustomEvent("image-action", { detail: { action, id }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "image-list": ImageList;
  }
}

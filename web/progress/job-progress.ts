// A wait the page started (a pull, a push, a build, a container action), shown as it goes: an
// overall bar from the layers' bytes (or an indeterminate one until there is something to
// count), each layer's status, the last overall status and build output. Fed by the
// Engine API's JSON progress stream through progress-model.ts.
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";
import { bytes } from "../engine-client.ts";
import { fraction, type Job, type LayerProgress } from "./progress-model.ts";

@customElement("job-progress")
export class JobProgress extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        display: block;
        border: 1px solid var(--slipway-border);
        border-radius: 4px;
        padding: 0.375rem 0.5rem;
        margin: 0 0 0.5rem;
      }
      progress {
        width: 100%;
        height: 0.5rem;
      }
      .title {
        font-weight: 600;
      }
      ul {
        list-style: none;
        margin: 0.25rem 0 0;
        padding: 0;
      }
      li {
        display: grid;
        grid-template-columns: 7.5rem minmax(0, 1fr) 5rem;
        gap: 0.5rem;
        align-items: center;
      }
      li progress {
        height: 0.375rem;
      }
    `,
  ];

  @property({ attribute: false }) job?: Job;

  override render() {
    const job = this.job;
    if (!job) return nothing;
    const f = fraction(job);
    const pct = f === undefined ? undefined : Math.round(f * 100);
    // role=status: a screen reader hears the title and the latest status, not every byte count.
    return html`
      <div role="status" aria-live="polite">
        <span class="title">${job.title}</span>${pct === undefined ? nothing : html` <span class="muted">${pct}%</span>`}
        ${job.status ? html`<div class="muted mono">${job.status}</div>` : nothing}
      </div>
      <progress aria-label=${job.title} max="100" value=${pct ?? nothing}></progress>
      ${job.layers.length ? html`<ul aria-label="Layers">${job.layers.map((l) => this.layer(l))}</ul>` : nothing}
      ${job.output.length ? html`<pre class="mono muted">${job.output.join("\n")}</pre>` : nothing}
    `;
  }

  private layer(l: LayerProgress) {
    const moving = l.total && l.current !== undefined && l.current < l.total;
    return html`<li data-layer=${l.id}>
      <span class="mono">${l.id}</span>
      <span>${l.status}${moving ? html` <progress max=${l.total!} value=${l.current!} aria-label="${l.id} ${l.status}"></progress>` : nothing}</span>
      <span class="muted">${moving ? `${bytes(l.current!)} / ${bytes(l.total!)}` : ""}</span>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "job-progress": JobProgress;
  }
}

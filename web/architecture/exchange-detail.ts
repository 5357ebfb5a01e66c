// One exchange, read back: the request line, headers and body; the status, headers and body.
import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";
import type { ExchangeRecord } from "../../worker/browser/engine-api.ts";

const pretty = (body: string) => {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
};

@customElement("exchange-detail")
export class ExchangeDetail extends LitElement {
  static override styles = [
    panelStyles,
    css`
      pre {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        max-height: 18rem;
        overflow: auto;
        margin: 0.25rem 0;
        padding: 0.5rem;
        border-radius: 4px;
        background: rgba(127, 127, 127, 0.1);
      }
    `,
  ];

  @property({ attribute: false }) exchange?: ExchangeRecord;

  override render() {
    const x = this.exchange;
    if (!x) return html`<p class="muted">Choose a request to read it and its response.</p>`;
    const head = (h: [string, string][]) => h.map(([k, v]) => `${k}: ${v}`).join("\n");
    return html`
      <h3>Request <span class="muted">from ${x.client}</span></h3>
      <pre class="mono" aria-label="Request">${x.method} ${x.path} HTTP/1.1\n${head(x.requestHeaders)}${x.requestBody ? `\n\n${pretty(x.requestBody)}` : ""}</pre>
      <h3>Response <span class="muted">${x.ms} ms${x.done ? "" : ", still streaming"}</span></h3>
      <pre class="mono" aria-label="Response">HTTP/1.1 ${x.status}\n${head(x.responseHeaders)}${x.responseBody ? `\n\n${pretty(x.responseBody)}` : ""}</pre>
      ${x.api === "engine" ? html`<p class="muted">The Engine API is plain HTTP: any client can send this request to the daemon.</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "exchange-detail": ExchangeDetail;
  }
}

// The moving parts, drawn: clients → daemon → (registry | agent → nsrun → kernel). The path
// of the latest request lights up, so each command's HTTP call is seen crossing the boxes.
import { LitElement, css, html, svg } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ExchangeRecord } from "../../worker/browser/engine-api.ts";

type Box = { id: string; label: string; sub: string; x: number; y: number };

const BOXES: Box[] = [
  { id: "guest docker", label: "docker CLI", sub: "in the guest, unix socket", x: 10, y: 10 },
  { id: "tcp", label: "DOCKER_HOST client", sub: "tcp :2375", x: 10, y: 75 },
  { id: "page", label: "this page", sub: "Explorer, lessons", x: 10, y: 140 },
  { id: "daemon", label: "daemon", sub: "Engine API, in the worker", x: 230, y: 75 },
  { id: "registry", label: "registry", sub: "Distribution API, IndexedDB", x: 450, y: 10 },
  { id: "agent", label: "agent → nsrun", sub: "containers in the guest kernel", x: 450, y: 140 },
];
const W = 170;
const H = 50;

const center = (b: Box) => ({ x: b.x + W / 2, y: b.y + H / 2 });
const box = (id: string) => BOXES.find((b) => b.id === id)!;

/** Which request paths reach the guest (containers, exec) rather than staying in the daemon. */
const toAgent = (path: string) => /\/(containers|exec)\/[^/]+\/(start|stop|kill|restart|exec|resize|top|attach)|\/exec\/|\/containers\/create|\/build/.test(path);

@customElement("architecture-diagram")
export class ArchitectureDiagram extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    svg {
      width: 100%;
      max-width: 640px;
      height: auto;
      font: 12px system-ui, sans-serif;
    }
    rect {
      fill: var(--slipway-bg);
      stroke: var(--slipway-border);
      stroke-width: 1.5;
    }
    .on rect {
      stroke: var(--slipway-accent);
      stroke-width: 3;
    }
    line {
      stroke: var(--slipway-border);
      stroke-width: 2;
    }
    line.on {
      stroke: var(--slipway-accent);
      stroke-width: 3;
    }
    text {
      fill: var(--slipway-fg);
    }
    .sub {
      fill: var(--slipway-muted);
      font-size: 10px;
    }
  `;

  /** The exchange to show the path of. */
  @property({ attribute: false }) latest?: ExchangeRecord;

  override render() {
    const x = this.latest;
    const lit = new Set<string>();
    if (x) {
      if (x.api === "distribution") lit.add(x.client === "page" ? "page" : "daemon").add("registry");
      else {
        lit.add(x.client).add("daemon");
        if (/\/images\/create|\/push/.test(x.path)) lit.add("registry");
        if (toAgent(x.path)) lit.add("agent");
      }
    }
    const edges: [string, string][] = [["guest docker", "daemon"], ["tcp", "daemon"], ["page", "daemon"], ["daemon", "registry"], ["daemon", "agent"], ["page", "registry"]];
    return html`<svg viewBox="0 0 630 200" role="img" aria-label="Architecture: clients send HTTP requests to the daemon, which calls the registry and the agent in the guest${x ? `; latest: ${x.method} ${x.path} from ${x.client}` : ""}">
      ${edges.map(([a, b]) => {
        const p = center(box(a));
        const q = center(box(b));
        const on = lit.has(a) && lit.has(b) && (a !== "page" || b !== "registry" || x?.api === "distribution");
        return svg`<line class=${on ? "on" : ""} x1=${p.x} y1=${p.y} x2=${q.x} y2=${q.y}></line>`;
      })}
      ${BOXES.map(
        (b) => svg`<g class=${lit.has(b.id) ? "on" : ""} data-box=${b.id}>
          <rect x=${b.x} y=${b.y} width=${W} height=${H} rx="6"></rect>
          <text x=${b.x + 10} y=${b.y + 21}>${b.label}</text>
          <text class="sub" x=${b.x + 10} y=${b.y + 38}>${b.sub}</text>
        </g>`,
      )}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "architecture-diagram": ArchitectureDiagram;
  }
}

// An image's layers, lowest first: each with the instruction that made it (created_by), its
// size, and the files it adds, changes and deletes. The files come from `docker save` of the
// image (GET /images/<id>/get): every layer's tar, read here; a `.wh.` entry is a deletion,
// a path a lower layer already had is a change, anything else an addition.
import { LitElement, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";
import { bytes, inWords, type EngineClient } from "../engine-client.ts";
import { maybeGunzip, readTar } from "./tar.ts";

interface HistoryEntry {
  Created: number;
  CreatedBy: string;
  Size: number;
}

export interface LayerInfo {
  createdBy: string;
  size: number;
  empty: boolean;
  added: string[];
  changed: string[];
  deleted: string[];
}

const MAX_LISTED = 200;

/** Reads each layer's file changes from a docker save archive. */
export async function layerChanges(archive: Uint8Array): Promise<{ added: string[]; changed: string[]; deleted: string[] }[]> {
  const outer = new Map(readTar(archive).map((e) => [e.path, e.data]));
  const manifest = JSON.parse(new TextDecoder().decode(outer.get("manifest.json"))) as { Layers: string[] }[];
  const seen = new Set<string>();
  const out: { added: string[]; changed: string[]; deleted: string[] }[] = [];
  for (const layerPath of manifest[0]?.Layers ?? []) {
    const data = outer.get(layerPath.replace(/^\.\//, ""));
    const entries = data ? readTar(await maybeGunzip(data)) : [];
    const added: string[] = [];
    const changed: string[] = [];
    const deleted: string[] = [];
    for (const e of entries) {
      const base = e.path.split("/").pop()!;
      if (base.startsWith(".wh.")) {
        const dir = e.path.slice(0, -base.length);
        if (base === ".wh..wh..opq") deleted.push(`${dir}* (everything below, made opaque)`);
        else {
          const gone = dir + base.slice(4);
          deleted.push(gone);
          seen.delete(gone);
        }
        continue;
      }
      if (e.type === "dir") {
        seen.add(e.path);
        continue; // directories only say where files go
      }
      (seen.has(e.path) ? changed : added).push(e.path);
      seen.add(e.path);
    }
    out.push({ added, changed, deleted });
  }
  return out;
}

@customElement("layer-view")
export class LayerView extends LitElement {
  static override styles = panelStyles;

  @property({ attribute: false }) engine?: EngineClient;
  @property() imageId = "";
  @property() imageName = "";

  @state() private layers?: LayerInfo[];
  @state() private error = "";
  @state() private loading = false;

  override updated(changed: Map<string, unknown>): void {
    if ((changed.has("imageId") || changed.has("engine")) && this.imageId && this.engine) void this.load();
  }

  private async load(): Promise<void> {
    const engine = this.engine!;
    this.loading = true;
    this.error = "";
    this.layers = undefined;
    try {
      const history = await engine.get<HistoryEntry[]>(`/images/${encodeURIComponent(this.imageId)}/history`);
      const res = await engine.guest.engineRequest({ method: "GET", path: `/images/${encodeURIComponent(this.imageId)}/get` });
      const changes = res.status === 200 ? await layerChanges(res.body) : [];
      // history is newest first; layers (and the tars) lowest first. Empty-layer steps (ENV, CMD) have no tar.
      const steps = [...history].reverse();
      let i = 0;
      this.layers = steps.map((h) => {
        const empty = h.Size === 0 && /#\(nop\)|^(ENV|CMD|ENTRYPOINT|EXPOSE|LABEL|WORKDIR|USER)\b/.test(h.CreatedBy.replace(/^\/bin\/sh -c /, "")) && !changes[i];
        const c = empty ? { added: [], changed: [], deleted: [] } : (changes[i++] ?? { added: [], changed: [], deleted: [] });
        return { createdBy: h.CreatedBy, size: h.Size, empty, ...c };
      });
    } catch (err) {
      this.error = `Could not read the layers: ${inWords(err)}`;
    } finally {
      this.loading = false;
    }
  }

  override render() {
    return html`
      <h3>Layers of <code>${this.imageName || this.imageId.slice(7, 19)}</code></h3>
      ${this.loading ? html`<p role="status">Reading the image's layers…</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.layers
        ? html`<ol class="layers">
            ${this.layers.map(
              (l, n) => html`<li data-layer=${n}>
                <div><code>${l.createdBy || "(no history)"}</code></div>
                <div class="muted">${l.empty ? "no filesystem change (metadata only)" : `${bytes(l.size)} · ${l.added.length} added, ${l.changed.length} changed, ${l.deleted.length} deleted`}</div>
                ${l.empty
                  ? nothing
                  : html`<details>
                      <summary>Files</summary>
                      ${this.files("Added", l.added)} ${this.files("Changed", l.changed)} ${this.files("Deleted", l.deleted)}
                    </details>`}
              </li>`,
            )}
          </ol>`
        : nothing}
    `;
  }

  private files(title: string, list: string[]) {
    if (!list.length) return nothing;
    return html`<div><strong>${title}</strong>
      <ul class="mono">${list.slice(0, MAX_LISTED).map((f) => html`<li>${f}</li>`)}</ul>
      ${list.length > MAX_LISTED ? html`<p class="muted">and ${list.length - MAX_LISTED} more</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "layer-view": LayerView;
  }
}

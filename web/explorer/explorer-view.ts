// The Explorer tab: the daemon's images and containers and the registry's repositories, kept
// current from the daemon's event stream (the page follows GET /events as `docker events` does),
// with actions on them and a detail pane (an image's layers, a container up close, its logs).
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { panelStyles } from "../ui-styles.ts";
import { demux, inWords, type EngineClient } from "../engine-client.ts";
import type { EngineEvent } from "../../worker/browser/engine-api.ts";
import type { ImageSummary } from "./image-list.ts";
import type { ContainerSummary } from "./container-list.ts";
import type { Repository } from "./registry-list.ts";
import "./image-list.ts";
import "./container-list.ts";
import "./registry-list.ts";
import "./layer-view.ts";
import "./container-view.ts";
import "../progress/job-progress.ts";
import { applyMessage, newJob, type Job, type ProgressMessage } from "../progress/progress-model.ts";

/** A wait started from here: shown once it has lasted `progressDelayMs`, kept a moment once done. */
interface Wait {
  key: number;
  job: Job;
  shown: boolean;
  done: boolean;
}

/** How long a finished wait stays on screen, so its end is seen and not just its vanishing. */
const KEEP_DONE_MS = 1500;

type Detail = { kind: "layers"; id: string; name: string } | { kind: "container"; id: string } | { kind: "logs"; id: string; text: string };

@customElement("explorer-view")
export class ExplorerView extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
        gap: 0.75rem;
        overflow: auto;
        padding: 0.5rem;
        box-sizing: border-box;
      }
      @media (max-width: 900px) {
        :host {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      section {
        min-width: 0;
      }
      pre {
        white-space: pre-wrap;
        max-height: 20rem;
        overflow: auto;
        background: var(--slipway-code-bg, rgba(127, 127, 127, 0.1));
        padding: 0.5rem;
        border-radius: 4px;
      }
    `,
  ];

  @property({ attribute: false }) engine?: EngineClient;

  @state() private images: ImageSummary[] = [];
  @state() private containers: ContainerSummary[] = [];
  @state() private repositories: Repository[] = [];
  @state() private detail?: Detail;
  @state() private error = "";
  @state() private busy = new Set<string>();
  @state() private waits: Wait[] = [];
  /** Waits shorter than this show no progress: a flash of a bar is noise. */
  @property({ type: Number }) progressDelayMs = 500;
  private nextWait = 1;

  private watching?: EngineClient;
  private refreshTimer?: ReturnType<typeof setTimeout>;

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("engine") && this.engine && this.watching !== this.engine) {
      this.watching = this.engine;
      void this.engine.guest.watchEvents((e) => this.onEvent(e)).catch((err) => (this.error = inWords(err)));
      void this.refresh();
    }
  }

  private onEvent(e: EngineEvent): void {
    // Events come in bursts (create, attach, start…): one refresh per burst.
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), 150);
    if (this.detail?.kind === "container" && e.Actor.ID === this.detail.id) this.renderRoot.querySelector("container-view")?.load();
  }

  /** Reads all three lists again. */
  async refresh(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    try {
      const [images, containers] = await Promise.all([engine.get<ImageSummary[]>("/images/json"), engine.get<ContainerSummary[]>("/containers/json?all=1")]);
      this.images = images;
      this.containers = containers;
      this.dispatchEvent(new CustomEvent("containers-changed", { detail: containers, bubbles: true, composed: true }));
      const catalog = await engine.registry<{ repositories: string[] }>("/v2/_catalog");
      this.repositories = await Promise.all(
        (catalog.repositories ?? []).map(async (name) => ({ name, tags: (await engine.registry<{ tags: string[] | null }>(`/v2/${name}/tags/list`).catch(() => ({ tags: [] }))).tags ?? [] })),
      );
      this.error = "";
    } catch (err) {
      this.error = `Could not read the daemon's state: ${inWords(err)}`;
    }
  }

  override render() {
    return html`
      <section aria-label="Lists">
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.waits.filter((w) => w.shown).map((w) => html`<job-progress .job=${w.job} ?data-done=${w.done}></job-progress>`)}
        <h2 id="containers-h">Containers</h2>
        <container-list aria-labelledby="containers-h" .containers=${this.containers} .busy=${this.busy} @container-action=${this.onContainerAction}></container-list>
        <h2 id="images-h">Images</h2>
        <image-list aria-labelledby="images-h" .images=${this.images} .busy=${this.busy} @image-action=${this.onImageAction}></image-list>
        <h2 id="registry-h">Registry <span class="muted">(the in-tab Docker Hub)</span></h2>
        <registry-list aria-labelledby="registry-h" .repositories=${this.repositories} .busy=${this.busy} @registry-action=${this.onRegistryAction}></registry-list>
      </section>
      <section aria-label="Details" aria-live="polite">${this.renderDetail()}</section>
    `;
  }

  private renderDetail() {
    const d = this.detail;
    if (!d) return html`<p class="muted">Choose Details, Layers or Logs to look closer.</p>`;
    if (d.kind === "layers") return html`<layer-view .engine=${this.engine} .imageId=${d.id} .imageName=${d.name}></layer-view>`;
    if (d.kind === "container") return html`<container-view .engine=${this.engine} .containerId=${d.id}></container-view>`;
    return html`<h3>Logs</h3>
      <pre class="mono" aria-label="Container logs">${d.text || "(no output yet)"}</pre>`;
  }

  private onImageAction = async (e: CustomEvent<{ action: string; id: string }>) => {
    const { action, id } = e.detail;
    if (action === "layers") {
      const img = this.images.find((i) => i.Id === id);
      this.detail = { kind: "layers", id, name: img?.RepoTags?.[0] ?? id.slice(7, 19) };
      return;
    }
    const img = this.images.find((i) => i.Id === id);
    const name = img?.RepoTags?.[0];
    if (action === "push" && name) {
      const at = name.lastIndexOf(":");
      const path = `/images/${encodeURIComponent(name.slice(0, at))}/push?tag=${encodeURIComponent(name.slice(at + 1))}`;
      return this.run(id, `Pushing ${name}`, (progress) => this.engine!.stream("POST", path, undefined, progress));
    }
    await this.run(id, `Removing ${name ?? id.slice(7, 19)}`, () => this.engine!.call("DELETE", `/images/${encodeURIComponent(id)}`));
  };

  private onRegistryAction = async (e: CustomEvent<{ action: string; name: string; tag: string }>) => {
    const { name, tag } = e.detail;
    const ref = `${name}:${tag}`;
    // docker pull: the daemon fetches from the in-tab hub, a message per layer step.
    await this.run(ref, `Pulling ${ref}`, (progress) =>
      this.engine!.stream("POST", `/images/create?fromImage=${encodeURIComponent(name)}&tag=${encodeURIComponent(tag)}`, undefined, progress),
    );
  };

  private onContainerAction = async (e: CustomEvent<{ action: string; id: string }>) => {
    const { action, id } = e.detail;
    const engine = this.engine!;
    switch (action) {
      case "details":
        this.detail = { kind: "container", id };
        return;
      case "logs": {
        const res = await engine.guest.engineRequest({ method: "GET", path: `/containers/${id}/logs?stdout=1&stderr=1&tail=500` });
        this.detail = { kind: "logs", id, text: demux(res.body) };
        return;
      }
      case "shell": {
        const c = this.containers.find((x) => x.Id === id);
        const name = c?.Names[0]?.replace(/^\//, "") ?? id.slice(0, 12);
        // Typed into the terminal, as the learner would: they see the command and use the shell there.
        this.dispatchEvent(new CustomEvent("run-in-terminal", { detail: { command: `docker exec -it ${name} sh` }, bubbles: true, composed: true }));
        return;
      }
      case "start":
        return this.run(id, `Starting ${this.containerName(id)}`, () => engine.call("POST", `/containers/${id}/start`));
      case "stop":
        return this.run(id, `Stopping ${this.containerName(id)}`, () => engine.call("POST", `/containers/${id}/stop?t=3`));
      case "rm":
        if (this.detail?.id === id) this.detail = undefined;
        return this.run(id, `Removing ${this.containerName(id)}`, () => engine.call("DELETE", `/containers/${id}?force=1`));
    }
  };

  private containerName(id: string): string {
    return this.containers.find((c) => c.Id === id)?.Names[0]?.replace(/^\//, "") ?? id.slice(0, 12);
  }

  /**
   * One action at a time per item, shown as busy; its failure in words. Past progressDelayMs
   * its progress shows: the stream's messages when the action has them (pull, push), else a
   * bar that only says it is still going.
   */
  private async run(id: string, title: string, action: (progress: (m: ProgressMessage) => void) => Promise<unknown>): Promise<void> {
    this.busy = new Set([...this.busy, id]);
    const key = this.nextWait++;
    const update = (change: (w: Wait) => Wait) => (this.waits = this.waits.map((w) => (w.key === key ? change(w) : w)));
    this.waits = [...this.waits, { key, job: newJob(title), shown: this.progressDelayMs <= 0, done: false }];
    const showTimer = setTimeout(() => update((w) => ({ ...w, shown: true })), this.progressDelayMs);
    let ok = false;
    try {
      await action((m) => update((w) => ({ ...w, job: applyMessage(w.job, m) })));
      this.error = "";
      ok = true;
    } catch (err) {
      this.error = inWords(err);
    } finally {
      clearTimeout(showTimer);
      const next = new Set(this.busy);
      next.delete(id);
      this.busy = next;
      // A failure says so in the error above; a success stays a moment, marked done.
      update((w) => ({ ...w, done: true, job: { ...w.job, title: ok ? `${title}: done` : w.job.title } }));
      setTimeout(() => (this.waits = this.waits.filter((w) => w.key !== key)), ok && this.waits.find((w) => w.key === key)?.shown ? KEEP_DONE_MS : 0);
      await this.refresh();
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "explorer-view": ExplorerView;
  }
}

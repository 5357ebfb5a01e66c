// The app: starts the guest in its worker, shows its console, and says how the start went.
// Its `state` attribute (starting, ready, failed) and performance marks named
// `slipway:<stage>-<begin|end>` and `slipway:ready` are there for tests and benchmarks.
import { LitElement, css, html } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import { connectGuest, type GuestConnection } from "./guest-connection.ts";
import type { BootStage, GuestHooks, StageEvent } from "../worker/browser/guest-worker-api.ts";
import type { StageRecord } from "./boot-status.ts";
import type { GuestTerminal } from "./guest-terminal.ts";
import "./boot-status.ts";
import "./guest-terminal.ts";
import "./tab-strip.ts";
import "./reset-button.ts";
import "./explorer/explorer-view.ts";
import "./architecture/architecture-view.ts";
import "./preview/preview-pane.ts";
import "./editor/slipway-editor.ts";
import "./lessons/lesson-panel.ts";
import { EngineClient, inWords } from "./engine-client.ts";
import { deleteSandboxData } from "./reset-button.ts";
import { startPreviewRelay } from "./preview/preview-relay.ts";
import type { ContainerSummary } from "./explorer/container-list.ts";
import type { PublishedPort } from "./preview/preview-pane.ts";
import type { TabInfo } from "./tab-strip.ts";
import type { LessonPanel } from "./lessons/lesson-panel.ts";
import { PromptWatcher } from "./lessons/prompt-watcher.ts";
import { engineApiOf } from "./lessons/engine-api.ts";

/** The views beside the terminal. The Editor's and the lesson panel's contents are their own components. */
const TABS: TabInfo[] = [
  { id: "editor", label: "Editor" },
  { id: "explorer", label: "Explorer" },
  { id: "architecture", label: "Architecture" },
  { id: "preview", label: "Preview" },
];

/** A stage that takes longer than this is reported, so the page never just hangs. */
const STAGE_PATIENCE_MS: Record<BootStage, number> = { download: 60_000, restore: 30_000, boot: 180_000, prompt: 30_000 };

@customElement("slipway-app")
export class SlipwayApp extends LitElement {
  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
      padding: 0.75rem;
      box-sizing: border-box;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.25rem 1rem;
    }
    h1 {
      font-size: 1.125rem;
      margin: 0;
    }
    boot-status {
      flex: 1 1 20rem;
    }
    .tools {
      display: flex;
      align-items: center;
      gap: 0.25rem 0.5rem;
      margin-left: auto;
      font-size: 0.8125rem;
    }
    .tools button {
      font: inherit;
      padding: 0.125rem 0.5rem;
      border: 1px solid var(--slipway-border);
      border-radius: 4px;
      background: var(--slipway-bg);
      color: var(--slipway-fg);
      cursor: pointer;
    }
    .storage-error {
      flex-basis: 100%;
      margin: 0;
      padding: 0.25rem 0.5rem;
      border-radius: 4px;
      background: var(--slipway-error-bg);
    }
    /* Lessons beside; the terminal central; the views (tabs) under it. */
    .work {
      flex: 1;
      min-height: 0;
      display: grid;
      grid-template-columns: minmax(15rem, 2fr) minmax(0, 5fr);
      grid-template-rows: minmax(8rem, 1fr) minmax(10rem, 1fr);
      grid-template-areas: "lessons terminal" "lessons views";
      gap: 0.5rem;
    }
    .region {
      min-height: 0;
      min-width: 0;
      border: 1px solid var(--slipway-border, #d1d9e0);
      border-radius: 6px;
      overflow: hidden;
    }
    lesson-panel {
      grid-area: lessons;
    }
    guest-terminal {
      grid-area: terminal;
    }
    .views {
      grid-area: views;
      display: flex;
      flex-direction: column;
    }
    .panel {
      flex: 1;
      min-height: 0;
      overflow: auto;
    }
    .panel[hidden] {
      display: none;
    }
    .panel > * {
      height: 100%;
    }
    /* Phones and narrow windows: one column, the page scrolls. */
    @media (max-width: 800px) {
      :host {
        height: auto;
        min-height: 100%;
        padding: 0.5rem;
      }
      .work {
        grid-template-columns: minmax(0, 1fr);
        grid-template-rows: 55vh 75vh auto;
        grid-template-areas: "terminal" "views" "lessons";
      }
      lesson-panel {
        min-height: 50vh;
      }
    }
  `;

  /** Boot the kernel instead of restoring the snapshot (also `?cold` in the page's URL). */
  @property({ type: Boolean }) cold = new URLSearchParams(location.search).has("cold");
  @property({ reflect: true }) state: "starting" | "ready" | "failed" = "starting";

  @state() private stages: StageRecord[] = [];
  @state() private notices: string[] = [];
  @state() private error = "";
  @state() private tab = "explorer";
  @state() private ports: PublishedPort[] = [];
  @state() private relayReady = false;
  @state() private saving = "";
  @state() private storageError = "";
  /** The page's Engine API client, once the machine is up. */
  @state() engine?: EngineClient;

  @query("guest-terminal") private terminal!: GuestTerminal;
  @query("lesson-panel") private lessonPanel?: LessonPanel;

  /** Re-checks the lesson's step whenever a command typed in the terminal finishes. */
  private prompts = new PromptWatcher(() => this.lessonPanel?.commandFinished());

  private get ready(): boolean {
    return this.state === "ready";
  }

  /** The running guest, for code that drives it (undefined until started). */
  guest?: GuestConnection;
  private watchdog?: ReturnType<typeof setTimeout>;

  override render() {
    return html`
      <header>
        <h1>Slipway</h1>
        <boot-status .stages=${this.stages} .notices=${this.notices} .error=${this.error}></boot-status>
        <div class="tools">
          <span role="status" aria-live="polite">${this.saving}</span>
          <button @click=${() => void this.saveMachine("button")} ?disabled=${!this.ready} title="Keep the running machine for your next visit">Save machine</button>
          <reset-button @reset-sandbox=${() => void this.resetSandbox()}></reset-button>
        </div>
        ${this.storageError ? html`<p class="storage-error" role="alert">${this.storageError}</p>` : ""}
      </header>
      <div
        class="work"
        @run-in-terminal=${(e: CustomEvent<{ command: string }>) => this.typeCommand(e.detail.command)}
        @show-view=${(e: CustomEvent<{ view: string }>) => this.showTab(e.detail.view)}
      >
        <lesson-panel
          class="region"
          role="complementary"
          aria-label="Lesson"
          data-region="lesson-panel"
          .scripts=${this.ready ? this.guest : undefined}
          .workspace=${this.ready ? this.guest?.workspace : undefined}
          .engine=${this.ready ? engineApiOf(this.guest) : undefined}
        ></lesson-panel>
        <guest-terminal
          class="region"
          @terminal-input=${(e: CustomEvent<string>) => {
            this.prompts.input(e.detail);
            this.guest?.write(e.detail);
          }}
        ></guest-terminal>
        <section class="views region" aria-label="Views">
          <tab-strip .tabs=${TABS} .selected=${this.tab} @tab-change=${(e: CustomEvent<string>) => (this.tab = e.detail)}></tab-strip>
          <div class="panel" role="tabpanel" id="panel-editor" aria-labelledby="tab-editor" ?hidden=${this.tab !== "editor"}>
            <slipway-editor .workspace=${this.ready ? this.guest?.workspace : undefined}></slipway-editor>
          </div>
          <div class="panel" role="tabpanel" id="panel-explorer" aria-labelledby="tab-explorer" ?hidden=${this.tab !== "explorer"}>
            <explorer-view .engine=${this.engine} @containers-changed=${(e: CustomEvent<ContainerSummary[]>) => this.onContainers(e.detail)}></explorer-view>
          </div>
          <div class="panel" role="tabpanel" id="panel-architecture" aria-labelledby="tab-architecture" ?hidden=${this.tab !== "architecture"}>
            <architecture-view .guest=${this.ready ? this.guest : undefined}></architecture-view>
          </div>
          <div class="panel" role="tabpanel" id="panel-preview" aria-labelledby="tab-preview" ?hidden=${this.tab !== "preview"}>
            <preview-pane .ports=${this.ports} .relayReady=${this.relayReady}></preview-pane>
          </div>
        </section>
      </div>
    `;
  }

  /** Shows a view (editor, explorer, architecture, preview). */
  showTab(id: string): void {
    this.tab = id;
  }

  private onContainers(list: ContainerSummary[]): void {
    const ports = list
      .filter((c) => c.State === "running")
      .flatMap((c) => c.Ports.filter((p) => p.PublicPort && p.Type === "tcp").map((p) => ({ port: p.PublicPort!, containerPort: p.PrivatePort, container: c.Names[0]?.replace(/^\//, "") ?? c.Id.slice(0, 12) })));
    const unique = [...new Map(ports.map((p) => [p.port, p])).values()].sort((a, b) => a.port - b.port);
    const fresh = unique.some((p) => !this.ports.some((q) => q.port === p.port));
    this.ports = unique;
    // A newly published port is what the learner wants to see next.
    if (fresh) this.tab = "preview";
  }

  override firstUpdated(): void {
    void this.startGuest();
    void this.startServiceWorker();
    void this.askForStorage();
    this.stopRelay = startPreviewRelay(() => this.guest);
    document.addEventListener("visibilitychange", this.onVisibility);
  }

  private stopRelay?: () => void;

  /** Hidden (tab switched, window closed, phone locked): keep the machine as it is now. */
  private onVisibility = (): void => {
    if (document.visibilityState === "hidden" && this.ready) void this.saveMachine("hidden");
  };

  private async startServiceWorker(): Promise<void> {
    if (!("serviceWorker" in navigator)) return;
    try {
      const reg = await navigator.serviceWorker.register(new URL("sw.js", document.baseURI), { scope: "./" });
      await navigator.serviceWorker.ready;
      this.relayReady = !!reg.active;
    } catch (err) {
      // file:// or a host that refuses: the sandbox still runs, without offline use or previews.
      this.notices = [...this.notices, `Offline use and previews are unavailable: ${inWords(err)}`];
    }
  }

  /** Asks the browser not to evict the sandbox's data, and warns early when space is short. */
  private async askForStorage(): Promise<void> {
    try {
      await navigator.storage?.persist?.();
      const est = await navigator.storage?.estimate?.();
      if (est?.quota && est.usage !== undefined && est.quota - est.usage < 300e6) {
        this.storageError = `The browser allows this site only ${((est.quota - est.usage) / 1e6).toFixed(0)} MB more storage. Saving the machine and pulling images may fail; free space or remove images you no longer need.`;
      }
    } catch {
      /* no storage API: nothing to ask for */
    }
  }

  private savingNow = false;

  /** Saves the VM (and the daemon's containers) to IndexedDB. */
  async saveMachine(why: "button" | "hidden"): Promise<void> {
    if (!this.guest || this.savingNow) return;
    this.savingNow = true;
    this.saving = "Saving the machine…";
    try {
      const size = await this.guest.saveMachine();
      this.saving = `Machine saved (${(size / 1e6).toFixed(0)} MB)`;
      this.storageError = "";
    } catch (err) {
      this.saving = "";
      this.storageError = `The machine could not be saved: ${inWords(err)}`;
    } finally {
      this.savingNow = false;
      if (why === "button") setTimeout(() => (this.saving = ""), 4000);
    }
  }

  /** Stops the machine (closing its databases), deletes what the sandbox stored, and starts afresh. */
  async resetSandbox(): Promise<void> {
    document.removeEventListener("visibilitychange", this.onVisibility);
    this.saving = "Resetting…";
    await this.guest?.close();
    this.guest = undefined;
    await deleteSandboxData();
    location.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.watchdog);
    this.prompts.dispose();
    this.stopRelay?.();
    document.removeEventListener("visibilitychange", this.onVisibility);
    void this.guest?.close();
    this.guest = undefined;
  }

  private async startGuest(): Promise<void> {
    const hooks: GuestHooks = {
      output: (bytes) => {
        this.terminal.write(bytes);
        this.prompts.output(bytes);
      },
      stage: (e) => this.onStage(e),
      notice: (text) => (this.notices = [...this.notices, text]),
    };
    try {
      this.guest = connectGuest();
      await this.guest.start(hooks, { cold: this.cold });
      // Ready: counted from opening the page (performance.now() starts at navigation).
      performance.mark("slipway:ready");
      this.stages = [...this.stages, { stage: "ready", ms: performance.now() }];
      this.state = "ready";
      this.engine = new EngineClient(this.guest);
      this.error = ""; // a slow stage may have been reported, then finished after all
      this.terminal.focus();
    } catch (err) {
      this.fail(`The Linux machine could not start: ${(err as Error).message ?? String(err)}`);
    } finally {
      clearTimeout(this.watchdog);
    }
  }

  /** Types a command into the terminal, as the learner would (Run buttons, Build). */
  typeCommand(command: string): void {
    if (!this.guest || !this.ready) return;
    const line = command.endsWith("\n") ? command : `${command}\n`;
    this.prompts.input(line);
    this.guest.write(line);
    this.terminal.focus();
  }

  private onStage(e: StageEvent): void {
    performance.mark(`slipway:${e.stage}-${e.phase}`);
    // A restore that turned into a boot is no longer running.
    const others = this.stages.filter((s) => s.stage !== e.stage && !(e.stage === "boot" && s.stage === "restore"));
    this.stages = [...others, { stage: e.stage, ms: e.ms, detail: e.detail }];
    clearTimeout(this.watchdog);
    if (e.phase === "begin") {
      const patience = STAGE_PATIENCE_MS[e.stage];
      this.watchdog = setTimeout(() => this.fail(`${e.stage} is taking more than ${patience / 1000} s; the page may need a reload.`), patience);
    }
  }

  private fail(message: string): void {
    this.state = "failed";
    // What was running has stopped: keep only the stages that finished.
    this.stages = this.stages.filter((s) => s.ms !== undefined);
    this.error = message;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "slipway-app": SlipwayApp;
  }
}

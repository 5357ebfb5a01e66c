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
import "./editor/slipway-editor.ts";
import "./lessons/lesson-panel.ts";
import type { LessonPanel } from "./lessons/lesson-panel.ts";
import { PromptWatcher } from "./lessons/prompt-watcher.ts";
import { engineApiOf } from "./lessons/engine-api.ts";

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
    /* Until the tabbed layout: lessons beside the editor and the terminal. */
    .work {
      flex: 1;
      min-height: 0;
      display: grid;
      grid-template-columns: minmax(14rem, 2fr) minmax(0, 3fr);
      grid-template-rows: minmax(10rem, 2fr) 3fr;
      gap: 0.5rem;
    }
    lesson-panel {
      grid-row: 1 / -1;
      border: 1px solid var(--slipway-border, #d1d9e0);
      border-radius: 6px;
    }
    guest-terminal {
      min-height: 0;
      border: 1px solid var(--slipway-border, #d1d9e0);
      border-radius: 6px;
      overflow: hidden;
    }
  `;

  /** Boot the kernel instead of restoring the snapshot (also `?cold` in the page's URL). */
  @property({ type: Boolean }) cold = new URLSearchParams(location.search).has("cold");
  @property({ reflect: true }) state: "starting" | "ready" | "failed" = "starting";

  @state() private stages: StageRecord[] = [];
  @state() private notices: string[] = [];
  @state() private error = "";

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
      </header>
      <div class="work" @run-in-terminal=${(e: CustomEvent<{ command: string }>) => this.typeCommand(e.detail.command)}>
        <lesson-panel .scripts=${this.ready ? this.guest : undefined} .workspace=${this.ready ? this.guest?.workspace : undefined} .engine=${this.ready ? engineApiOf(this.guest) : undefined}></lesson-panel>
        <slipway-editor .workspace=${this.ready ? this.guest?.workspace : undefined}></slipway-editor>
        <guest-terminal
          @terminal-input=${(e: CustomEvent<string>) => {
            this.prompts.input(e.detail);
            this.guest?.write(e.detail);
          }}
        ></guest-terminal>
      </div>
    `;
  }

  override firstUpdated(): void {
    void this.startGuest();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.watchdog);
    this.prompts.dispose();
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

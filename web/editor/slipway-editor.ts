// <slipway-editor>: the workspace (/root/work in the guest) in Monaco. The file list and the
// open file follow what the shell does; edits are saved to the guest as you type (and on
// Ctrl+S). Build types `docker build` into the terminal, as a learner would.
// Monaco is imported only when the editor is first shown, so the page paints without it.
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { Workspace } from "../guest-connection.ts";
import type { WorkspaceEntry } from "../../worker/browser/workspace-api.ts";
import { buildCommand, isImageName } from "./build-command.ts";
import { languageFor } from "./file-language.ts";

type MonacoModule = typeof import("./monaco-setup.ts");
type Monaco = MonacoModule["monaco"];
type CodeEditor = ReturnType<Monaco["editor"]["create"]>;
type TextModel = NonNullable<ReturnType<CodeEditor["getModel"]>>;

const AUTOSAVE_MS = 500;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

@customElement("slipway-editor")
export class SlipwayEditor extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: minmax(8rem, 14rem) 1fr;
      grid-template-rows: auto 1fr;
      min-height: 12rem;
      border: 1px solid var(--slipway-border, #d1d9e0);
      border-radius: 6px;
      overflow: hidden;
      font: 0.875rem system-ui, sans-serif;
    }
    .toolbar {
      grid-column: 1 / -1;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
      padding: 0.25rem 0.5rem;
      border-bottom: 1px solid var(--slipway-border, #d1d9e0);
    }
    .toolbar .status {
      margin-inline-start: auto;
      opacity: 0.75;
    }
    input.image {
      width: 9rem;
    }
    ul.files {
      list-style: none;
      margin: 0;
      padding: 0.25rem 0;
      overflow: auto;
      border-inline-end: 1px solid var(--slipway-border, #d1d9e0);
    }
    ul.files button {
      all: unset;
      box-sizing: border-box;
      display: block;
      width: 100%;
      padding: 0.125rem 0.5rem;
      cursor: pointer;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    ul.files button:focus-visible {
      outline: 2px solid #0969da;
      outline-offset: -2px;
    }
    ul.files button[aria-current="true"] {
      background: color-mix(in srgb, #0969da 18%, transparent);
    }
    ul.files .dir {
      padding: 0.125rem 0.5rem;
      opacity: 0.7;
    }
    .empty {
      padding: 0.5rem;
      opacity: 0.75;
    }
    .code {
      position: relative;
      min-width: 0;
      min-height: 0;
    }
    .code > .monaco {
      position: absolute;
      inset: 0;
    }
    .code > .placeholder {
      padding: 1rem;
      opacity: 0.75;
    }
  `;

  /** The guest's workspace; the app sets it once the guest runs. */
  @property({ attribute: false }) workspace?: Workspace;
  /** The name `docker build -t` gets. */
  @property({ attribute: "image-name" }) imageName = "myapp";

  @state() private entries: WorkspaceEntry[] = [];
  @state() private current?: string;
  @state() private status = "";
  @state() private monacoState: "idle" | "loading" | "ready" | "failed" = "idle";

  @query(".monaco") private host?: HTMLDivElement;

  private monaco?: Monaco;
  private editor?: CodeEditor;
  /** What each open file holds in the guest, as last read or saved: tells edits from changes in the shell. */
  private onDisk = new Map<string, string>();
  private models = new Map<string, TextModel>();
  private saveTimer?: ReturnType<typeof setTimeout>;
  private watching?: Workspace;
  private visibility?: IntersectionObserver;
  private colourScheme = matchMedia("(prefers-color-scheme: dark)");
  private onScheme = () => this.monaco?.editor.setTheme(this.colourScheme.matches ? "vs-dark" : "vs");

  override render() {
    const files = this.entries;
    return html`
      <div class="toolbar" role="toolbar" aria-label="Editor">
        <label>Image <input class="image" .value=${this.imageName} @input=${(e: Event) => (this.imageName = (e.target as HTMLInputElement).value.trim())} aria-label="Image name" /></label>
        <button class="build" ?disabled=${!isImageName(this.imageName)} @click=${this.build} title="Types docker build into the terminal">Build</button>
        <button class="new-file" ?disabled=${!this.workspace} @click=${this.newFile}>New file</button>
        <span class="status" role="status">${this.status}</span>
      </div>
      <ul class="files" aria-label="Files in /root/work">
        ${files.length === 0 ? html`<li class="empty">${this.workspace ? "/root/work is empty" : "Waiting for the guest…"}</li>` : nothing}
        ${files.map((e) =>
          e.kind === "dir"
            ? html`<li class="dir" style="padding-inline-start:${0.5 + depth(e.path)}rem">${basename(e.path)}/</li>`
            : html`<li>
                <button style="padding-inline-start:${0.5 + depth(e.path)}rem" aria-current=${this.current === e.path ? "true" : "false"} data-path=${e.path} @click=${() => void this.open(e.path)}>
                  ${basename(e.path)}
                </button>
              </li>`,
        )}
      </ul>
      <div class="code">
        ${this.current ? nothing : html`<p class="placeholder">${this.monacoState === "failed" ? "The editor could not load." : "Pick a file to edit."}</p>`}
        <div class="monaco" ?hidden=${!this.current}></div>
      </div>
    `;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.colourScheme.addEventListener("change", this.onScheme);
  }

  override firstUpdated(): void {
    // Load Monaco when the editor is first on screen (a tab may keep it hidden for a while).
    this.visibility = new IntersectionObserver((seen) => {
      if (seen.some((s) => s.isIntersecting)) {
        this.visibility?.disconnect();
        void this.loadMonaco();
      }
    });
    this.visibility.observe(this);
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("workspace") && this.workspace && this.watching !== this.workspace) {
      this.watching = this.workspace;
      void this.workspace.watch((entries) => void this.onWorkspaceChange(entries));
      void this.refresh();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.colourScheme.removeEventListener("change", this.onScheme);
    this.visibility?.disconnect();
    clearTimeout(this.saveTimer);
  }

  /** Opens a workspace file (path relative to /root/work). */
  async open(path: string): Promise<void> {
    if (!this.workspace) return;
    await this.flush();
    const monaco = await this.loadMonaco();
    if (!monaco || !this.editor) return;
    let model = this.models.get(path);
    if (!model) {
      const text = decoder.decode(await this.workspace.read(path));
      this.onDisk.set(path, text);
      model = monaco.editor.createModel(text, languageFor(path), monaco.Uri.file(`/root/work/${path}`));
      model.onDidChangeContent(() => this.scheduleSave(path));
      this.models.set(path, model);
    }
    this.current = path;
    this.editor.setModel(model);
    await this.updateComplete;
    this.editor.layout();
    this.status = "";
  }

  /** The open file's text as the editor has it (also for tests). */
  text(path = this.current): string | undefined {
    return path ? this.models.get(path)?.getValue() : undefined;
  }

  /** Replaces the open file's text, as typing would (saved like any edit). */
  setText(text: string): void {
    const model = this.current ? this.models.get(this.current) : undefined;
    if (!model) throw new Error("no file is open");
    model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
  }

  /** Saves whatever is waiting to be saved, now. */
  async flush(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    for (const [path, model] of this.models) {
      const text = model.getValue();
      if (this.onDisk.get(path) !== text) await this.save(path, text);
    }
  }

  private async loadMonaco(): Promise<Monaco | undefined> {
    if (this.monaco) return this.monaco;
    if (this.monacoState === "loading") {
      await new Promise<void>((resolve) => {
        const check = () => (this.monacoState === "loading" ? setTimeout(check, 50) : resolve());
        check();
      });
      return this.monaco;
    }
    this.monacoState = "loading";
    try {
      const mod: MonacoModule = await import("./monaco-setup.ts");
      this.shadowRoot!.adoptedStyleSheets = [...this.shadowRoot!.adoptedStyleSheets, mod.monacoStyleSheet()];
      await this.updateComplete;
      this.editor = mod.monaco.editor.create(this.host!, {
        automaticLayout: true,
        minimap: { enabled: false },
        fontSize: 14,
        scrollBeyondLastLine: false,
        theme: this.colourScheme.matches ? "vs-dark" : "vs",
        model: null,
      });
      this.editor.addCommand(mod.monaco.KeyMod.CtrlCmd | mod.monaco.KeyCode.KeyS, () => void this.flush());
      this.monaco = mod.monaco;
      this.monacoState = "ready";
      return this.monaco;
    } catch (err) {
      this.monacoState = "failed";
      this.status = `The editor could not load: ${(err as Error).message}`;
      return undefined;
    }
  }

  private scheduleSave(path: string): void {
    if (this.onDisk.get(path) === this.models.get(path)?.getValue()) return;
    this.status = "Editing…";
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.flush(), AUTOSAVE_MS);
  }

  private async save(path: string, text: string): Promise<void> {
    if (!this.workspace) return;
    try {
      this.onDisk.set(path, text);
      await this.workspace.write(path, encoder.encode(text));
      this.status = `Saved ${path}`;
      this.dispatchEvent(new CustomEvent("workspace-saved", { detail: { path }, bubbles: true, composed: true }));
    } catch (err) {
      this.status = `Could not save ${path}: ${(err as Error).message}`;
    }
  }

  private async refresh(): Promise<void> {
    if (!this.workspace) return;
    try {
      await this.onWorkspaceChange(await this.workspace.list());
    } catch (err) {
      this.status = (err as Error).message;
    }
  }

  /** The shell (or a lesson) changed files: list them again and reload open files it changed. */
  private async onWorkspaceChange(entries: WorkspaceEntry[]): Promise<void> {
    this.entries = entries;
    const files = new Set(entries.filter((e) => e.kind === "file").map((e) => e.path));
    for (const [path, model] of [...this.models]) {
      if (!files.has(path)) {
        // Deleted in the shell: close it.
        this.models.delete(path);
        this.onDisk.delete(path);
        if (this.current === path) {
          this.current = undefined;
          this.editor?.setModel(null);
        }
        model.dispose();
        continue;
      }
      const disk = decoder.decode(await this.workspace!.read(path));
      const known = this.onDisk.get(path);
      if (disk === known) continue;
      // Changed in the guest. Unsaved edits win only while they are being typed.
      const edited = model.getValue() !== known;
      this.onDisk.set(path, disk);
      if (!edited) {
        const selection = this.current === path ? this.editor?.getSelection() : null;
        model.pushEditOperations([], [{ range: model.getFullModelRange(), text: disk }], () => null);
        if (selection) this.editor?.setSelection(selection);
      }
    }
    // Open something useful the first time there is something: the Dockerfile, if any.
    if (!this.current && this.monacoState !== "failed") {
      const first = [...files].find((f) => f === "Dockerfile") ?? [...files][0];
      if (first) await this.open(first);
    }
  }

  private build(): void {
    if (!isImageName(this.imageName)) return;
    void this.flush().then(() => {
      this.dispatchEvent(new CustomEvent("run-in-terminal", { detail: { command: buildCommand(this.imageName) }, bubbles: true, composed: true }));
    });
  }

  private async newFile(): Promise<void> {
    const name = prompt("New file in /root/work:", "Dockerfile")?.trim();
    if (!name || !this.workspace) return;
    if (!this.entries.some((e) => e.path === name)) await this.workspace.write(name, new Uint8Array(0));
    await this.refresh();
    await this.open(name);
  }
}

const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1);
const depth = (path: string) => path.split("/").length - 1;

declare global {
  interface HTMLElementTagNameMap {
    "slipway-editor": SlipwayEditor;
  }
}

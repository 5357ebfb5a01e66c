// The guest's console (ttyS0) in an xterm.js terminal: shows what the guest writes,
// sends what is typed or pasted as `terminal-input` events, fits itself to its box.
// screenReaderMode keeps the screen's text in the DOM, for screen readers and tests.
// A serial line carries no window size, so the guest keeps its own idea of rows and
// columns; fitting only changes what the page shows.
import { LitElement, css, html, unsafeCSS } from "lit";
import { customElement, property, query } from "lit/decorators.js";
import { Terminal, type ITheme } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import xtermCss from "@xterm/xterm/css/xterm.css?inline";
import { currentTheme, onThemeChange } from "./terminal-theme.ts";

@customElement("guest-terminal")
export class GuestTerminal extends LitElement {
  static override styles = [
    unsafeCSS(xtermCss),
    css`
      :host {
        display: block;
        position: relative;
        min-height: 10rem;
      }
      .screen {
        position: absolute;
        inset: 0;
      }
    `,
  ];

  /** The accessible name of the terminal. */
  @property() label = "Guest console";

  @query(".screen") private screen!: HTMLDivElement;

  private terminal?: Terminal;
  private readonly fit = new FitAddon();
  private pending: (string | Uint8Array)[] = [];
  private cleanup: (() => void)[] = [];

  override render() {
    return html`<div class="screen" role="region" aria-label=${this.label}></div>`;
  }

  override firstUpdated(): void {
    const terminal = new Terminal({
      screenReaderMode: true,
      cursorBlink: true,
      fontFamily: 'ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
      theme: currentTheme(),
    });
    terminal.loadAddon(this.fit);
    // The size in characters, shown as data-cols and data-rows (for tests and styling).
    const size = terminal.onResize(({ cols, rows }) => Object.assign(this.dataset, { cols, rows }));
    Object.assign(this.dataset, { cols: terminal.cols, rows: terminal.rows });
    terminal.open(this.screen);
    this.fitToBox();
    const input = terminal.onData((data) => this.dispatchEvent(new CustomEvent("terminal-input", { detail: data, bubbles: true, composed: true })));
    const resize = new ResizeObserver(() => this.fitToBox());
    resize.observe(this);
    this.cleanup.push(
      () => input.dispose(),
      () => size.dispose(),
      () => resize.disconnect(),
      onThemeChange((theme) => this.applyTheme(theme)),
      () => terminal.dispose(),
    );
    this.terminal = terminal;
    this.applyTheme(currentTheme());
    for (const chunk of this.pending) terminal.write(chunk);
    this.pending = [];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const fn of this.cleanup.splice(0)) fn();
    this.terminal = undefined;
  }

  /** Shows what the guest wrote (bytes are UTF-8). */
  write(data: string | Uint8Array): void {
    if (this.terminal) this.terminal.write(data);
    else this.pending.push(data);
  }

  override focus(): void {
    this.terminal?.focus();
  }

  private applyTheme(theme: ITheme): void {
    if (this.terminal) this.terminal.options.theme = theme;
    // The box shows below the last whole row: give it the terminal's colour.
    this.style.backgroundColor = theme.background ?? "";
  }

  private fitToBox(): void {
    // A hidden or zero-sized box has nothing to fit to.
    if (this.offsetWidth > 0 && this.offsetHeight > 0) this.fit.fit();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "guest-terminal": GuestTerminal;
  }
}

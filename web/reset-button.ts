// "Reset sandbox": asks first, then forgets everything the sandbox keeps (the saved machine,
// the registry's and the daemon's images, the workspace files) and reloads the page.
import { LitElement, html } from "lit";
import { customElement, query } from "lit/decorators.js";
import { panelStyles } from "./ui-styles.ts";

/** Everything the sandbox stores, by IndexedDB database. Lesson progress is the learner's, not the sandbox's. */
export const SANDBOX_DATABASES = ["slipway-machine", "slipway-registry", "slipway-engine", "slipway-workspace"];

@customElement("reset-button")
export class ResetButton extends LitElement {
  static override styles = panelStyles;

  @query("dialog") private dialog!: HTMLDialogElement;

  override render() {
    return html`
      <button @click=${() => this.dialog.showModal()} aria-haspopup="dialog">Reset sandbox</button>
      <dialog aria-labelledby="reset-title">
        <h2 id="reset-title">Reset the sandbox?</h2>
        <p>This deletes your images, containers, saved machine and workspace files, and starts a fresh machine. Lesson progress stays.</p>
        <form method="dialog">
          <button value="cancel" autofocus>Cancel</button>
          <button value="reset" @click=${this.confirm}>Reset</button>
        </form>
      </dialog>
    `;
  }

  private confirm = (): void => {
    // The app stops the machine (closing its databases), deletes them, and reloads.
    this.dispatchEvent(new CustomEvent("reset-sandbox", { bubbles: true, composed: true }));
  };
}

/** Deletes the sandbox's databases; resolves when each is gone (or blocked by another tab). */
export async function deleteSandboxData(): Promise<void> {
  await Promise.all(
    SANDBOX_DATABASES.map(
      (name) =>
        new Promise<void>((resolve) => {
          const r = indexedDB.deleteDatabase(name);
          r.onsuccess = r.onerror = r.onblocked = () => resolve();
        }),
    ),
  );
}

declare global {
  interface HTMLElementTagNameMap {
    "reset-button": ResetButton;
  }
}

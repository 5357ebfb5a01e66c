// Tells when a command the learner typed has finished: after input that ends a line, the
// shell's prompt shows again in the console output. Debounced, so a burst of prompts (a
// pasted script) makes one call.
const decoder = new TextDecoder();

export class PromptWatcher {
  private armed = false;
  private tail = "";
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly onCommandDone: () => void,
    private readonly prompt = "root@docker-host:",
    private readonly debounceMs = 500,
  ) {}

  /** What the learner typed (terminal input). */
  input(data: string): void {
    if (/[\r\n]/.test(data)) {
      this.armed = true;
      this.tail = "";
    }
  }

  /** What the guest printed. */
  output(bytes: Uint8Array | string): void {
    if (!this.armed) return;
    this.tail = (this.tail + (typeof bytes === "string" ? bytes : decoder.decode(bytes))).slice(-this.prompt.length * 4);
    if (!this.tail.includes(this.prompt)) return;
    this.armed = false;
    this.tail = "";
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onCommandDone, this.debounceMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

// Runs a shell command in the guest's console shell and collects what it prints.
// The script travels through the 9p share (a console line is limited to 4 KiB and
// echoes back); only a short line is typed. Escape-sequence markers, printed by the
// guest, frame the output: the echo of the typed line shows them as literal text,
// so it can never be mistaken for them.
import type { GuestMachine } from "./guest-machine.ts";

export interface ExecResult {
  output: string;
  status: number;
}

const BEGIN = "\x1b]7337;begin\x07";
const END = /\x1b\]7337;end;(\d+)\x07/;

let counter = 0;

export async function consoleExec(machine: GuestMachine, command: string, opts: { timeoutMs?: number; onOutput?: (text: string) => void } = {}): Promise<ExecResult> {
  const id = `${Date.now().toString(36)}-${++counter}`;
  const file = `.exec-${id}.sh`;
  await machine.writeSharedFile(file, new TextEncoder().encode(command + "\n"));
  // -onlcr: the guest's own newlines, not the tty's \r\n. stdin is /dev/null: nothing types into an exec.
  const line =
    ` stty -onlcr; printf '\\033]7337;begin\\007'; sh /mnt/host/${file} </dev/null; ` +
    `printf '\\033]7337;end;%d\\007' $?; rm -f /mnt/host/${file}; stty onlcr\n`;

  return new Promise<ExecResult>((resolve, reject) => {
    const decoder = new TextDecoder();
    let seen = "";
    let emitted = 0;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`slipway exec: the command did not finish within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs ?? 120_000);
    const off = machine.onConsoleOutput((bytes) => {
      seen += decoder.decode(bytes, { stream: true });
      const start = seen.indexOf(BEGIN);
      if (start < 0) return;
      const body = seen.slice(start + BEGIN.length);
      const end = END.exec(body);
      const text = end ? body.slice(0, end.index) : body;
      if (opts.onOutput && text.length > emitted) {
        // Hold back a partial marker so it is never printed.
        const safe = end ? text.length : Math.max(emitted, text.lastIndexOf("\x1b") >= 0 ? text.lastIndexOf("\x1b") : text.length);
        opts.onOutput(text.slice(emitted, safe));
        emitted = safe;
      }
      if (end) {
        clearTimeout(timer);
        off();
        resolve({ output: text, status: Number(end[1]) });
      }
    });
    machine.sendConsole(line);
  });
}

// Variable substitution as Docker's shell lexer (buildkit frontend/dockerfile/shell)
// does it for ENV, ARG, COPY, WORKDIR and friends: quotes are removed, $VAR and
// ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt}, ${VAR+alt}, ${VAR:?msg}
// are replaced, the escape character makes the next one literal. RUN, CMD and
// ENTRYPOINT are never expanded here: their shell does it.

export type Env = Map<string, string>;

export function envFrom(list: string[] | undefined): Env {
  const m = new Map<string, string>();
  for (const kv of list ?? []) {
    const i = kv.indexOf("=");
    if (i > 0) m.set(kv.slice(0, i), kv.slice(i + 1));
    else m.set(kv, "");
  }
  return m;
}

class Lexer {
  private i = 0;
  /** Words split on unquoted whitespace, when asked for. */
  words: string[] = [];
  private word = "";
  private inWord = false;

  constructor(private readonly s: string, private readonly env: Env, private readonly escape: string, private readonly split: boolean) {}

  private peek(): string {
    return this.s[this.i] ?? "";
  }

  private emit(ch: string): void {
    this.word += ch;
    this.inWord = true;
  }

  run(stopOn = ""): string {
    let out = "";
    const start = this.word;
    this.word = "";
    while (this.i < this.s.length) {
      const ch = this.s[this.i];
      if (stopOn && ch === stopOn) {
        this.i++;
        break;
      }
      this.i++;
      if (ch === "'" && !stopOn) this.emit(this.singleQuoted());
      else if (ch === '"' && !stopOn) this.emit(this.doubleQuoted());
      else if (ch === "$") this.emit(this.dollar());
      else if (ch === this.escape) {
        if (this.i < this.s.length) this.emit(this.s[this.i++]);
        else this.emit(ch);
      } else if (this.split && !stopOn && /\s/.test(ch)) {
        if (this.inWord) this.words.push(this.word);
        this.word = "";
        this.inWord = false;
      } else this.emit(ch);
    }
    out = this.word;
    if (this.split && !stopOn && this.inWord) this.words.push(this.word);
    this.word = stopOn ? start : "";
    return out;
  }

  private singleQuoted(): string {
    const end = this.s.indexOf("'", this.i);
    if (end < 0) throw new Error("unexpected end of statement while looking for matching single-quote");
    const v = this.s.slice(this.i, end);
    this.i = end + 1;
    return v;
  }

  private doubleQuoted(): string {
    let v = "";
    for (;;) {
      if (this.i >= this.s.length) throw new Error("unexpected end of statement while looking for matching double-quote");
      const ch = this.s[this.i++];
      if (ch === '"') return v;
      if (ch === "$") v += this.dollar();
      else if (ch === this.escape) {
        const n = this.peek();
        if (n === '"' || n === "$" || n === this.escape) {
          v += n;
          this.i++;
        } else v += ch;
      } else v += ch;
    }
  }

  private name(): string {
    const m = /^[A-Za-z0-9_]+/.exec(this.s.slice(this.i));
    if (!m) return "";
    this.i += m[0].length;
    return m[0];
  }

  private dollar(): string {
    if (this.peek() !== "{") {
      const n = this.name();
      return n ? (this.env.get(n) ?? "") : "$";
    }
    this.i++;
    const n = this.name();
    if (!n) throw new Error(`bad substitution`);
    const c = this.peek();
    if (c === "}") {
      this.i++;
      return this.env.get(n) ?? "";
    }
    let op = c;
    this.i++;
    if (op === ":") {
      op += this.peek();
      this.i++;
    }
    // The word after the operator is itself expanded, up to the closing brace.
    const sub = new Lexer(this.s, this.env, this.escape, false);
    sub.i = this.i;
    const word = sub.run("}");
    this.i = sub.i;
    const set = this.env.has(n);
    const value = this.env.get(n) ?? "";
    switch (op) {
      case ":-":
        return set && value !== "" ? value : word;
      case "-":
        return set ? value : word;
      case ":+":
        return set && value !== "" ? word : "";
      case "+":
        return set ? word : "";
      case ":?":
      case "?":
        if (op === ":?" ? !set || value === "" : !set) throw new Error(`${n}: ${word || "is not allowed to be unset"}`);
        return value;
      default:
        throw new Error(`unsupported modifier (${op}) in substitution`);
    }
  }
}

/** One word, quotes removed and variables replaced. */
export function expandWord(word: string, env: Env, escape = "\\"): string {
  return new Lexer(word, env, escape, false).run();
}

/** Several words, split on unquoted whitespace after substitution (EXPOSE, VOLUME, shell-form COPY). */
export function expandWords(s: string, env: Env, escape = "\\"): string[] {
  const l = new Lexer(s, env, escape, true);
  l.run();
  return l.words;
}

/**
 * Splits on unquoted whitespace without touching quotes or variables: how the
 * parser cuts `ENV a="x y" b=2` into name=value words before they are expanded.
 */
export function splitRaw(s: string, escape = "\\"): string[] {
  const words: string[] = [];
  let w = "";
  let quote = "";
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      w += ch;
      if (ch === escape && quote === '"' && i + 1 < s.length) w += s[++i];
      else if (ch === quote) quote = "";
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(w);
      w = "";
      inWord = false;
      continue;
    }
    inWord = true;
    w += ch;
    if (ch === escape && i + 1 < s.length) w += s[++i];
    else if (ch === '"' || ch === "'") quote = ch;
  }
  if (inWord) words.push(w);
  return words;
}

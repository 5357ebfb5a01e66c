// Dockerfile parsing as buildkit's frontend/dockerfile/parser and instructions
// packages do it (the classic builder uses them too): parser directives at the top,
// comments, line continuations with the escape character, one instruction per logical
// line with its line numbers, exec (JSON) and shell forms, and errors in Docker's words.
// dockerfile-ast (npm) was looked at: it is made for editors, accepts anything and
// gives no Docker errors, so this small parser follows buildkit directly.
import { splitRaw } from "./expand.ts";

export class DockerfileError extends Error {}

export interface Instruction {
  /** Upper case: FROM, RUN, … */
  keyword: string;
  /** What follows the keyword and its flags, continuations joined. */
  rest: string;
  /** The logical line as written (continuations removed): what "Step n/m :" prints. */
  original: string;
  /** --name=value flags before the arguments. */
  flags: Record<string, string>;
  /** Set when the arguments are a JSON string array (exec form). */
  json?: string[];
  startLine: number;
  endLine: number;
}

export interface Dockerfile {
  escape: string;
  directives: Record<string, string>;
  instructions: Instruction[];
}

const KNOWN = new Set(["ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"]);
/** Which flags each instruction accepts; any other is "unknown flag". */
const FLAGS: Record<string, string[]> = {
  FROM: ["platform"],
  COPY: ["from", "chown", "chmod", "link"],
  ADD: ["chown", "chmod", "link", "checksum", "keep-git-dir"],
  RUN: ["mount", "network", "security"],
  HEALTHCHECK: ["interval", "timeout", "start-period", "start-interval", "retries"],
};
/** Instructions whose arguments may be a JSON array. */
const JSON_FORM = new Set(["RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"]);

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const directives: Record<string, string> = {};
  let escape = "\\";
  let i = 0;
  // Directives count only before anything else, comments included.
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) break;
    const key = m[1].toLowerCase();
    if (key !== "escape" && key !== "syntax" && key !== "check") break;
    if (key in directives) throw new DockerfileError(`only one ${key} parser directive can be used`);
    directives[key] = m[2];
    if (key === "escape") {
      if (m[2] !== "`" && m[2] !== "\\") throw new DockerfileError(`invalid escape token '${m[2]}' does not match ${"`"} or \\`);
      escape = m[2];
    }
  }
  const cont = new RegExp(`\\${escape}[ \\t]*$`);
  const isComment = (l: string) => /^\s*#/.test(l);
  const instructions: Instruction[] = [];
  while (i < lines.length) {
    const startLine = i + 1;
    let raw = lines[i++];
    if (isComment(raw)) continue;
    raw = raw.replace(/^\s+/, "");
    if (!raw) continue;
    let line = raw;
    let more = cont.test(line);
    if (more) line = line.replace(cont, "");
    while (more && i < lines.length) {
      const next = lines[i++];
      // Comments and empty lines inside a continuation are skipped, as Docker does.
      if (isComment(next) || !next.trim()) continue;
      more = cont.test(next);
      line += more ? next.replace(cont, "") : next;
    }
    if (!line.trim()) continue;
    instructions.push(parseLine(line, startLine, i, escape));
  }
  if (!instructions.length) throw new DockerfileError("file with no instructions");
  return { escape, directives, instructions };
}

function parseLine(line: string, startLine: number, endLine: number, escape: string): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(line.trim())!;
  const keyword = m[1].toUpperCase();
  const fail = (msg: string) => new DockerfileError(`dockerfile parse error on line ${startLine}: ${msg}`);
  if (!KNOWN.has(keyword)) throw fail(`unknown instruction: ${m[1].toUpperCase()}`);
  let rest = m[2];
  const flags: Record<string, string> = {};
  // Flags come first: --name=value words, until the first word that is not one.
  for (;;) {
    const f = /^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!f || keyword === "ONBUILD") break;
    if (!(FLAGS[keyword] ?? []).includes(f[1])) throw fail(`unknown flag: ${f[1]}`);
    flags[f[1]] = f[2] ?? "true";
    rest = rest.slice(f[0].length);
  }
  const ins: Instruction = { keyword, rest: rest.trim(), original: line, flags, startLine, endLine };
  if (JSON_FORM.has(keyword) || (keyword === "HEALTHCHECK" && /^CMD\s/i.test(rest))) {
    const body = keyword === "HEALTHCHECK" ? rest.trim().replace(/^CMD\s+/i, "") : rest.trim();
    if (body.startsWith("[")) {
      try {
        const v = JSON.parse(body);
        if (Array.isArray(v) && v.every((x) => typeof x === "string")) ins.json = v;
      } catch {
        // Not JSON: shell form, as Docker falls back to.
      }
    }
  }
  validate(ins, fail, escape);
  return ins;
}

function validate(ins: Instruction, fail: (m: string) => Error, escape: string): void {
  const words = splitRaw(ins.rest, escape);
  const k = ins.keyword;
  const atLeastOne = () => {
    if (!ins.rest) throw fail(`${k} requires at least one argument`);
  };
  switch (k) {
    case "FROM":
      if (words.length !== 1 && !(words.length === 3 && words[1].toLowerCase() === "as")) throw fail("FROM requires either one or three arguments");
      break;
    case "COPY":
    case "ADD": {
      const n = ins.json ? ins.json.length : words.length;
      if (n < 2) throw fail(`${k} requires at least two arguments, but only one was provided. Destination could not be determined.`);
      break;
    }
    case "ENV":
    case "LABEL":
      atLeastOne();
      if (words[0].includes("=")) {
        for (const w of words) {
          if (!w.includes("=")) throw fail(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
          if (w.startsWith("=")) throw fail(`${k} names can not be blank`);
        }
      } else if (k === "ENV" && words.length < 2) throw fail("ENV must have two arguments");
      else if (k === "LABEL" && words.length < 2) throw fail(`LABEL requires at least one argument`);
      break;
    case "WORKDIR":
    case "USER":
    case "STOPSIGNAL":
    case "MAINTAINER":
      if (words.length !== 1) throw fail(`${k} requires exactly one argument`);
      break;
    case "SHELL":
      if (!ins.json) throw fail("SHELL requires the arguments to be in JSON form");
      if (!ins.json.length) throw fail("SHELL requires at least one argument");
      break;
    case "HEALTHCHECK": {
      const t = words[0]?.toUpperCase();
      if (t !== "NONE" && t !== "CMD") throw fail(`Unknown type "${t ?? ""}" in HEALTHCHECK (try CMD)`);
      if (t === "NONE" && words.length > 1) throw fail("HEALTHCHECK NONE takes no arguments");
      break;
    }
    case "ARG":
      atLeastOne();
      break;
    default:
      atLeastOne();
  }
}

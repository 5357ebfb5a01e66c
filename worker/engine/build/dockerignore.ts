// .dockerignore as moby/patternmatcher reads it: one pattern a line, # comments, "!"
// re-includes, "*" and "?" within one path component, "**" across any number, and a
// pattern that matches a parent directory matches everything under it. The last
// matching pattern wins. (@balena/dockerignore follows node-ignore's API and rules;
// the daemon needs patternmatcher's exact ones, which fit in a page.)

interface Pattern {
  re: RegExp;
  exclusion: boolean;
}

export class DockerIgnore {
  private patterns: Pattern[];

  constructor(text: string) {
    this.patterns = [];
    for (let line of text.split(/\r?\n/)) {
      line = line.trim();
      if (!line || line.startsWith("#")) continue;
      let exclusion = false;
      if (line.startsWith("!")) {
        exclusion = true;
        line = line.slice(1).trim();
      }
      line = clean(line);
      if (!line) continue;
      this.patterns.push({ re: compile(line), exclusion });
    }
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** True when the path (relative to the context root) is excluded from the context. */
  ignores(path: string): boolean {
    const file = clean(path);
    const parent = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
    const parentDirs = parent ? parent.split("/") : [];
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      let match = p.re.test(file);
      if (!match) {
        for (let i = 1; i <= parentDirs.length && !match; i++) match = p.re.test(parentDirs.slice(0, i).join("/"));
      }
      if (match) matched = !p.exclusion;
    }
    return matched;
  }
}

/** filepath.Clean, then without a leading slash: patterns are relative to the context. */
function clean(p: string): string {
  const parts: string[] = [];
  for (const c of p.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") parts.pop();
    else parts.push(c);
  }
  return parts.join("/");
}

function compile(pattern: string): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") {
      if (pattern[i + 1] === "*") {
        i++;
        if (pattern[i + 1] === "/") i++;
        re += i + 1 >= pattern.length ? ".*" : "(.*/)?";
      } else re += "[^/]*";
    } else if (ch === "?") re += "[^/]";
    else if (ch === "\\" && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += "[" + pattern.slice(i + 1, end).replace(/^!/, "^") + "]";
        i = end;
      }
    } else re += escapeRe(ch);
  }
  return new RegExp(re + "$");
}

const escapeRe = (c: string) => c.replace(/[.+^${}()|[\]\\]/g, "\\$&");

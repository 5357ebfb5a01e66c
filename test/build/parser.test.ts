// The builder's parts on their own: Dockerfile parsing with Docker's errors, the
// shell lexer's substitution, .dockerignore patterns, and tar in and out.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseDockerfile } from "../../worker/engine/build/dockerfile-parser.ts";
import { envFrom, expandWord, expandWords } from "../../worker/engine/build/expand.ts";
import { DockerIgnore } from "../../worker/engine/build/dockerignore.ts";
import { readTar, writeTar } from "../../worker/engine/build/tar.ts";
import { RootFs } from "../../worker/engine/build/rootfs.ts";

describe("build: Dockerfile parser", () => {
  test("continuations, comments, line numbers, exec and shell forms", () => {
    const df = parseDockerfile(`# a comment
FROM busybox AS base

RUN echo a \\
    # comment inside
    b
CMD ["sh", "-c", "echo hi"]
ENTRYPOINT [not json
COPY --from=base --chown=1:2 /a /b
`);
    const [from, run, cmd, ep, copy] = df.instructions;
    assert.equal(from.keyword, "FROM");
    assert.equal(from.startLine, 2);
    assert.equal(run.original, "RUN echo a     b");
    assert.equal(run.startLine, 4);
    assert.equal(run.endLine, 6);
    assert.deepEqual(cmd.json, ["sh", "-c", "echo hi"]);
    assert.equal(ep.json, undefined);
    assert.deepEqual(copy.flags, { from: "base", chown: "1:2" });
    assert.equal(copy.rest, "/a /b");
  });

  test("the escape directive", () => {
    const df = parseDockerfile("# escape=`\nFROM busybox\nRUN echo a `\n  b\nCOPY a\\b c\\\n");
    assert.equal(df.escape, "`");
    assert.equal(df.instructions[1].original, "RUN echo a   b");
    assert.equal(df.instructions[2].rest, "a\\b c\\");
  });

  test("errors carry the line number and Docker's wording", () => {
    assert.throws(() => parseDockerfile("FROM busybox\n\nFORM x\n"), { message: "dockerfile parse error on line 3: unknown instruction: FORM" });
    assert.throws(() => parseDockerfile("FROM busybox\nCOPY onlyone\n"), { message: "dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined." });
    assert.throws(() => parseDockerfile("FROM a b\n"), { message: "dockerfile parse error on line 1: FROM requires either one or three arguments" });
    assert.throws(() => parseDockerfile("FROM a\nENV a=1 b\n"), /line 2: Syntax error - can't find = in "b"/);
    assert.throws(() => parseDockerfile("FROM a\nRUN --bogus=1 true\n"), /line 2: unknown flag: bogus/);
    assert.throws(() => parseDockerfile("\n# only\n"), { message: "file with no instructions" });
  });
});

describe("build: variable substitution", () => {
  const env = envFrom(["A=1", "EMPTY=", "P=/app"]);
  test("$VAR, ${VAR}, defaults and alternatives", () => {
    assert.equal(expandWord("$A-${A}x", env), "1-1x");
    assert.equal(expandWord("${NOPE:-dflt}|${EMPTY:-d}|${EMPTY-d}|${A:+alt}|${NOPE+alt}", env), "dflt|d||alt|");
    assert.equal(expandWord("${P}/bin", env), "/app/bin");
  });
  test("quotes and escapes as the shell lexer treats them", () => {
    assert.equal(expandWord(`'$A' "$A b" \\$A`, env), `$A 1 b $A`);
    assert.deepEqual(expandWords(`80 "443/tcp" $A`, env), ["80", "443/tcp", "1"]);
    assert.throws(() => expandWord("${NOPE:?must be set}", env), /NOPE: must be set/);
  });
});

describe("build: .dockerignore", () => {
  test("patterns as moby/patternmatcher matches them", () => {
    const ig = new DockerIgnore("# c\n*.log\nnode_modules\n**/secret*\n!keep.log\ndocs/*.md\n");
    assert.ok(ig.ignores("a.log"));
    assert.ok(!ig.ignores("keep.log"));
    assert.ok(ig.ignores("node_modules/x/y.js"));
    assert.ok(ig.ignores("deep/dir/secret.txt"));
    assert.ok(ig.ignores("docs/a.md"));
    assert.ok(!ig.ignores("docs/sub/a.md"));
    assert.ok(!ig.ignores("src/a.ts"));
  });
});

describe("build: tar", () => {
  test("writes and reads back, long names through PAX", async () => {
    const long = "d/" + "x".repeat(150);
    const tar = writeTar([
      { header: { name: "d", type: "dir", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 1 }, data: new Uint8Array(0) },
      { header: { name: long, type: "file", mode: 0o644, uid: 1, gid: 2, size: 3, mtime: 2 }, data: new TextEncoder().encode("abc") },
      { header: { name: "l", type: "symlink", mode: 0o777, uid: 0, gid: 0, size: 0, mtime: 2, linkname: "d" }, data: new Uint8Array(0) },
    ]);
    const got = [];
    for await (const e of readTar(tar)) got.push(e);
    assert.deepEqual(got.map((e) => [e.header.name, e.header.type]), [["d", "dir"], [long, "file"], ["l", "symlink"]]);
    assert.equal(new TextDecoder().decode(got[1].data), "abc");
    assert.equal(got[1].header.uid, 1);
    assert.equal(got[2].header.linkname, "d");
  });

  test("whiteouts and opaque directories remove what lower layers had", async () => {
    const f = (name: string, type: "file" | "dir" = "file") => ({ header: { name, type, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0 }, data: new Uint8Array(0) });
    const fs = new RootFs();
    await fs.apply(writeTar([f("a", "dir"), f("a/1"), f("a/2"), f("b", "dir"), f("b/x"), f("c")]));
    await fs.apply(writeTar([f("a", "dir"), f("a/.wh..wh..opq"), f("a/3"), f(".wh.c"), f("b/.wh.x")]));
    assert.deepEqual([...fs.entries.keys()].sort(), ["a", "a/3", "b"]);
  });
});

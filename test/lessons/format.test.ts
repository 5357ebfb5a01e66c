// Every lesson under lessons/ is in the format docs/WRITING-LESSONS.md describes: front matter
// fields, a verify.sh and a solve.sh per step (executable, valid sh), a closing finish.md, and
// Markdown that renders without any raw HTML. Fast: no guest (test/browser/lessons.test.ts runs them).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadLessons, splitFrontMatter } from "../../web/lessons/lesson-format.ts";
import { renderInlineUnsanitised, renderMarkdownUnsanitised } from "../../web/lessons/markdown-render.ts";

const root = fileURLToPath(new URL("../../lessons/", import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

const paths = walk(root).map((p) => relative(root, p));
const files = Object.fromEntries(paths.map((p) => [p, readFileSync(join(root, p), "utf8")]));
const { lessons, problems } = loadLessons(files);
const lessonDirs = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

/** What markdown-it itself writes; anything else would have come from the lesson's text. */
const TAGS = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "code", "pre", "strong", "em", "a", "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "s", "img", "div", "button"]);
const ATTRS = new Set(["href", "class", "src", "alt", "title", "start", "type", "data-run", "style"]);

function rawHtmlIn(html: string): string[] {
  const bad: string[] = [];
  for (const m of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    if (!TAGS.has(m[1].toLowerCase())) bad.push(m[0]);
    for (const a of m[2].matchAll(/([\w-]+)=/g)) if (!ATTRS.has(a[1].toLowerCase())) bad.push(m[0]);
    if (/style=/.test(m[2]) && !/^<t[hd] style="text-align:(left|right|center)"/.test(m[0])) bad.push(m[0]);
  }
  for (const m of html.matchAll(/href="([^"]*)"/g)) if (/^\s*(javascript|data|vbscript):/i.test(m[1])) bad.push(m[0]);
  return bad;
}

describe("lesson format", () => {
  it("reads every lesson folder without a problem", () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(lessons.map((l) => l.id), lessonDirs.sort());
    assert.ok(lessons.length >= 1);
  });

  for (const lesson of lessons) {
    describe(lesson.id, () => {
      it("has title, time, level and what you'll learn", () => {
        assert.ok(lesson.meta.title.trim());
        assert.match(lesson.meta.time, /\d/);
        assert.ok(["beginner", "intermediate", "advanced"].includes(lesson.meta.level));
        assert.ok(lesson.meta.learn.length > 0);
      });

      it("closes with what really happened, pointing to the Architecture and Explorer views", () => {
        assert.match(lesson.finish, /what really happened/i);
        assert.match(lesson.finish, /Architecture|Explorer/);
      });

      for (const step of lesson.steps) {
        it(`step ${step.id}: title, verify.sh and solve.sh (executable, valid sh)`, () => {
          assert.ok(step.title.trim());
          const dir = join(root, lesson.id, "steps", step.id);
          for (const script of ["verify.sh", "solve.sh"]) {
            const path = join(dir, script);
            const mode = statSync(path).mode;
            assert.ok(mode & 0o100, `${script} is not executable`);
            const text = readFileSync(path, "utf8");
            assert.match(text, /^#!\/bin\/sh\n/, `${script} starts with #!/bin/sh`);
            const check = spawnSync("sh", ["-n", path], { encoding: "utf8" });
            assert.equal(check.status, 0, `${script}: ${check.stderr}`);
          }
          if (step.api) assert.match(step.api.get, /^\/[\w/{}.?=&%-]*$/);
        });
      }

      it("renders its Markdown without raw HTML", () => {
        const texts = [lesson.intro, lesson.finish, ...lesson.steps.map((s) => s.body)];
        for (const text of texts) assert.deepEqual(rawHtmlIn(renderMarkdownUnsanitised(text).html), []);
        for (const line of [...lesson.meta.learn, ...lesson.steps.flatMap((s) => s.hints)]) assert.deepEqual(rawHtmlIn(renderInlineUnsanitised(line)), []);
      });

      it("has starter files only as text under files/", () => {
        for (const f of lesson.files) assert.ok(!f.path.includes(".."), f.path);
      });
    });
  }
});

describe("lesson Markdown", () => {
  it("shows raw HTML as text, never as markup", () => {
    const { html } = renderMarkdownUnsanitised('Hi <script>alert(1)</script> <img src=x onerror="alert(2)">\n\n<iframe src="https://example.com"></iframe>\n\n[x](javascript:alert(3))');
    assert.deepEqual(rawHtmlIn(html), []);
    assert.ok(!/<script|<iframe|<img/i.test(html), html);
    assert.match(html, /&lt;script&gt;/);
  });

  it("gives runnable blocks a Run button and keeps their commands", () => {
    const { html, commands } = renderMarkdownUnsanitised("```bash runnable\ndocker ps\n```\n\n```bash\nnot runnable\n```\n\n```sh runnable\necho <b>\n```\n");
    assert.deepEqual(commands, ["docker ps\n", "echo <b>\n"]);
    assert.equal(html.match(/<button/g)?.length, 2);
    assert.match(html, /data-run="0"/);
    assert.match(html, /data-run="1"/);
    assert.match(html, /class="language-bash"/);
    assert.match(html, /echo &lt;b&gt;/);
  });

  it("reads front matter, and text without it", () => {
    assert.deepEqual(splitFrontMatter("---\ntitle: A\nhints:\n  - one\n---\nBody\n"), { data: { title: "A", hints: ["one"] }, body: "Body\n" });
    assert.deepEqual(splitFrontMatter("No front matter"), { data: {}, body: "No front matter" });
  });

  it("reports a lesson that breaks the format", () => {
    const { lessons: ok, problems: found } = loadLessons({
      "x/lesson.md": "---\ntitle: X\nlevel: expert\n---\nIntro",
      "x/steps/01-a/step.md": "---\ntitle: A\n---\nDo it",
      "x/steps/01-a/verify.sh": "#!/bin/sh\ntrue\n",
    });
    assert.deepEqual(ok, []);
    assert.ok(found.some((p) => /time/.test(p)));
    assert.ok(found.some((p) => /level/.test(p)));
    assert.ok(found.some((p) => /learn/.test(p)));
    assert.ok(found.some((p) => /solve\.sh/.test(p)));
    assert.ok(found.some((p) => /finish\.md/.test(p)));
  });
});

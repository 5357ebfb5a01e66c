// For browser tests: GET /lesson-files.json is every file under lessons/ as {path: text}
// (paths relative to lessons/), so a test can read the lessons as the page bundles them.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export function lessonFiles(lessonsDir) {
  return async function (ctx, next) {
    if (ctx.path !== "/lesson-files.json") return next();
    const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
    const files = Object.fromEntries(walk(lessonsDir).map((p) => [relative(lessonsDir, p), readFileSync(p, "utf8")]));
    ctx.type = "application/json";
    ctx.body = JSON.stringify(files);
  };
}

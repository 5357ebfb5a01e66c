// For browser tests: GET /lesson-files.json is every file under lessons/ as {path: text}
// (paths relative to lessons/), so a test can read the lessons as the page bundles them.
// LESSONS=01-hello-container,05-first-dockerfile in the environment keeps only those lessons.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export function lessonFiles(lessonsDir) {
  return async function (ctx, next) {
    if (ctx.path !== "/lesson-files.json") return next();
    const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
    const only = process.env.LESSONS?.split(",").filter(Boolean);
    const paths = walk(lessonsDir).map((p) => relative(lessonsDir, p)).filter((p) => !only || only.includes(p.split("/")[0]));
    const files = Object.fromEntries(paths.map((p) => [p, readFileSync(join(lessonsDir, p), "utf8")]));
    ctx.type = "application/json";
    ctx.body = JSON.stringify(files);
  };
}

// The lesson format (docs/WRITING-LESSONS.md), from files to typed lessons. Pure: the page
// feeds it the files vite bundled, the format test feeds it the files on disk.
//
//   lessons/<lesson-id>/lesson.md                 front matter: title, time, level, learn; then the intro
//   lessons/<lesson-id>/steps/<NN-slug>/step.md   front matter: title, hints, api: {get, contains}
//   lessons/<lesson-id>/steps/<NN-slug>/verify.sh exit 0 passes; its output is the hint
//   lessons/<lesson-id>/steps/<NN-slug>/solve.sh  does the step (tests, and "Show me")
//   lessons/<lesson-id>/finish.md                 what really happened
//   lessons/<lesson-id>/files/**                  starter files for /root/work
import { parse as parseYaml } from "yaml";

export const LEVELS = ["beginner", "intermediate", "advanced"] as const;
export type Level = (typeof LEVELS)[number];

export interface LessonMeta {
  title: string;
  /** How long it takes, as the author says it ("10 minutes"). */
  time: string;
  level: Level;
  /** What you'll learn (Markdown, one line each). */
  learn: string[];
}

/** A check against the Docker Engine API: GET the path; the body must contain the text. */
export interface ApiCheck {
  get: string;
  contains: string;
}

export interface LessonStep {
  /** The step's folder name, e.g. "01-run-hello-world". */
  id: string;
  title: string;
  hints: string[];
  api?: ApiCheck;
  /** The step's text (Markdown, front matter removed). */
  body: string;
  verify?: string;
  solve?: string;
}

export interface Lesson {
  /** The lesson's folder name, e.g. "01-hello-container". */
  id: string;
  meta: LessonMeta;
  intro: string;
  steps: LessonStep[];
  finish: string;
  /** Starter files for the workspace, paths relative to files/. */
  files: { path: string; text: string }[];
}

export interface LoadedLessons {
  lessons: Lesson[];
  /** What is wrong with the lessons' files; lessons with a problem are left out. */
  problems: string[];
}

/** Splits `---\nyaml\n---\nbody`. Text without front matter has empty data. */
export function splitFrontMatter(text: string): { data: Record<string, unknown>; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) return { data: {}, body: text };
  const data = parseYaml(m[1]) ?? {};
  if (typeof data !== "object" || Array.isArray(data)) throw new Error("front matter must be a YAML mapping");
  return { data: data as Record<string, unknown>, body: text.slice(m[0].length) };
}

/**
 * Builds lessons from their files: keys are paths relative to lessons/ ("01-hello/lesson.md"),
 * values the files' text. Lessons and steps are ordered by folder name.
 */
export function loadLessons(files: Record<string, string>): LoadedLessons {
  const problems: string[] = [];
  const byLesson = new Map<string, Map<string, string>>();
  for (const [path, text] of Object.entries(files)) {
    const slash = path.indexOf("/");
    if (slash < 0) continue; // lessons/README.md and the like
    const id = path.slice(0, slash);
    if (!byLesson.has(id)) byLesson.set(id, new Map());
    byLesson.get(id)!.set(path.slice(slash + 1), text);
  }
  const lessons: Lesson[] = [];
  for (const id of [...byLesson.keys()].sort()) {
    const before = problems.length;
    const lesson = loadLesson(id, byLesson.get(id)!, (p) => problems.push(`${id}: ${p}`));
    if (lesson && problems.length === before) lessons.push(lesson);
  }
  return { lessons, problems };
}

function loadLesson(id: string, files: Map<string, string>, problem: (text: string) => void): Lesson | undefined {
  const lessonMd = files.get("lesson.md");
  if (lessonMd === undefined) {
    problem("lesson.md is missing");
    return undefined;
  }
  let front: ReturnType<typeof splitFrontMatter>;
  try {
    front = splitFrontMatter(lessonMd);
  } catch (err) {
    problem(`lesson.md: ${(err as Error).message}`);
    return undefined;
  }
  const meta = lessonMeta(front.data, (p) => problem(`lesson.md: ${p}`));

  const stepIds = new Set<string>();
  for (const path of files.keys()) {
    const m = /^steps\/([^/]+)\//.exec(path);
    if (m) stepIds.add(m[1]);
  }
  if (stepIds.size === 0) problem("no steps (steps/<NN-slug>/step.md)");
  const steps: LessonStep[] = [];
  for (const stepId of [...stepIds].sort()) {
    const step = loadStep(stepId, files, (p) => problem(`steps/${stepId}/${p}`));
    if (step) steps.push(step);
  }
  const finish = files.get("finish.md");
  if (finish === undefined) problem("finish.md is missing (a short 'what really happened')");

  const starter = [...files.entries()].filter(([p]) => p.startsWith("files/")).map(([p, text]) => ({ path: p.slice("files/".length), text }));
  return meta ? { id, meta, intro: front.body.trim(), steps, finish: (finish ?? "").trim(), files: starter } : undefined;
}

function lessonMeta(data: Record<string, unknown>, problem: (text: string) => void): LessonMeta | undefined {
  const { title, time, level, learn } = data;
  const ok = [
    typeof title === "string" && title.trim() !== "" ? true : problem("front matter needs a title"),
    typeof time === "string" && time.trim() !== "" ? true : problem("front matter needs a time (e.g. \"10 minutes\")"),
    typeof level === "string" && (LEVELS as readonly string[]).includes(level) ? true : problem(`front matter needs a level: one of ${LEVELS.join(", ")}`),
    Array.isArray(learn) && learn.length > 0 && learn.every((l) => typeof l === "string") ? true : problem("front matter needs learn: a list of what you'll learn"),
  ].every((x) => x === true);
  return ok ? { title: title as string, time: time as string, level: level as Level, learn: learn as string[] } : undefined;
}

function loadStep(id: string, files: Map<string, string>, problem: (text: string) => void): LessonStep | undefined {
  const text = files.get(`steps/${id}/step.md`);
  if (text === undefined) {
    problem("step.md is missing");
    return undefined;
  }
  let front: ReturnType<typeof splitFrontMatter>;
  try {
    front = splitFrontMatter(text);
  } catch (err) {
    problem(`step.md: ${(err as Error).message}`);
    return undefined;
  }
  const { title, hints = [], api } = front.data as { title?: unknown; hints?: unknown; api?: unknown };
  if (typeof title !== "string" || !title.trim()) problem("step.md: front matter needs a title");
  if (!Array.isArray(hints) || !hints.every((h) => typeof h === "string")) problem("step.md: hints must be a list of strings");
  let apiCheck: ApiCheck | undefined;
  if (api !== undefined) {
    const a = api as Record<string, unknown>;
    if (typeof a !== "object" || a === null || typeof a.get !== "string" || !a.get.startsWith("/") || typeof a.contains !== "string" || !a.contains) {
      problem("step.md: api must be {get: /path, contains: text}");
    } else apiCheck = { get: a.get, contains: a.contains };
  }
  const verify = files.get(`steps/${id}/verify.sh`);
  const solve = files.get(`steps/${id}/solve.sh`);
  if (verify === undefined && apiCheck === undefined) problem("needs a verify.sh or an api check");
  if (solve === undefined) problem("solve.sh is missing");
  return {
    id,
    title: typeof title === "string" ? title : id,
    hints: Array.isArray(hints) ? (hints as string[]) : [],
    api: apiCheck,
    body: front.body.trim(),
    verify,
    solve,
  };
}

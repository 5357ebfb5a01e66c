// Each lesson's progress, kept in IndexedDB: which steps passed, when it was started and
// finished, and how long it was open.
import { createStore, get, set, entries, type UseStore } from "idb-keyval";

export interface LessonProgress {
  lessonId: string;
  /** Ids of the steps whose check passed. */
  done: string[];
  startedAt?: number;
  finishedAt?: number;
  /** Time spent with the lesson open, in ms. */
  activeMs: number;
}

let store: UseStore | undefined;
const db = () => (store ??= createStore("slipway-lessons", "progress"));

export function emptyProgress(lessonId: string): LessonProgress {
  return { lessonId, done: [], activeMs: 0 };
}

export async function loadProgress(lessonId: string): Promise<LessonProgress> {
  return (await get<LessonProgress>(lessonId, db())) ?? emptyProgress(lessonId);
}

export async function saveProgress(progress: LessonProgress): Promise<void> {
  await set(progress.lessonId, progress, db());
}

export async function allProgress(): Promise<Map<string, LessonProgress>> {
  return new Map((await entries<string, LessonProgress>(db())).map(([k, v]) => [k, v]));
}

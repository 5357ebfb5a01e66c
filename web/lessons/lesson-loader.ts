// Every lesson under lessons/, bundled at build time: vite inlines the folder's files as text,
// and lesson-format turns them into lessons. Adding a lesson is adding a folder.
import { loadLessons, type LoadedLessons } from "./lesson-format.ts";

const PREFIX = "../../lessons/";
const files = import.meta.glob("../../lessons/**/*", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

let loaded: LoadedLessons | undefined;

export function bundledLessons(): LoadedLessons {
  if (!loaded) {
    const byPath: Record<string, string> = {};
    for (const [key, text] of Object.entries(files)) byPath[key.slice(PREFIX.length)] = text;
    loaded = loadLessons(byPath);
    // A broken lesson is left out; the format test is where it fails loudly.
    for (const p of loaded.problems) console.warn(`lessons: ${p}`);
  }
  return loaded;
}

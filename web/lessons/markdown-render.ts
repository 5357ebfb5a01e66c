// Lesson Markdown to HTML with markdown-it, raw HTML off (it shows as text). Fences whose info
// string has the word `runnable` ("```bash runnable") get a Run button; the commands come back
// beside the HTML, so the button carries only an index. Pure: markdown.ts adds the sanitiser.
import MarkdownIt from "markdown-it";

export interface RenderedMarkdown {
  html: string;
  /** The runnable blocks' text, in order: button data-run="N" is commands[N]. */
  commands: string[];
}

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
const defaultFence = md.renderer.rules.fence!;

md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const words = token.info.trim().split(/\s+/);
  if (!words.includes("runnable")) return defaultFence(tokens, idx, options, env, self);
  // Keep the language for highlighting, drop the marker.
  token.info = words.filter((w) => w !== "runnable").join(" ");
  const commands: string[] = ((env as { commands?: string[] }).commands ??= []);
  const n = commands.push(token.content) - 1;
  const block = defaultFence(tokens, idx, options, env, self);
  return `<div class="runnable">${block}<button type="button" class="run" data-run="${n}" title="Type this into the terminal">Run</button></div>\n`;
};

export function renderMarkdownUnsanitised(text: string): RenderedMarkdown {
  const env = { commands: [] as string[] };
  return { html: md.render(text, env), commands: env.commands };
}

/** Renders one line (a hint, a "learn" item): no paragraph around it. */
export function renderInlineUnsanitised(text: string): string {
  return md.renderInline(text);
}

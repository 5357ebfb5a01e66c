// Lesson Markdown as safe HTML for the page: markdown-it never passes raw HTML through, and
// DOMPurify then removes whatever could still run (javascript: links, event attributes), so no
// HTML or script from lesson text reaches the page.
import DOMPurify from "dompurify";
import { renderInlineUnsanitised, renderMarkdownUnsanitised, type RenderedMarkdown } from "./markdown-render.ts";

const PURIFY = { USE_PROFILES: { html: true }, ALLOW_DATA_ATTR: false, ADD_ATTR: ["data-run"], FORBID_TAGS: ["style", "form", "input", "textarea", "select"] };

export function renderMarkdown(text: string): RenderedMarkdown {
  const { html, commands } = renderMarkdownUnsanitised(text);
  return { html: DOMPurify.sanitize(html, PURIFY), commands };
}

export function renderInline(text: string): string {
  return DOMPurify.sanitize(renderInlineUnsanitised(text), PURIFY);
}

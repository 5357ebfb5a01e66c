// How rendered lesson Markdown looks inside the lesson components' shadow roots.
import { css } from "lit";

export const markdownStyles = css`
  .markdown {
    line-height: 1.5;
  }
  .markdown :is(p, ul, ol, pre) {
    margin: 0 0 0.75rem;
  }
  .markdown code {
    font-family: ui-monospace, "SF Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace;
    font-size: 0.875em;
  }
  .markdown :not(pre) > code {
    padding: 0.1em 0.3em;
    border-radius: 4px;
    background: color-mix(in srgb, currentColor 10%, transparent);
  }
  .markdown pre {
    padding: 0.5rem 0.75rem;
    border-radius: 6px;
    overflow-x: auto;
    background: color-mix(in srgb, currentColor 8%, transparent);
  }
  .markdown .runnable {
    position: relative;
  }
  .markdown .runnable pre {
    padding-inline-end: 4rem;
  }
  .markdown .runnable button.run {
    position: absolute;
    top: 0.375rem;
    inset-inline-end: 0.375rem;
  }
`;

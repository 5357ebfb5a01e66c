// Monaco, as the Editor loads it: lazily (slipway-editor imports this module on first use),
// the bare editor API plus the everyday editing features, a few syntax colourings, and only
// the generic editor worker (no language services: no TypeScript, CSS, HTML or JSON workers).
import * as monaco from "monaco-editor/editor/editor.api.js";
import "monaco-editor/editor/browser/coreCommands.js";
import "monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js";
import "monaco-editor/editor/contrib/clipboard/browser/clipboard.js";
import "monaco-editor/editor/contrib/comment/browser/comment.js";
import "monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js";
import "monaco-editor/editor/contrib/folding/browser/folding.js";
import "monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js";
import "monaco-editor/editor/contrib/multicursor/browser/multicursor.js";
import "monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter.js";
import "monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js";
import "monaco-editor/features/find/register.js";
// Syntax colouring only (Monarch grammars, loaded when a file of that kind opens).
import "monaco-editor/languages/definitions/dockerfile/register.js";
import "monaco-editor/languages/definitions/shell/register.js";
import "monaco-editor/languages/definitions/yaml/register.js";
import "monaco-editor/languages/definitions/python/register.js";
import "monaco-editor/languages/definitions/javascript/register.js";
import "monaco-editor/languages/definitions/markdown/register.js";
import "monaco-editor/languages/definitions/ini/register.js";
import "monaco-editor/languages/definitions/html/register.js";
import EditorWorker from "monaco-editor/editor/editor.worker.js?worker";
// Monaco's own CSS goes into the document; the Editor lives in a shadow root, which needs its
// own copy (the min build's stylesheet is the same rules in one file).
import monacoCss from "../../node_modules/monaco-editor/min/vs/editor/editor.main.css?inline";

(self as unknown as { MonacoEnvironment: object }).MonacoEnvironment = {
  getWorker: () => new EditorWorker(),
};

let sheet: CSSStyleSheet | undefined;

/** Monaco's stylesheet, for a shadow root's adoptedStyleSheets. */
export function monacoStyleSheet(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(monacoCss);
  }
  return sheet;
}

export { monaco };

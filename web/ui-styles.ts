// Styles the panels share: tables, buttons, notes, in the page's colours (page.css).
import { css } from "lit";

export const panelStyles = css`
  :host {
    display: block;
    font-size: 0.875rem;
    color: var(--slipway-fg);
  }
  h2,
  h3 {
    font-size: 0.9375rem;
    margin: 0.75rem 0 0.25rem;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    padding: 0.25rem 0.5rem 0.25rem 0;
    border-bottom: 1px solid var(--slipway-border);
    vertical-align: top;
  }
  th {
    font-weight: 600;
    color: var(--slipway-muted);
  }
  code,
  .mono {
    font-family: ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace;
    font-size: 0.8125rem;
    overflow-wrap: anywhere;
  }
  button {
    font: inherit;
    font-size: 0.8125rem;
    padding: 0.125rem 0.5rem;
    margin: 0 0.25rem 0.25rem 0;
    border: 1px solid var(--slipway-border);
    border-radius: 4px;
    background: var(--slipway-bg);
    color: var(--slipway-fg);
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    border-color: var(--slipway-accent);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  [tabindex]:focus-visible {
    outline: 2px solid var(--slipway-accent);
    outline-offset: 1px;
  }
  .muted {
    color: var(--slipway-muted);
  }
  .note {
    padding: 0.375rem 0.5rem;
    border-radius: 4px;
    background: var(--slipway-warn-bg);
    margin: 0.25rem 0;
  }
  .error {
    padding: 0.375rem 0.5rem;
    border-radius: 4px;
    background: var(--slipway-error-bg);
    margin: 0.25rem 0;
  }
  .scroll {
    overflow-x: auto;
  }
`;

// Terminal colours for the system's light and dark schemes.
import type { ITheme } from "@xterm/xterm";

const light: ITheme = {
  background: "#ffffff",
  foreground: "#1f2328",
  cursor: "#1f2328",
  cursorAccent: "#ffffff",
  selectionBackground: "#b6d6fd",
};

const dark: ITheme = {
  background: "#010409",
  foreground: "#e6edf3",
  cursor: "#e6edf3",
  cursorAccent: "#010409",
  selectionBackground: "#264f78",
};

const query = () => matchMedia("(prefers-color-scheme: dark)");

export function currentTheme(): ITheme {
  return query().matches ? dark : light;
}

/** Calls back with the new theme whenever the system scheme changes; returns an unsubscribe function. */
export function onThemeChange(callback: (theme: ITheme) => void): () => void {
  const q = query();
  const listener = () => callback(currentTheme());
  q.addEventListener("change", listener);
  return () => q.removeEventListener("change", listener);
}

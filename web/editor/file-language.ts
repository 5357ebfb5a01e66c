// Which Monaco language colours a file, from its name.

const BY_EXTENSION: Record<string, string> = {
  ".sh": "shell", ".bash": "shell", ".yml": "yaml", ".yaml": "yaml", ".py": "python", ".js": "javascript",
  ".mjs": "javascript", ".json": "javascript", ".md": "markdown", ".ini": "ini", ".conf": "ini", ".toml": "ini",
  ".env": "ini", ".html": "html", ".htm": "html",
};

export function languageFor(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  if (name === "dockerfile" || name === "containerfile" || name.startsWith("dockerfile.") || name.endsWith(".dockerfile")) return "dockerfile";
  const dot = name.lastIndexOf(".");
  return (dot > 0 && BY_EXTENSION[name.slice(dot)]) || "plaintext";
}

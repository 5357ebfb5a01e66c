// The command the Editor's Build button types into the terminal.

/** A docker image reference the shell can take as it is (no quoting needed): name[:tag]. */
export function isImageName(name: string): boolean {
  return /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/.test(name);
}

export function buildCommand(image: string): string {
  if (!isImageName(image)) throw new Error(`not an image name: ${image}`);
  return `cd /root/work && docker build -t ${image} .\n`;
}

// Docker's generated container names: an adjective and a notable scientist or hacker.
const left = ["admiring", "brave", "busy", "clever", "eager", "festive", "focused", "gallant", "happy", "jolly", "keen", "loving", "modest", "nifty", "peaceful", "quirky", "relaxed", "serene", "sharp", "trusting", "vibrant", "wizardly", "zealous"];
const right = ["babbage", "bell", "curie", "dijkstra", "einstein", "euclid", "hopper", "kepler", "knuth", "lamarr", "lovelace", "mccarthy", "noether", "pike", "ritchie", "shannon", "thompson", "torvalds", "turing", "wozniak"];

export function generateName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    const name = `${left[Math.floor(Math.random() * left.length)]}_${right[Math.floor(Math.random() * right.length)]}${i > 10 ? i : ""}`;
    if (!taken(name)) return name;
  }
}

export const VALID_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function randomId(): string {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

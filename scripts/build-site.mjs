// npm run build: the static site in dist/ (the page, its worker, v86.wasm and the guest's files).
import { join } from "node:path";
import { ensureGuest, ensureNodeModules, root } from "./lib/setup.mjs";

ensureNodeModules();
ensureGuest();
const { buildSite } = await import("./lib/site.mjs");
const out = await buildSite();
console.log(`site built in ${join(out)}`);

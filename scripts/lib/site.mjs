// The site, built or served, through vite's API with the repo's vite.config.ts.
import { createServer as createHttpServer } from "node:net";
import { join } from "node:path";
import { root } from "./setup.mjs";

const configFile = join(root, "vite.config.ts");

/** Builds the site into outDir (dist/ by default); returns outDir. */
export async function buildSite(outDir = join(root, "dist")) {
  const { build } = await import("vite");
  await build({ configFile, logLevel: "warn", build: { outDir } });
  return outDir;
}

/** Starts vite's dev server on 127.0.0.1:port; returns it and its URL. */
export async function startDevServer(port) {
  const { createServer } = await import("vite");
  const server = await createServer({ configFile, server: { host: "127.0.0.1", port, strictPort: true } });
  await server.listen();
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** The first port from `from` on that nothing listens on at 127.0.0.1. */
export async function freePort(from) {
  for (let port = from; port < from + 100; port++) {
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in ${from}..${from + 99}`);
}

function isFree(port) {
  return new Promise((resolve) => {
    const s = createHttpServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

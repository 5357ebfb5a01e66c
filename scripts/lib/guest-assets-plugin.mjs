// Vite plugin: the built guest (build/guest) as part of the site.
// - `virtual:guest-manifest` is build/guest/manifest.json, so the page knows every file's
//   name and hash up front and can fetch them all at once, cache-busted by hash;
// - dev: serves build/guest/* at <base>guest/*;
// - build: copies them into dist/guest/.
// Plain JavaScript: vite.config.ts and scripts/start.mjs both load it.
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const VIRTUAL_ID = "virtual:guest-manifest";
const RESOLVED_ID = "\0" + VIRTUAL_ID;

/** @param {{ guestDir: string }} opts */
export function guestAssets({ guestDir }) {
  const manifestPath = join(guestDir, "manifest.json");
  const readManifest = () => {
    if (!existsSync(manifestPath)) throw new Error(`no built guest in ${guestDir}: run \`npm run build:guest\``);
    return JSON.parse(readFileSync(manifestPath, "utf8"));
  };
  const fileNames = (manifest) => ["manifest.json", ...Object.values(manifest.files).map((f) => f.name)];

  return {
    name: "slipway-guest-assets",
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      this.addWatchFile(manifestPath);
      return `export default ${JSON.stringify(readManifest())};`;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = new URL(req.url ?? "/", "http://x").pathname;
        const m = /^\/guest\/([^/]+)$/.exec(path);
        if (!m) return next();
        const name = decodeURIComponent(m[1]);
        let manifest;
        try {
          manifest = readManifest();
        } catch (err) {
          res.statusCode = 500;
          return res.end(String(err.message));
        }
        if (!fileNames(manifest).includes(name)) return next();
        const file = join(guestDir, name);
        res.setHeader("Content-Type", name.endsWith(".json") ? "application/json" : "application/octet-stream");
        res.setHeader("Content-Length", String(statSync(file).size));
        res.setHeader("Cache-Control", "no-cache");
        createReadStream(file).pipe(res);
      });
    },
    generateBundle() {
      for (const name of fileNames(readManifest())) {
        this.emitFile({ type: "asset", fileName: `guest/${name}`, source: readFileSync(join(guestDir, name)) });
      }
    },
  };
}

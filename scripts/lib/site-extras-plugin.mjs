// Vite plugin: the parts of the site that are not the page's own modules.
// - images/: the base images (build/images: OCI layouts and images.json) the in-tab registry
//   is seeded from; served in dev, copied into dist/images/ by a build;
// - .nojekyll, for GitHub Pages;
// - sw.js: the service worker (web/sw.ts), at the site's root so its scope covers preview/.
//   A build gives it the list of every file of the site to precache and a version hash of
//   their contents, so a new build replaces the old cache as a whole. In dev its list is empty
//   (no offline), but it still relays preview/.
// Plain JavaScript: vite.config.ts loads it.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { build as esbuild } from "esbuild";

/** Every file below dir, as paths relative to it with forward slashes. */
function walk(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith(".")).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p, base) : [relative(base, p).split(sep).join("/")];
  });
}

async function bundleWorker(swEntry, precache, version) {
  const out = await esbuild({
    entryPoints: [swEntry],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    minify: true,
    define: { __SW_PRECACHE__: JSON.stringify(precache), __SW_VERSION__: JSON.stringify(version) },
  });
  return out.outputFiles[0].text;
}

/** dist-relative path → the same with the ?v= query the page adds, for the guest's files. */
function guestVersions(outDir) {
  const file = join(outDir, "guest", "manifest.json");
  const map = new Map();
  if (!existsSync(file)) return map;
  for (const e of Object.values(JSON.parse(readFileSync(file, "utf8")).files ?? {})) {
    if (e?.name && e.sha256) map.set(`guest/${e.name}`, `guest/${e.name}?v=${e.sha256.slice(0, 16)}`);
  }
  return map;
}

/** @param {{ imagesDir: string, swEntry: string }} opts */
export function siteExtras({ imagesDir, swEntry }) {
  const imageFiles = () => {
    const files = walk(imagesDir);
    if (!files.includes("images.json")) throw new Error(`no base images in ${imagesDir}: run \`npm run build:guest\``);
    return files;
  };
  let outDir = "dist";
  return {
    name: "slipway-site-extras",
    // After the page's and the guest's files are in the bundle, so the precache list has them all.
    enforce: "post",
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
        if (path === "/sw.js") {
          try {
            res.setHeader("Content-Type", "text/javascript");
            res.setHeader("Cache-Control", "no-cache");
            return res.end(await bundleWorker(swEntry, [], "dev"));
          } catch (err) {
            res.statusCode = 500;
            return res.end(String(err));
          }
        }
        const m = /^\/images\/(.+)$/.exec(path);
        if (!m || m[1].includes("..")) return next();
        const file = join(imagesDir, m[1]);
        if (!existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader("Content-Type", file.endsWith(".json") ? "application/json" : "application/octet-stream");
        res.setHeader("Content-Length", String(statSync(file).size));
        res.setHeader("Cache-Control", "no-cache");
        createReadStream(file).pipe(res);
      });
    },
    configResolved(config) {
      outDir = config.build.outDir;
    },
    generateBundle() {
      // GitHub Pages runs Jekyll unless told not to, and Jekyll leaves out files named _*
      // (a chunk name may begin so): an empty .nojekyll keeps every file as it is.
      this.emitFile({ type: "asset", fileName: ".nojekyll", source: "" });
      for (const name of imageFiles()) {
        this.emitFile({ type: "asset", fileName: `images/${name}`, source: readFileSync(join(imagesDir, name)) });
      }
    },
    // Once every file is written (the page's, the guest's, the images): list them all, hash them,
    // and write the service worker with that list.
    async writeBundle() {
      const files = walk(outDir).filter((f) => f !== "sw.js" && f !== "version.json" && !f.endsWith(".map")).sort();
      const hash = createHash("sha256");
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      const version = hash.digest("hex").slice(0, 16);
      // The directory URL ("./") is how the page is usually opened; it is index.html.
      // The guest's files go by the URL the page fetches them with (fetch-guest.ts: ?v=<hash>):
      // the install then revalidates what the page has just downloaded (a 304) instead of
      // downloading the kernel, initramfs and snapshot a second time on a first visit.
      const precache = ["./", ...files.map((f) => guestVersions(outDir).get(f) ?? f)];
      writeFileSync(join(outDir, "sw.js"), await bundleWorker(swEntry, precache, version));
      writeFileSync(join(outDir, "version.json"), JSON.stringify({ version, files: precache.length }) + "\n");
    },
  };
}

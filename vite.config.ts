// The page: web/ is the root; the built guest is served at guest/ (dev) and copied to dist/guest/ (build).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { guestAssets } from "./scripts/lib/guest-assets-plugin.mjs";
import { siteExtras } from "./scripts/lib/site-extras-plugin.mjs";

const repo = fileURLToPath(new URL(".", import.meta.url));

// v86 imports node:fs and the like only when it runs in Node, never in the page: vite
// leaves them out and says so for each; that is expected, so keep the build quiet about it.
const quietNodeOnly = {
  onwarn(warning: { message: string }, warn: (w: { message: string }) => void) {
    if (!/externalized for browser compatibility/.test(warning.message)) warn(warning);
  },
};

export default defineConfig({
  root: `${repo}web`,
  // Relative URLs everywhere, so the site works from any sub-path.
  base: "./",
  plugins: [guestAssets({ guestDir: `${repo}build/guest` }), siteExtras({ imagesDir: `${repo}build/images`, swEntry: `${repo}web/sw.ts` })],
  // The worker imports v86 (ESM): module workers keep it one file, no importScripts shim.
  worker: { format: "es", rollupOptions: quietNodeOnly },
  build: {
    outDir: `${repo}dist`,
    emptyOutDir: true,
    target: "es2022",
    // The guest's files are far over the default warning size, and meant to be.
    chunkSizeWarningLimit: 2048,
    assetsInlineLimit: 0,
    rollupOptions: quietNodeOnly,
  },
  server: {
    host: "127.0.0.1",
    // The page also imports files from the repo root (worker/, node_modules/).
    fs: { allow: [repo] },
  },
});

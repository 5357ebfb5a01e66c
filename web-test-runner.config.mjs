// Browser tests (test/**/browser/*.test.ts) in Debian's Chromium, headless.
// The tests load the built site (dist/, from `npm run build` or scripts/test-browser.mjs)
// in an iframe of the test page: same origin, so they can type into it and read its terminal.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { esbuildPlugin } from "@web/dev-server-esbuild";
import { chromeLauncher } from "@web/test-runner-chrome";
import { lessonFiles } from "./scripts/lib/lesson-files-middleware.mjs";
import { staticHandler } from "./scripts/lib/static-server.mjs";

const root = fileURLToPath(new URL(".", import.meta.url));
const profile = mkdtempSync(join(tmpdir(), "slipway-chromium-"));
process.on("exit", () => rmSync(profile, { recursive: true, force: true }));

/**
 * /dist-corrupt-snapshot/… is dist/ with a snapshot whose bytes were changed: the real page,
 * a real guest, only the file on the "host" is bad, to see the page fall back to a boot.
 */
async function corruptSnapshot(ctx, next) {
  const prefix = "/dist-corrupt-snapshot/";
  if (!ctx.path.startsWith(prefix)) return next();
  const rest = ctx.path.slice(prefix.length);
  if (rest === "guest/state.zst") {
    const state = readFileSync(join(root, "dist", "guest", "state.zst"));
    for (let i = state.length >> 1; i < (state.length >> 1) + 64; i++) state[i] ^= 0xff;
    ctx.type = "application/octet-stream";
    ctx.body = state;
    return;
  }
  ctx.url = `/dist/${rest}${ctx.search}`;
  return next();
}

/**
 * /pages/slipway/… is dist/ as a static host serves a project site under a sub-path
 * (scripts/lib/static-server.mjs: ETag, Last-Modified, max-age=600), on the test page's origin
 * so a test can reach into it. `executeServerCommand("set-offline", { offline })` takes the
 * network away from the site: in the browser (its requests fail as offline, through CDP's Fetch
 * domain; requests a service worker answers never reach the network, so they are not touched)
 * and at the host (every request under the sub-path fails at the socket), so nothing comes from
 * the network, whichever of the page's workers asks. Not the page's whole offline mode: that
 * would also cut the test runner's own WebSocket to the test page.
 */
const PAGES_BASE = "/pages/slipway/";
let hostOffline = false;
function pagesSite() {
  const handle = staticHandler(join(root, "dist"), { base: PAGES_BASE });
  return async function pages(ctx, next) {
    if (!ctx.path.startsWith(PAGES_BASE.slice(0, -1))) return next();
    if (hostOffline) {
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    // The static server answers on the raw response; koa stays out of it.
    ctx.respond = false;
    if (!handle(ctx.req, ctx.res)) ctx.res.writeHead(404).end();
  };
}

function network() {
  let cdp;
  return {
    name: "slipway-network",
    async executeCommand({ command, payload, session }) {
      if (command !== "set-offline") return undefined;
      hostOffline = !!payload.offline;
      const page = session.browser.getPage(session.id);
      cdp ??= await page.createCDPSession();
      if (hostOffline) {
        cdp.removeAllListeners("Fetch.requestPaused");
        cdp.on("Fetch.requestPaused", (e) => void cdp.send("Fetch.failRequest", { requestId: e.requestId, errorReason: "InternetDisconnected" }).catch(() => {}));
        await cdp.send("Fetch.enable", { patterns: [{ urlPattern: `*${PAGES_BASE}*` }] });
      } else await cdp.send("Fetch.disable");
      return hostOffline;
    },
  };
}

/**
 * `executeServerCommand("docker-registry", { action: "start" | "stop", auth?: "token" })`: Debian's
 * docker-registry on a loopback port with the CORS headers README gives, a real registry for the
 * page to push to and pull from with fetch, as a classroom's shared registry would be. With
 * `auth: "token"` it has Docker's token auth (test/registry/token-server.ts, user "teacher",
 * password "s3cret") behind the preflight-answering proxy README asks for.
 */
function dockerRegistry() {
  const running = new Map();
  return {
    name: "slipway-docker-registry",
    async executeCommand({ command, payload }) {
      if (command !== "docker-registry") return undefined;
      const key = payload.auth ?? "none";
      if (payload.action === "stop") {
        for (const stop of running.get(key)?.stops.reverse() ?? []) await stop();
        running.delete(key);
        return true;
      }
      if (running.has(key)) return running.get(key).info;
      const { tsImport } = await import("tsx/esm/api");
      const { startDockerRegistry, CORS_HEADERS } = await tsImport("./test/registry/docker-registry.ts", import.meta.url);
      if (key !== "token") {
        const reg = await startDockerRegistry({ headers: CORS_HEADERS });
        const info = { url: reg.url, host: reg.host };
        running.set(key, { info, stops: [() => reg.stop()] });
        return info;
      }
      const { startTokenServer } = await tsImport("./test/registry/token-server.ts", import.meta.url);
      const { startPreflightProxy } = await tsImport("./test/registry/preflight-proxy.ts", import.meta.url);
      const tokens = await startTokenServer({ users: { teacher: "s3cret" }, headers: { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Authorization" } });
      const reg = await startDockerRegistry({ headers: CORS_HEADERS, token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootcertbundle: tokens.certFile } });
      const proxy = await startPreflightProxy(reg.url, CORS_HEADERS);
      const info = { url: proxy.url, host: proxy.host, username: "teacher", password: "s3cret" };
      running.set(key, { info, stops: [() => tokens.stop(), () => reg.stop(), () => proxy.stop()] });
      return info;
    },
  };
}

/**
 * `executeServerCommand("save-screenshot", { name, clip })`: a PNG of the test page (or a part of it)
 * in test-artifacts/, for looking at the page at each size after a run.
 */
function screenshots() {
  return {
    name: "slipway-screenshots",
    async executeCommand({ command, payload, session }) {
      if (command !== "save-screenshot") return undefined;
      const page = session.browser.getPage(session.id);
      mkdirSync(join(root, "test-artifacts"), { recursive: true });
      const path = join(root, "test-artifacts", `${String(payload.name).replace(/[^\w.-]/g, "_")}.png`);
      await page.screenshot({ path, clip: payload.clip });
      return path;
    },
  };
}

export default {
  rootDir: root,
  // Every test under a browser/ folder (test/browser/, test/registry/browser/, …); npm test leaves those to this runner.
  files: ["test/**/browser/**/*.test.ts"],
  nodeResolve: true,
  plugins: [esbuildPlugin({ ts: true, target: "es2022" }), screenshots(), network(), dockerRegistry()],
  middleware: [pagesSite(), corruptSnapshot, lessonFiles(join(root, "lessons"))],
  concurrency: 1,
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
        headless: true,
        userDataDir: profile,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
      },
    }),
  ],
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  // test/browser/lessons.test.ts runs every step of every lesson in the guest: minutes per lesson.
  testsFinishTimeout: 45 * 60_000,
  testFramework: { config: { timeout: 180_000 } },
};

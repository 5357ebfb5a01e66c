// npm start: install what is missing, build the guest if stale, then serve the page with
// vite's dev server on 127.0.0.1 (PORT, or the first free port from 8080 on).
import { ensureGuest, ensureNodeModules } from "./lib/setup.mjs";

ensureNodeModules();
ensureGuest();
const { freePort, startDevServer } = await import("./lib/site.mjs");
const port = process.env.PORT ? Number(process.env.PORT) : await freePort(8080);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a port number, not ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}
const { server, url } = await startDevServer(port);
console.log(`Slipway is at ${url}  (Ctrl-C stops it)`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

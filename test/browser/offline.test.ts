// The built site from a static host under a sub-path (/pages/slipway/, see web-test-runner.config.mjs),
// as a GitHub Pages project site: loaded once online, then with the network gone (the browser
// offline and the host refusing every connection) it loads again from the service worker's
// cache, boots the guest, and runs a container whose image comes from the cached base images.
import { executeServerCommand, sendKeys } from "@web/test-runner-commands";
import { closePages, hasLine, openApp, PROMPT, waitFor, type AppPage } from "./helpers/app-page.ts";

const SITE = "/pages/slipway/";

async function clearSite(): Promise<void> {
  for (const r of await navigator.serviceWorker.getRegistrations()) if (new URL(r.scope).pathname.startsWith(SITE)) await r.unregister();
  for (const name of await caches.keys()) if (name.startsWith("slipway-")) await caches.delete(name);
  for (const name of ["slipway-machine", "slipway-registry", "slipway-engine", "slipway-workspace"]) {
    await new Promise((r) => {
      const q = indexedDB.deleteDatabase(name);
      q.onsuccess = q.onerror = q.onblocked = r;
    });
  }
}

async function typeLine(page: AppPage, command: string): Promise<void> {
  page.app.shadowRoot!.querySelector<HTMLElement>("guest-terminal")!.focus();
  await sendKeys({ type: command });
  await sendKeys({ press: "Enter" });
}

after(async () => {
  closePages();
  await executeServerCommand("set-offline", { offline: false });
});

describe("offline, from a static host under a sub-path", () => {
  it("loads once online, then reloads and runs a container with the network gone", async () => {
    await clearSite();
    // A first visit: the service worker installs and caches the whole build.
    const first = await openApp(SITE, 120_000);
    const sw = first.frame.contentWindow!.navigator.serviceWorker;
    const reg = await waitFor(() => sw.ready, 60_000, "an active service worker");
    if (new URL(reg.scope).pathname !== SITE) throw new Error(`the service worker's scope is ${reg.scope}, not the site's sub-path`);
    await waitFor(() => sw.controller ?? undefined, 10_000, "the page to be controlled by its service worker");
    first.frame.remove();

    await executeServerCommand("set-offline", { offline: true });
    // Nothing gets through now, not even a request the service worker does not answer.
    const reached = await fetch(`${SITE}version.json`, { cache: "no-store" }).then(() => true, () => false);
    if (reached) throw new Error("the host still answers: the test is not offline");

    const page = await openApp(SITE, 120_000, { offline: true });
    if (!page.frame.contentWindow!.navigator.serviceWorker.controller) throw new Error("the offline page is not served by the service worker");
    await waitFor(() => page.screen().includes(PROMPT), 20_000, "the prompt", () => page.screen());
    await waitFor(async () => (await page.guest.engineStatus()).agent, 60_000, "the guest agent");
    await typeLine(page, "docker run --rm busybox echo offline-$((6*7))");
    await waitFor(() => hasLine(page, "offline-42"), 120_000, "the container's output", () => page.screen());
  });
});

// Progress for waits started from the page, in the built page with the real guest: the
// Explorer's Pull (registry) and Push (images) show a <job-progress> fed from the Engine API's
// JSON progress stream as it comes (several messages, each layer's status), and a wait shorter
// than the Explorer's delay shows none.
import type { Job } from "../../web/progress/progress-model.ts";
import { closePages, openApp, waitFor, type AppPage } from "./helpers/app-page.ts";

type Explorer = HTMLElement & { progressDelayMs: number };

function explorer(page: AppPage): Explorer {
  return page.app.shadowRoot!.querySelector("explorer-view") as Explorer;
}

/** Every state of every <job-progress> the Explorer shows while `during` runs, sampled every 20 ms. */
async function watchJobs(page: AppPage, during: () => Promise<unknown>): Promise<Job[]> {
  const seen: Job[] = [];
  let on = true;
  const sample = async () => {
    while (on) {
      for (const el of explorer(page).shadowRoot!.querySelectorAll("job-progress")) {
        const job = (el as HTMLElement & { job?: Job }).job;
        if (job && seen[seen.length - 1] !== job) seen.push(job);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const sampling = sample();
  try {
    await during();
  } finally {
    on = false;
    await sampling;
  }
  return seen;
}

function button(root: ShadowRoot | null | undefined, label: RegExp): HTMLButtonElement | undefined {
  return Array.from(root?.querySelectorAll("button") ?? []).find((b) => label.test(b.getAttribute("aria-label") ?? "")) as HTMLButtonElement | undefined;
}

const listText = (page: AppPage, list: string) => explorer(page).shadowRoot!.querySelector(list)?.shadowRoot?.textContent ?? "";

after(closePages);

describe("progress for the page's waits", () => {
  let page: AppPage;

  before(async () => {
    for (const name of ["slipway-machine", "slipway-registry", "slipway-engine", "slipway-workspace"]) {
      await new Promise((r) => {
        const q = indexedDB.deleteDatabase(name);
        q.onsuccess = q.onerror = q.onblocked = r;
      });
    }
    page = await openApp();
    await waitFor(async () => (await page.guest.engineStatus()).agent, 60_000, "the guest agent");
  });

  it("shows a pull from the Explorer as it goes, layer by layer", async () => {
    // Every wait shows here, however short: what is checked is what the stream fed it.
    explorer(page).progressDelayMs = 0;
    const registry = () => explorer(page).shadowRoot!.querySelector("registry-list")?.shadowRoot;
    const pull = await waitFor(() => button(registry(), /^Pull (library\/)?busybox:latest$/), 30_000, "a Pull button for busybox:latest", () => listText(page, "registry-list"));
    const jobs = await watchJobs(page, async () => {
      pull.click();
      await waitFor(() => /busybox:latest/.test(listText(page, "image-list")), 60_000, "busybox in the image list");
      await waitFor(() => !explorer(page).shadowRoot!.querySelector("job-progress"), 10_000, "the progress to go once done");
    });
    const last = jobs[jobs.length - 1];
    if (!last || !/^Pulling (library\/)?busybox:latest: done$/.test(last.title)) throw new Error(`no finished pull shown: ${JSON.stringify(last)}`);
    if (last.messages < 3 || jobs.length < 3) throw new Error(`the progress did not follow the stream: ${jobs.length} states, ${last.messages} messages`);
    if (!last.layers.length || !last.layers.every((l) => /Pull complete|Already exists/.test(l.status))) throw new Error(`layers: ${JSON.stringify(last.layers)}`);
    if (!/Status: (Downloaded newer image|Image is up to date)/.test(last.status)) throw new Error(`status: ${last.status}`);
  });

  it("shows a push from the Explorer, each layer's status", async () => {
    explorer(page).progressDelayMs = 0;
    const images = () => explorer(page).shadowRoot!.querySelector("image-list")?.shadowRoot;
    const push = await waitFor(() => button(images(), /^Push busybox:latest to the registry$/), 10_000, "a Push button for busybox:latest");
    const shown = () => explorer(page).shadowRoot!.querySelector("job-progress");
    const jobs = await watchJobs(page, async () => {
      push.click();
      await waitFor(() => shown(), 10_000, "the push's progress");
      await waitFor(() => !shown(), 60_000, "the push to finish");
    });
    const error = explorer(page).shadowRoot!.querySelector(".error")?.textContent;
    if (error) throw new Error(`the push failed: ${error}`);
    const last = jobs[jobs.length - 1];
    if (!last || last.title !== "Pushing busybox:latest: done") throw new Error(`no finished push shown: ${JSON.stringify(last)}`);
    if (!last.layers.length || !last.layers.every((l) => /Pushed|Layer already exists|Mounted from/.test(l.status))) throw new Error(`layers: ${JSON.stringify(last.layers)}`);
  });

  it("shows nothing for a wait shorter than half a second", async () => {
    explorer(page).progressDelayMs = 500;
    const images = () => explorer(page).shadowRoot!.querySelector("image-list")?.shadowRoot;
    // Pulling what is already there answers at once.
    const registry = () => explorer(page).shadowRoot!.querySelector("registry-list")?.shadowRoot;
    await waitFor(() => !explorer(page).shadowRoot!.querySelector("job-progress"), 10_000, "no progress left from before");
    const t0 = performance.now();
    const jobs = await watchJobs(page, async () => {
      button(registry(), /^Pull (library\/)?busybox:latest$/)!.click();
      await new Promise((r) => setTimeout(r, 50));
      await waitFor(() => !button(registry(), /^Pull (library\/)?busybox:latest$/)?.disabled, 10_000, "the pull to end");
    });
    const ms = performance.now() - t0;
    if (ms < 450 && jobs.length) throw new Error(`a ${Math.round(ms)} ms wait showed progress: ${JSON.stringify(jobs[0])}`);
    if (!images()) throw new Error("no image list");
  });
});

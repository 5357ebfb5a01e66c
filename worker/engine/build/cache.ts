// The classic builder's cache: a step hits when a local image was built on the same
// parent with the same container config, the step's text being in that config's Cmd
// ("#(nop) COPY file:<content hash> in /dst", "|1 V=2 /bin/sh -c make"). So a changed
// file changes COPY's hash, a changed ARG changes the first RUN that sees it, and since
// every later step's parent is new after a miss, the first miss invalidates the rest.
import type { ContainerConfigPart, Image, ImageStore } from "../images/image-store.ts";

/** The fields Docker's compare() looks at, in a fixed order. */
export function cacheKey(c: ContainerConfigPart): string {
  const sortObj = (o: Record<string, unknown> | null | undefined) => (o ? Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))) : {});
  return JSON.stringify([
    c.Cmd ?? [],
    c.Env ?? [],
    c.Entrypoint ?? [],
    c.WorkingDir ?? "",
    c.User ?? "",
    sortObj(c.Labels),
    sortObj(c.ExposedPorts as Record<string, unknown>),
    sortObj(c.Volumes as Record<string, unknown>),
    c.OnBuild ?? [],
    c.Shell ?? [],
    c.StopSignal ?? "",
    c.Healthcheck ?? null,
  ]);
}

/** The newest image built on `parent` whose step config matches, or undefined. */
export function findCached(store: ImageStore, parent: string, stepConfig: ContainerConfigPart): Image | undefined {
  const key = cacheKey(stepConfig);
  return store
    .children(parent)
    .filter((i) => i.config.container_config && cacheKey(i.config.container_config) === key)
    .sort((a, b) => b.addedAt - a.addedAt)[0];
}

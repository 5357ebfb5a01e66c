// docker export / docker import, and docker commit: a container's filesystem out as
// one flat tar; a flat tar in as a one-layer image; a container's changes (its
// overlay upper dir, as the agent streams it with .wh. whiteouts) as a new layer on
// its image, the same way a RUN step's changes become one.
import { applyChanges } from "../build/changes.ts";
import { collect, digestOf, gunzip, isEmptyTar, isGzip, storeLayer } from "../build/layers.ts";
import { RootFs } from "../build/rootfs.ts";
import { TAR_END } from "../build/tar.ts";
import { ZERO_TIME } from "../containers/container.ts";
import { containerChanges } from "../containers/changes.ts";
import type { ContainerConfig } from "../containers/container.ts";
import type { Engine } from "../engine.ts";
import { ApiError, badRequest } from "../errors.ts";
import type { ContainerConfigPart, ImageConfig, LayerRecord } from "../images/image-store.ts";
import { PLATFORM } from "../images/pull.ts";
import { familiarString, parseReference } from "../images/reference.ts";
import { bool, json, jsonBody, type Router } from "../router.ts";
import { ENGINE_VERSION } from "../engine.ts";

export function exportImportRoutes(r: Router, e: Engine): void {
  r.on("GET", "/containers/{id}/export", async (req) => {
    const c = e.containers.get(req.params.id);
    const image = e.images.get(c.imageId);
    const fs = (await RootFs.of(e.images, image)).clone();
    if (c.state.StartedAt !== ZERO_TIME) await fs.apply(await containerDiff(e, c.id));
    return { status: 200, headers: { "Content-Type": "application/x-tar" }, body: (async function* () { yield* fs.tar(); })() };
  });

  // docker diff: the changes, read against the image's files (containers/changes.ts).
  r.on("GET", "/containers/{id}/changes", async (req) => {
    const c = e.containers.get(req.params.id);
    const image = e.images.get(c.imageId);
    if (!image) throw new ApiError(500, `image ${c.imageId} of container ${c.name} is gone`);
    const changes = await containerChanges(e.images, image, await containerDiff(e, c.id));
    return json(200, changes.length ? changes : null);
  });

  r.on("POST", "/commit", async (req) => {
    const q = req.query;
    const c = e.containers.get(q.get("container") ?? "");
    const overrides = await jsonBody<Partial<ContainerConfig>>(req);
    const image = e.images.get(c.imageId);
    if (!image) throw new ApiError(500, `image ${c.imageId} of container ${c.name} is gone`);
    const pause = q.get("pause") === null ? true : bool(q.get("pause"));
    const agent = e.agent();
    // Frozen while the upper dir is read, so the layer is one moment's state (docker commit --pause);
    // a container the user paused stays paused.
    const freeze = pause && c.state.Running && !c.state.Paused;
    if (freeze) await agent.pause(c.id);
    let tar: Uint8Array;
    try {
      // A container never started has no files of its own yet: no changes.
      tar = c.state.StartedAt === ZERO_TIME ? TAR_END : await containerDiff(e, c.id);
    } finally {
      if (freeze) await agent.unpause(c.id).catch(() => {});
    }
    const cc = c.config;
    let config: ContainerConfigPart = { ...image.config.config, Env: cc.Env ?? undefined, Cmd: (cc.Cmd as string[] | null) ?? undefined, Entrypoint: (cc.Entrypoint as string[] | null) ?? null, WorkingDir: cc.WorkingDir, User: cc.User, ExposedPorts: cc.ExposedPorts, Labels: cc.Labels, Volumes: image.config.config?.Volumes, StopSignal: image.config.config?.StopSignal, ...(overrides as ContainerConfigPart) };
    delete config.Image;
    config = applyChanges(config, q.getAll("changes"));
    const created = new Date().toISOString();
    const empty = await isEmptyTar(tar);
    const layers: LayerRecord[] = empty ? [...image.layers] : [...image.layers, await storeLayer(e.images, tar)];
    const hist = { created, created_by: [c.path, ...c.args].join(" "), ...(q.get("author") ? { author: q.get("author")! } : {}), ...(q.get("comment") ? { comment: q.get("comment")! } : {}), ...(empty ? { empty_layer: true } : {}) };
    const cfg: ImageConfig = {
      architecture: image.config.architecture ?? PLATFORM.architecture,
      os: image.config.os ?? PLATFORM.os,
      ...(q.get("author") ? { author: q.get("author")! } : {}),
      config,
      container: c.id,
      container_config: { ...config, Hostname: c.config.Hostname, Image: c.image },
      created,
      docker_version: ENGINE_VERSION,
      history: [...(image.config.history ?? []), hist],
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    };
    const bytes = new TextEncoder().encode(JSON.stringify(cfg));
    const id = digestOf(bytes);
    await e.images.add(bytes, cfg, id, layers, image.id);
    const repo = q.get("repo");
    if (repo) await e.images.tag(id, parseReference(q.get("tag") ? `${repo}:${q.get("tag")}` : repo));
    e.events.emit("container", "commit", c.id, { image: c.image, name: c.name, comment: q.get("comment") ?? "" });
    return json(201, { Id: id });
  });
}

/** The container's changes as a layer tar; fails when the guest cannot give them. */
async function containerDiff(e: Engine, id: string): Promise<Uint8Array> {
  try {
    return await collect(e.agent().diff(id));
  } catch (err) {
    throw new ApiError(500, `cannot read the changes of container ${id.slice(0, 12)}: ${(err as Error).message}`);
  }
}

/** POST /images/create?fromSrc=-: the body is a root filesystem tar (gzip'd or not); one layer, no parent. */
export async function importImage(e: Engine, q: URLSearchParams, body: AsyncIterable<Uint8Array>): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const src = q.get("fromSrc");
  if (src !== "-") throw badRequest("importing from a URL is not supported by Slipway: use `docker import file.tar` or `-`");
  let tar = await collect(body);
  if (isGzip(tar)) tar = await gunzip(tar);
  const layer = await storeLayer(e.images, tar);
  const created = new Date().toISOString();
  const config: ImageConfig = {
    architecture: q.get("platform")?.split("/")[1] ?? PLATFORM.architecture,
    os: PLATFORM.os,
    config: applyChanges({}, q.getAll("changes")),
    created,
    docker_version: ENGINE_VERSION,
    history: [{ created, created_by: "", comment: q.get("message") || "Imported from -" }],
    rootfs: { type: "layers", diff_ids: [layer.diffId] },
  };
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  const id = digestOf(bytes);
  await e.images.add(bytes, config, id, [layer]);
  const repo = q.get("repo");
  if (repo) {
    const ref = parseReference(q.get("tag") ? `${repo}:${q.get("tag")}` : repo);
    await e.images.tag(id, ref);
    e.events.emit("image", "import", id, { name: familiarString(ref) });
  }
  return { status: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status: id }) + "\r\n" };
}

// /images: pull, list, inspect, history, tag, push, remove, prune.
import { credentialsFromHeader } from "../distribution/registries.ts";
import type { Engine } from "../engine.ts";
import { ApiError, badRequest, conflict, noSuchImage } from "../errors.ts";
import type { Image } from "../images/image-store.ts";
import { jsonLines } from "../images/progress.ts";
import { layerContentSize } from "../build/layers.ts";
import { importImage } from "./export-import.ts";
import { pull } from "../images/pull.ts";
import { push } from "../images/push.ts";
import { familiarString, parseReference } from "../images/reference.ts";
import { bool, json, type Router } from "../router.ts";
import { parseFilters } from "./system.ts";

export function imageRoutes(r: Router, e: Engine): void {
  r.on("POST", "/images/create", async (req) => {
    if (req.query.get("fromSrc")) return importImage(e, req.query, req.body);
    const from = req.query.get("fromImage");
    if (!from) throw badRequest("fromImage or fromSrc is required");
    const tag = req.query.get("tag");
    const ref = parseReference(tag ? (tag.startsWith("sha256:") ? `${from}@${tag}` : `${from}:${tag}`) : from);
    const messages = pull(ref, { store: e.images, registries: e.registries, agent: safeAgent(e), creds: credentialsFromHeader(req.headers.get("x-registry-auth")) });
    // Fail before the stream starts when the image does not exist, as dockerd does, so the status is 404.
    const first = await messages.next();
    const second = first.done ? first : await messages.next().catch((err: unknown) => {
      throw err instanceof ApiError ? err : new ApiError(500, (err as Error).message);
    });
    async function* all() {
      if (!first.done) yield first.value;
      if (!second.done) yield second.value;
      if (second.done) return;
      yield* messages;
    }
    const done = (async function* () {
      for await (const m of jsonLines(all())) yield m;
      const img = e.images.resolve(familiarString(ref));
      if (img) e.events.emit("image", "pull", familiarString(ref), { name: familiarString(ref) });
    })();
    return { status: 200, headers: { "Content-Type": "application/json" }, body: done };
  });

  r.on("GET", "/images/json", async (req) => {
    const all = bool(req.query.get("all"));
    const filters = parseFilters(req.query.get("filters"));
    let list = e.images.list();
    // Untagged images other images were built on are intermediate: listed with -a only.
    if (!all) list = list.filter((i) => e.images.repoTags(i.id).length || !e.images.children(i.id).length);
    if (filters.reference) list = list.filter((i) => e.images.repoTags(i.id).some((t) => filters.reference.some((f) => matchRef(t, f))));
    if (filters.dangling) list = list.filter((i) => (e.images.repoTags(i.id).length === 0) === (filters.dangling[0] === "true"));
    return json(200, list.map((i) => summary(e, i)));
  });

  r.on("GET", "/images/{name*}/json", async (req) => json(200, inspect(e, e.images.mustResolve(req.params.name))));

  r.on("GET", "/images/{name*}/history", async (req) => {
    const img = e.images.mustResolve(req.params.name);
    const hist = img.config.history ?? [];
    let layer = 0;
    // Docker shows the ID of each local image in the chain (the build's intermediate images).
    const ids = new Map<number, string>();
    for (let p: Image | undefined = img; p; p = p.parent ? e.images.get(p.parent) : undefined) ids.set((p.config.history ?? []).length - 1, p.id);
    const sizes = await Promise.all(img.layers.map((l) => layerContentSize(e.images, l)));
    const rows = hist.map((h, i) => {
      const size = h.empty_layer ? 0 : sizes[layer++] ?? 0;
      return { Id: ids.get(i) ?? "<missing>", Created: Math.floor(Date.parse(h.created ?? img.config.created ?? "1970-01-01T00:00:00Z") / 1000), CreatedBy: h.created_by ?? "", Tags: i === hist.length - 1 ? e.images.repoTags(img.id) : null, Size: size, Comment: h.comment ?? "" };
    });
    return json(200, rows.reverse());
  });

  r.on("POST", "/images/{name*}/tag", async (req) => {
    const img = e.images.mustResolve(req.params.name);
    const repo = req.query.get("repo");
    if (!repo) throw badRequest("repository name must have at least one component");
    const ref = parseReference(req.query.get("tag") ? `${repo}:${req.query.get("tag")}` : repo);
    if (ref.digest) throw badRequest("refusing to create a tag with a digest reference");
    await e.images.tag(img.id, ref);
    e.events.emit("image", "tag", img.id, { name: familiarString(ref) });
    return { status: 201 };
  });

  r.on("POST", "/images/{name*}/push", async (req) => {
    const tag = req.query.get("tag");
    const ref = parseReference(tag ? `${req.params.name}:${tag}` : req.params.name);
    const img = e.images.resolve(familiarString(ref));
    if (!img) throw noSuchImage(familiarString(ref));
    const messages = push(ref, img, { store: e.images, registries: e.registries, creds: credentialsFromHeader(req.headers.get("x-registry-auth")) });
    return { status: 200, headers: { "Content-Type": "application/json" }, body: jsonLines(messages) };
  });

  r.on("DELETE", "/images/{name*}", async (req) => {
    const name = req.params.name;
    const force = bool(req.query.get("force"));
    const img = e.images.resolve(name);
    if (!img) throw noSuchImage(name);
    const users = e.containers.all().filter((c) => c.imageId === img.id);
    const out: Record<string, string>[] = [];
    const byId = /^(sha256:)?[a-f0-9]{6,64}$/.test(name) && img.id.includes(name.replace("sha256:", ""));
    const tags = e.images.repoTags(img.id);
    if (!byId && tags.length > 1) {
      // One of several names: just untag.
      await e.images.untag(parseReference(name));
      out.push({ Untagged: familiarString(parseReference(name)) });
      e.events.emit("image", "untag", img.id, { name });
      return json(200, out);
    }
    const running = users.find((c) => c.state.Running);
    const short = img.id.slice(7, 19);
    if (byId && running) throw conflict(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${running.shortId}`);
    if (users.length && !force) {
      if (byId) throw conflict(`conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${users[0].shortId}`);
      throw conflict(`conflict: unable to remove repository reference "${name}" (must force) - container ${users[0].shortId} is using its referenced image ${short}`);
    }
    if (byId && tags.length > 1 && !force) throw conflict(`conflict: unable to delete ${img.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
    for (const t of tags) {
      await e.images.untag(parseReference(t));
      out.push({ Untagged: t });
    }
    for (const d of e.images.repoDigests(img.id)) out.push({ Untagged: d });
    if (!users.length) {
      const agent = safeAgent(e);
      // Untagged parents nothing else uses go too: a build's intermediate images, as Docker removes them.
      for (let cur: Image | undefined = img; cur; ) {
        const parent: Image | undefined = cur.parent ? e.images.get(cur.parent) : undefined;
        const freed = await e.images.delete(cur.id);
        out.push({ Deleted: cur.id });
        for (const diff of freed) await agent?.removeLayer(diff).catch(() => {});
        e.events.emit("image", "delete", cur.id, { name });
        const keep: boolean = !parent || e.images.repoTags(parent.id).length > 0 || e.images.children(parent.id).length > 0 || e.containers.all().some((c) => c.imageId === parent.id);
        cur = keep ? undefined : parent;
      }
    }
    return json(200, out);
  });

  r.on("POST", "/images/prune", async (req) => {
    const filters = parseFilters(req.query.get("filters"));
    const danglingOnly = !filters.dangling || filters.dangling[0] !== "false";
    const used = new Set(e.containers.all().map((c) => c.imageId));
    const out: Record<string, string>[] = [];
    let reclaimed = 0;
    for (const img of e.images.list()) {
      if (used.has(img.id)) continue;
      if (danglingOnly && e.images.repoTags(img.id).length) continue;
      for (const t of e.images.repoTags(img.id)) {
        await e.images.untag(parseReference(t));
        out.push({ Untagged: t });
      }
      reclaimed += e.images.size(img);
      await e.images.delete(img.id);
      out.push({ Deleted: img.id });
    }
    return json(200, { ImagesDeleted: out.length ? out : null, SpaceReclaimed: reclaimed });
  });
}

function safeAgent(e: Engine) {
  try {
    return e.agent();
  } catch {
    return undefined;
  }
}

function matchRef(tag: string, pattern: string): boolean {
  const re = new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, ".") + "(:.*)?$");
  return re.test(tag);
}

export function summary(e: Engine, i: Image) {
  return {
    Containers: -1,
    Created: Math.floor(Date.parse(i.config.created ?? "1970-01-01T00:00:00Z") / 1000),
    Id: i.id,
    Labels: i.config.config?.Labels ?? null,
    ParentId: i.parent ?? "",
    RepoDigests: e.images.repoDigests(i.id),
    RepoTags: e.images.repoTags(i.id),
    SharedSize: -1,
    Size: e.images.size(i),
    VirtualSize: e.images.size(i),
  };
}

export function inspect(e: Engine, i: Image) {
  const c = i.config;
  return {
    Id: i.id,
    RepoTags: e.images.repoTags(i.id),
    RepoDigests: e.images.repoDigests(i.id),
    Parent: i.parent ?? "",
    Comment: "",
    Created: c.created ?? "1970-01-01T00:00:00Z",
    Container: "",
    ContainerConfig: c.container_config ?? {},
    DockerVersion: (c.docker_version as string) ?? "",
    Author: c.author ?? "",
    Config: { Hostname: "", Domainname: "", User: "", AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: "", Volumes: null, WorkingDir: "", Entrypoint: null, OnBuild: null, Labels: null, ...c.config },
    Architecture: c.architecture ?? "386",
    Os: c.os ?? "linux",
    Size: e.images.size(i),
    VirtualSize: e.images.size(i),
    GraphDriver: { Name: "overlay2", Data: { MergedDir: "", UpperDir: "", WorkDir: "" } },
    RootFS: { Type: "layers", Layers: c.rootfs.diff_ids },
    Metadata: { LastTagTime: new Date(i.addedAt).toISOString() },
  };
}

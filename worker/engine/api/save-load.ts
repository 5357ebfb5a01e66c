// docker save / docker load: a tar with an OCI image layout (oci-layout, index.json,
// blobs/sha256/…) plus Docker's manifest.json and repositories, as Docker 25+ writes
// it. Loading also takes the older format (manifest.json naming <id>/layer.tar files)
// that Docker 20.10 writes, and a bare OCI layout.
import { collect, digestOf, gunzip, isGzip, readLayer, storeLayer } from "../build/layers.ts";
import { readTar, tarEntry, TAR_END } from "../build/tar.ts";
import type { Engine } from "../engine.ts";
import { ApiError, badRequest } from "../errors.ts";
import type { Image, ImageConfig, LayerRecord } from "../images/image-store.ts";
import { familiarName, familiarString, parseReference, withDefaultTag } from "../images/reference.ts";
import type { Router } from "../router.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

export function saveLoadRoutes(r: Router, e: Engine): void {
  const save = async (names: string[]) => {
    if (!names.length) throw badRequest("no images specified");
    const wanted = names.map((n) => ({ name: n, img: e.images.mustResolve(n) }));
    return { status: 200, headers: { "Content-Type": "application/x-tar" }, body: saveTar(e, wanted) };
  };
  r.on("GET", "/images/get", async (req) => save(req.query.getAll("names")));
  r.on("GET", "/images/{name*}/get", async (req) => save([req.params.name]));

  r.on("POST", "/images/load", async (req) => {
    const quiet = req.query.get("quiet") === "1" || req.query.get("quiet") === "true";
    const files = new Map<string, Uint8Array>();
    let body = await collect(req.body);
    if (isGzip(body)) body = await gunzip(body);
    for await (const t of readTar(body)) if (t.header.type === "file") files.set(t.header.name, t.data);
    const loaded = await loadArchive(e, files);
    void quiet;
    const lines = loaded.map((l) => JSON.stringify({ stream: l.tags.length ? l.tags.map((t) => `Loaded image: ${t}\n`).join("") : `Loaded image ID: ${l.id}\n` }) + "\r\n");
    return { status: 200, headers: { "Content-Type": "application/json" }, body: lines.join("") };
  });
}

async function* saveTar(e: Engine, wanted: { name: string; img: Image }[]): AsyncGenerator<Uint8Array> {
  const now = Math.floor(Date.now() / 1000);
  const written = new Set<string>();
  const file = function* (name: string, data: Uint8Array) {
    if (written.has(name)) return;
    written.add(name);
    yield* tarEntry({ name, type: "file", mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: now }, data);
  };
  const dir = function* (name: string) {
    if (written.has(name)) return;
    written.add(name);
    yield* tarEntry({ name, type: "dir", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: now });
  };
  yield* dir("blobs");
  yield* dir("blobs/sha256");
  const manifestJson: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const index: Record<string, unknown>[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const byImage = new Map<string, string[]>();
  for (const { name, img } of wanted) {
    // A name saves that tag only; an ID saves the image with all its tags, as Docker does.
    const byId = /^(sha256:)?[0-9a-f]{6,64}$/.test(name) && img.id.includes(name.replace(/^sha256:/, ""));
    const tags = byId ? e.images.repoTags(img.id) : [familiarString(withDefaultTag(parseReference(name)))];
    byImage.set(img.id, [...new Set([...(byImage.get(img.id) ?? []), ...tags])]);
  }
  for (const [id, tags] of byImage) {
    const img = e.images.get(id)!;
    yield* file(`blobs/sha256/${hex(img.id)}`, img.configBytes);
    const layers: { mediaType: string; digest: string; size: number }[] = [];
    for (const l of img.layers) {
      const tar = await readLayer(e.images, l);
      yield* file(`blobs/sha256/${hex(l.diffId)}`, tar);
      layers.push({ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: l.diffId, size: tar.length });
    }
    const manifest = enc.encode(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: img.id, size: img.configBytes.length }, layers }));
    const mdigest = digestOf(manifest);
    yield* file(`blobs/sha256/${hex(mdigest)}`, manifest);
    const desc = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: mdigest, size: manifest.length };
    if (!tags.length) index.push(desc);
    for (const t of tags) {
      const ref = withDefaultTag(parseReference(t));
      index.push({ ...desc, annotations: { "io.containerd.image.name": `${ref.domain}/${ref.path}:${ref.tag}`, "org.opencontainers.image.ref.name": ref.tag } });
      (repositories[familiarName(ref)] ??= {})[ref.tag!] = hex(img.id);
    }
    manifestJson.push({ Config: `blobs/sha256/${hex(img.id)}`, RepoTags: tags.length ? tags : null, Layers: img.layers.map((l) => `blobs/sha256/${hex(l.diffId)}`) });
  }
  yield* file("index.json", enc.encode(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: index })));
  yield* file("manifest.json", enc.encode(JSON.stringify(manifestJson)));
  yield* file("oci-layout", enc.encode(JSON.stringify({ imageLayoutVersion: "1.0.0" })));
  if (Object.keys(repositories).length) yield* file("repositories", enc.encode(JSON.stringify(repositories)));
  yield TAR_END;
}

const hex = (d: string) => d.replace(/^sha256:/, "");

/** Stores every image an archive holds; returns their IDs and tags. */
export async function loadArchive(e: Engine, files: Map<string, Uint8Array>): Promise<{ id: string; tags: string[] }[]> {
  const need = (path: string) => {
    const f = files.get(path.replace(/^\.?\//, ""));
    if (!f) throw new ApiError(500, `invalid archive: ${path} is missing`);
    return f;
  };
  const entries: { config: Uint8Array; layers: Uint8Array[]; tags: string[] }[] = [];
  const mj = files.get("manifest.json");
  if (mj) {
    for (const m of JSON.parse(dec.decode(mj)) as { Config: string; RepoTags: string[] | null; Layers: string[] }[]) {
      entries.push({ config: need(m.Config), layers: m.Layers.map(need), tags: m.RepoTags ?? [] });
    }
  } else if (files.has("index.json")) {
    const blob = (d: string) => need(`blobs/${d.replace(":", "/")}`);
    const walk = (desc: { mediaType?: string; digest: string; annotations?: Record<string, string> }, tag?: string) => {
      const body = JSON.parse(dec.decode(blob(desc.digest)));
      const name = desc.annotations?.["io.containerd.image.name"] ?? tag;
      if (Array.isArray(body.manifests)) {
        for (const m of body.manifests) if (!m.platform || m.platform.architecture === "386" || body.manifests.length === 1) walk(m, name);
        return;
      }
      entries.push({ config: blob(body.config.digest), layers: body.layers.map((l: { digest: string }) => blob(l.digest)), tags: name && name.includes(":") ? [name] : [] });
    };
    for (const m of JSON.parse(dec.decode(files.get("index.json")!)).manifests) walk(m, m.annotations?.["io.containerd.image.name"]);
  } else throw new ApiError(500, "invalid archive: neither manifest.json nor index.json found");

  const out: { id: string; tags: string[] }[] = [];
  for (const ent of entries) {
    const config = JSON.parse(dec.decode(ent.config)) as ImageConfig;
    const id = digestOf(ent.config);
    const layers: LayerRecord[] = [];
    for (const [i, raw] of ent.layers.entries()) {
      const tar = isGzip(raw) ? await gunzip(raw) : raw;
      const rec = await storeLayer(e.images, tar);
      if (config.rootfs?.diff_ids?.[i] !== rec.diffId) throw new ApiError(500, `invalid archive: layer ${i} is ${rec.diffId}, the config says ${config.rootfs?.diff_ids?.[i]}`);
      layers.push(rec);
    }
    await e.images.add(ent.config, config, id, layers);
    const tags: string[] = [];
    for (const t of ent.tags) {
      const ref = parseReference(t);
      await e.images.tag(id, ref);
      tags.push(familiarString(withDefaultTag(ref)));
    }
    e.events.emit("image", "load", id, { name: tags[0] ?? id });
    out.push({ id, tags });
  }
  return out;
}

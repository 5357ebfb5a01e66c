// The classic builder (DOCKER_BUILDKIT=0), as dockerd's builder/dockerfile does it:
// every instruction after FROM makes a new image on top of the last one. RUN runs a
// container and keeps its changes as a layer; COPY and ADD make a layer from the
// context; the rest change only the config and add a history entry marked
// empty_layer. Each step's image is kept (untagged) so the next build can reuse it.
import type { ExitInfo } from "../../link/agent-api.ts";
import { Container } from "../containers/container.ts";
import { randomId } from "../containers/names.ts";
import { buildSpec, DEFAULT_PATH, mergeEnv } from "../containers/oci-spec.ts";
import { ENGINE_VERSION, type Engine } from "../engine.ts";
import type { ContainerConfigPart, Image, ImageConfig, LayerRecord } from "../images/image-store.ts";
import type { ProgressMessage } from "../images/progress.ts";
import { pull, PLATFORM, streamOf } from "../images/pull.ts";
import { familiarString, parseReference } from "../images/reference.ts";
import { findCached } from "./cache.ts";
import type { BuildContext } from "./context.ts";
import { DockerfileError, parseDockerfile, type Instruction } from "./dockerfile-parser.ts";
import { envFrom, expandWord, expandWords, splitRaw, type Env } from "./expand.ts";
import { digestOf, gunzip, isEmptyTar, isGzip, storeLayer, collect } from "./layers.ts";
import { lookupUser, RootFs } from "./rootfs.ts";
import { cleanName, readTar, writeTar, type TarEntry, type TarHeader } from "./tar.ts";

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  target: string;
  labels: Record<string, string>;
  noCache: boolean;
  quiet: boolean;
  pull: boolean;
}

/** A failed step: errorDetail carries the code (a RUN's exit status) the CLI exits with. */
export class BuildError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

const DEFAULT_SHELL = ["/bin/sh", "-c"];
/** Proxy variables may be passed without an ARG for them, and stay out of history unless declared. */
const BUILTIN_ARGS = new Set(["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]);

interface Stage {
  name?: string;
  from: Instruction;
  commands: Instruction[];
}

interface State {
  name?: string;
  imageId: string;
  config: ImageConfig;
  layers: LayerRecord[];
  runConfig: ContainerConfigPart;
  /** ARGs declared in this stage, with their values (undefined: declared, no value). */
  args: Map<string, string | undefined>;
  cmdSet: boolean;
  fs?: RootFs;
}

export async function* build(e: Engine, ctx: BuildContext, o: BuildOptions): AsyncGenerator<ProgressMessage, string> {
  const out = (s: string): ProgressMessage => ({ stream: s });
  const quiet = o.quiet;
  const say = function* (s: string) {
    if (!quiet) yield out(s);
  };

  let df;
  try {
    df = parseDockerfile(ctx.dockerfile(o.dockerfile));
    ctx.applyIgnore();
  } catch (err) {
    throw new BuildError((err as Error).message);
  }
  const escape = df.escape;

  // Split into ARGs before the first FROM (they parameterize FROM lines) and stages.
  const metaArgs: Instruction[] = [];
  let stages: Stage[] = [];
  for (const ins of df.instructions) {
    if (ins.keyword === "FROM") {
      const w = splitRaw(ins.rest, escape);
      stages.push({ name: w.length === 3 ? w[2].toLowerCase() : undefined, from: ins, commands: [] });
    } else if (!stages.length) {
      if (ins.keyword !== "ARG") throw new BuildError(`dockerfile parse error on line ${ins.startLine}: no build stage in current context`);
      metaArgs.push(ins);
    } else stages.at(-1)!.commands.push(ins);
  }
  if (!stages.length) throw new BuildError("No image was generated. Is your Dockerfile empty?");
  if (o.target) {
    const ix = stages.findIndex((s) => s.name === o.target.toLowerCase());
    if (ix < 0) throw new BuildError(`failed to reach build target ${o.target} in Dockerfile`);
    stages = stages.slice(0, ix + 1);
  }
  const total = metaArgs.length + stages.reduce((n, s) => n + 1 + s.commands.length, 0);
  let step = 0;
  const stepLine = (ins: Instruction) => `Step ${++step}/${total} : ${ins.original.trim()}\n`;

  const provided = new Map<string, string>();
  for (const [k, v] of Object.entries(o.buildArgs)) if (v !== null && v !== undefined) provided.set(k, v);
  const consumed = new Set<string>();

  // Meta ARGs: their values feed FROM, and an in-stage `ARG name` picks them up.
  const meta = new Map<string, string | undefined>();
  for (const ins of metaArgs) {
    yield* say(stepLine(ins));
    for (const a of parseArgs(ins, metaEnv(meta), escape)) {
      consumed.add(a.key);
      meta.set(a.key, provided.get(a.key) ?? a.value);
    }
  }

  const done: State[] = [];
  let state!: State;
  for (const stage of stages) {
    yield* say(stepLine(stage.from));
    const words = splitRaw(stage.from.rest, escape);
    let baseName: string;
    try {
      baseName = expandWord(words[0], metaEnv(meta), escape);
    } catch (err) {
      throw new BuildError(`failed to process "${words[0]}": ${(err as Error).message}`);
    }
    const prev = done.find((s) => s.name === baseName.toLowerCase());
    if (prev) state = fork(prev, stage.name);
    else if (baseName === "scratch") state = newState(stage.name, undefined);
    else {
      const img = yield* ensureImage(e, baseName, o.pull, quiet);
      state = newState(stage.name, img);
    }
    yield* say(` ---> ${short(state.imageId)}\n`);

    for (const ins of stage.commands) {
      yield* say(stepLine(ins));
      const env = (): Env => {
        const m = envFrom(state.runConfig.Env ?? []);
        for (const [k, v] of state.args) if (v !== undefined && !m.has(k)) m.set(k, v);
        return m;
      };
      const x = (w: string) => {
        try {
          return expandWord(w, env(), escape);
        } catch (err) {
          throw new BuildError(`failed to process "${w}": ${(err as Error).message}`);
        }
      };
      const rc = state.runConfig;
      switch (ins.keyword) {
        case "RUN":
          yield* run(e, state, ins, o.noCache, quiet, consumed);
          break;
        case "COPY":
        case "ADD":
          yield* copy(e, state, ins, ctx, done, x, escape, o);
          break;
        case "ENV": {
          const pairs = nameValues(ins, escape).map(([k, v]) => [k, x(v)] as const);
          for (const [k, v] of pairs) rc.Env = mergeEnv(rc.Env ?? [], [`${k}=${v}`]);
          yield* commitMeta(e, state, `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`, o.noCache, quiet);
          break;
        }
        case "LABEL": {
          const pairs = nameValues(ins, escape).map(([k, v]) => [x(k), x(v)] as const);
          rc.Labels = { ...rc.Labels };
          for (const [k, v] of pairs) rc.Labels[k] = v;
          yield* commitMeta(e, state, `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`, o.noCache, quiet);
          break;
        }
        case "ARG": {
          const parts: string[] = [];
          for (const a of parseArgs(ins, env(), escape)) {
            consumed.add(a.key);
            const value = provided.get(a.key) ?? a.value ?? meta.get(a.key);
            state.args.set(a.key, value);
            parts.push(a.value !== undefined ? `${a.key}=${a.value}` : a.key);
          }
          yield* commitMeta(e, state, `ARG ${parts.join(" ")}`, o.noCache, quiet);
          break;
        }
        case "WORKDIR":
          yield* workdir(e, state, x(ins.rest), o.noCache, quiet);
          break;
        case "CMD":
          rc.Cmd = ins.json ?? [...(rc.Shell ?? DEFAULT_SHELL), ins.rest];
          state.cmdSet = true;
          yield* commitMeta(e, state, `CMD ${goQuote(rc.Cmd)}`, o.noCache, quiet);
          break;
        case "ENTRYPOINT":
          rc.Entrypoint = ins.json ?? [...(rc.Shell ?? DEFAULT_SHELL), ins.rest];
          // An ENTRYPOINT drops the base image's CMD unless this stage set one.
          if (!state.cmdSet) rc.Cmd = null as unknown as undefined;
          yield* commitMeta(e, state, `ENTRYPOINT ${goQuote(rc.Entrypoint)}`, o.noCache, quiet);
          break;
        case "EXPOSE": {
          const ports = expandWords(ins.rest, env(), escape);
          rc.ExposedPorts = { ...rc.ExposedPorts };
          for (const p of ports) {
            const [range, proto = "tcp"] = p.split("/");
            const [a, b = a] = range.split("-").map(Number);
            if (!Number.isInteger(a) || !Number.isInteger(b)) throw new BuildError(`invalid containerPort: ${range}`);
            for (let n = a; n <= b; n++) rc.ExposedPorts[`${n}/${proto.toLowerCase()}`] = {};
          }
          // dockerd sorts the port specs in the history text.
          yield* commitMeta(e, state, `EXPOSE ${[...ports].sort().join(" ")}`, o.noCache, quiet);
          break;
        }
        case "USER":
          rc.User = x(ins.rest);
          yield* commitMeta(e, state, `USER ${rc.User}`, o.noCache, quiet);
          break;
        case "VOLUME": {
          const vols = ins.json ?? expandWords(ins.rest, env(), escape);
          rc.Volumes = { ...rc.Volumes };
          for (const v of vols) {
            if (!v.trim()) throw new BuildError("VOLUME specified can not be an empty string");
            rc.Volumes[v] = {};
          }
          yield* commitMeta(e, state, `VOLUME [${vols.join(" ")}]`, o.noCache, quiet);
          break;
        }
        case "STOPSIGNAL": {
          const sig = x(ins.rest);
          if (!/^(SIG)?[A-Z0-9]+$|^\d+$/.test(sig)) throw new BuildError(`Invalid signal: ${sig}`);
          rc.StopSignal = sig;
          yield* commitMeta(e, state, `STOPSIGNAL ${sig}`, o.noCache, quiet);
          break;
        }
        case "SHELL":
          rc.Shell = ins.json!;
          yield* commitMeta(e, state, `SHELL [${rc.Shell.join(" ")}]`, o.noCache, quiet);
          break;
        case "HEALTHCHECK": {
          const hc = healthcheck(ins);
          rc.Healthcheck = hc;
          yield* commitMeta(e, state, `HEALTHCHECK ${goHealth(hc)}`, o.noCache, quiet);
          break;
        }
        case "MAINTAINER":
          state.config = { ...state.config, author: x(ins.rest) };
          yield* commitMeta(e, state, `MAINTAINER ${x(ins.rest)}`, o.noCache, quiet);
          break;
        case "ONBUILD": {
          const trigger = ins.rest.replace(/^(\S+)/, (k) => k.toUpperCase());
          if (/^(ONBUILD|FROM|MAINTAINER)\b/.test(trigger)) throw new BuildError(`${trigger.split(" ")[0]} isn't allowed as an ONBUILD trigger`);
          rc.OnBuild = [...(rc.OnBuild ?? []), trigger];
          yield* commitMeta(e, state, `ONBUILD ${trigger}`, o.noCache, quiet);
          break;
        }
      }
      yield* say(` ---> ${short(state.imageId)}\n`);
    }
    done.push(state);
  }

  const unused = [...provided.keys()].filter((k) => !consumed.has(k) && !BUILTIN_ARGS.has(k)).sort();
  if (unused.length) yield* say(`[Warning] One or more build-args [${unused.join(" ")}] were not consumed\n`);

  // --label applies to the final image, as one more config change.
  if (Object.keys(o.labels).length) {
    state.runConfig.Labels = { ...state.runConfig.Labels, ...o.labels };
    yield* commitMeta(e, state, `LABEL ${Object.entries(o.labels).map(([k, v]) => `${k}=${v}`).join(" ")}`, true, true);
  }
  if (!state.imageId) throw new BuildError("No image was generated. Is your Dockerfile empty?");
  const id = state.imageId;
  yield { aux: { ID: id } };
  if (quiet) yield out(`${id}\n`);
  else yield out(`Successfully built ${short(id)}\n`);
  for (const t of o.tags) {
    const ref = parseReference(t);
    await e.images.tag(id, ref);
    e.events.emit("image", "tag", id, { name: familiarString(ref) });
    yield* say(`Successfully tagged ${familiarString(ref.tag || ref.digest ? ref : { ...ref, tag: "latest" })}\n`);
  }
  return id;
}

const short = (id: string) => id.replace(/^sha256:/, "").slice(0, 12);

function metaEnv(meta: Map<string, string | undefined>): Env {
  const m: Env = new Map();
  for (const [k, v] of meta) if (v !== undefined) m.set(k, v);
  return m;
}

function newState(name: string | undefined, img: Image | undefined): State {
  const config: ImageConfig = img ? structuredClone(img.config) : { architecture: PLATFORM.architecture, os: PLATFORM.os, rootfs: { type: "layers", diff_ids: [] }, history: [] };
  const runConfig: ContainerConfigPart = structuredClone(config.config ?? {});
  // No PATH in the base (scratch, for one): Docker adds the default one.
  if (!(runConfig.Env ?? []).some((v) => v.startsWith("PATH="))) runConfig.Env = [...(runConfig.Env ?? []), DEFAULT_PATH];
  return { name, imageId: img?.id ?? "", config, layers: img ? [...img.layers] : [], runConfig, args: new Map(), cmdSet: false };
}

/** A stage built FROM an earlier stage: that stage's result, with its own ARG scope. */
function fork(prev: State, name: string | undefined): State {
  return { ...prev, name, config: structuredClone(prev.config), layers: [...prev.layers], runConfig: structuredClone(prev.runConfig), args: new Map(), cmdSet: false };
}

/** A local image, or pulled (its progress in the stream) as the classic builder does. */
async function* ensureImage(e: Engine, name: string, forcePull: boolean, quiet: boolean): AsyncGenerator<ProgressMessage, Image> {
  let ref;
  try {
    ref = parseReference(name);
  } catch (err) {
    throw new BuildError((err as Error).message);
  }
  const local = e.images.resolve(name);
  if (local && !forcePull) return local;
  let agent;
  try {
    agent = e.agent();
  } catch {
    agent = undefined;
  }
  try {
    const msgs = pull(ref, { store: e.images, registries: e.registries, agent });
    for (;;) {
      const r = await msgs.next();
      if (r.done) return e.images.get(r.value)!;
      if (!quiet) yield r.value;
    }
  } catch (err) {
    if (local) return local;
    throw new BuildError((err as Error).message);
  }
}

/** Name/value pairs of ENV and LABEL: `k=v k2="x y"`, or the old `ENV k the rest`. */
function nameValues(ins: Instruction, escape: string): [string, string][] {
  const words = splitRaw(ins.rest, escape);
  if (!words[0].includes("=")) {
    const key = words[0];
    return [[key, ins.rest.slice(ins.rest.indexOf(key) + key.length).trim()]];
  }
  return words.map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]);
}

function parseArgs(ins: Instruction, env: Env, escape: string): { key: string; value?: string }[] {
  return splitRaw(ins.rest, escape).map((w) => {
    const i = w.indexOf("=");
    if (i < 0) return { key: w };
    return { key: w.slice(0, i), value: expandWord(w.slice(i + 1), env, escape) };
  });
}

/** Go's %q of a []string, as Docker's history shows CMD and ENTRYPOINT. */
const goQuote = (list: string[] | null | undefined) => `[${(list ?? []).map((s) => JSON.stringify(s)).join(" ")}]`;

function goDuration(ns: number): string {
  if (!ns) return "0s";
  const s = ns / 1e9;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = +(s % 60).toFixed(9);
  return (h ? `${h}h` : "") + (h || m ? `${m}m` : "") + `${sec}s`;
}

interface HealthConfig {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

function healthcheck(ins: Instruction): HealthConfig {
  const rest = ins.rest.trim();
  if (/^NONE$/i.test(rest)) return { Test: ["NONE"] };
  const dur = (flag: string): number => {
    const v = ins.flags[flag];
    if (v === undefined) return 0;
    let ns = 0;
    const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g;
    const unit: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
    let m;
    let seen = "";
    while ((m = re.exec(v))) {
      ns += Number(m[1]) * unit[m[2]];
      seen += m[0];
    }
    if (seen !== v) throw new BuildError(`time: invalid duration "${v}"`);
    return ns;
  };
  const cmd = rest.replace(/^CMD\s+/i, "");
  const test = ins.json ? ["CMD", ...ins.json] : ["CMD-SHELL", cmd];
  const hc: HealthConfig = { Test: test, Interval: dur("interval"), Timeout: dur("timeout"), StartPeriod: dur("start-period") };
  hc.Retries = ins.flags.retries ? Number(ins.flags.retries) : 0;
  return hc;
}

function goHealth(h: HealthConfig): string {
  if (h.Test[0] === "NONE") return `&{[NONE] 0s 0s 0s 0}`;
  return `&{[${h.Test.join(" ")}] ${goDuration(h.Interval ?? 0)} ${goDuration(h.Timeout ?? 0)} ${goDuration(h.StartPeriod ?? 0)} ${h.Retries ?? 0}}`;
}

/** The config a step is recorded (and looked up in the cache) with: Cmd holds the step. */
function stepConfig(s: State, cmd: string[]): ContainerConfigPart {
  return { ...structuredClone(s.runConfig), Cmd: cmd };
}

/** A metadata step: an empty layer, via the cache when it can. */
async function* commitMeta(e: Engine, s: State, comment: string, noCache: boolean, quiet: boolean): AsyncGenerator<ProgressMessage> {
  const sc = stepConfig(s, [...(s.runConfig.Shell ?? DEFAULT_SHELL), "#(nop) ", comment]);
  if (yield* probe(e, s, sc, noCache, quiet)) return;
  // dockerd creates a container it never starts just to commit it; there is nothing
  // to run here, but the stream says what Docker's says.
  const cid = randomId();
  if (!quiet) yield { stream: ` ---> Running in ${cid.slice(0, 12)}\n` };
  await commit(e, s, sc, sc.Cmd!.join(" "), undefined, cid);
  if (!quiet) yield { stream: `Removing intermediate container ${cid.slice(0, 12)}\n` };
}

async function* probe(e: Engine, s: State, sc: ContainerConfigPart, noCache: boolean, quiet: boolean): AsyncGenerator<ProgressMessage, boolean> {
  if (noCache) return false;
  const hit = findCached(e.images, s.imageId, sc);
  if (!hit) return false;
  if (!quiet) yield { stream: " ---> Using cache\n" };
  s.imageId = hit.id;
  s.config = structuredClone(hit.config);
  s.layers = [...hit.layers];
  s.runConfig = structuredClone(hit.config.config ?? {});
  s.fs = undefined;
  return true;
}

/** Makes the step's image: the parent's config and history plus this step, and the layer if any. */
async function commit(e: Engine, s: State, sc: ContainerConfigPart, createdBy: string, layerTar: Uint8Array | undefined, cid: string): Promise<void> {
  const created = new Date().toISOString();
  let empty = true;
  if (layerTar && !(await isEmptyTar(layerTar))) {
    const rec = await storeLayer(e.images, layerTar);
    s.layers = [...s.layers, rec];
    empty = false;
    if (s.fs) {
      s.fs = s.fs.clone();
      await s.fs.apply(layerTar);
    }
  }
  const history = [...(s.config.history ?? []), empty ? { created, created_by: createdBy, empty_layer: true } : { created, created_by: createdBy }];
  const { config: _c, container_config: _cc, container: _ct, created: _cr, history: _h, rootfs: _r, ...rest } = s.config;
  const config: ImageConfig = {
    ...rest,
    architecture: s.config.architecture ?? PLATFORM.architecture,
    os: s.config.os ?? PLATFORM.os,
    config: { ...structuredClone(s.runConfig), Image: s.imageId },
    container: cid,
    container_config: { ...sc, Hostname: cid.slice(0, 12), Image: s.imageId },
    created,
    docker_version: ENGINE_VERSION,
    history,
    rootfs: { type: "layers", diff_ids: s.layers.map((l) => l.diffId) },
  };
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  const id = digestOf(bytes);
  await e.images.add(bytes, config, id, s.layers, s.imageId);
  s.imageId = id;
  s.config = config;
}

async function fsOf(e: Engine, s: State): Promise<RootFs> {
  if (!s.fs) s.fs = (await RootFs.of(e.images, s.imageId ? e.images.get(s.imageId) : undefined)).clone();
  return s.fs;
}

async function* workdir(e: Engine, s: State, dir: string, noCache: boolean, quiet: boolean): AsyncGenerator<ProgressMessage> {
  const path = dir.startsWith("/") ? "/" + cleanName(dir) : "/" + cleanName(`${s.runConfig.WorkingDir || "/"}/${dir}`);
  s.runConfig.WorkingDir = path;
  const sc = stepConfig(s, [...(s.runConfig.Shell ?? DEFAULT_SHELL), `#(nop) WORKDIR ${path}`]);
  if (yield* probe(e, s, sc, noCache, quiet)) return;
  const cid = randomId();
  if (!quiet) yield { stream: ` ---> Running in ${cid.slice(0, 12)}\n` };
  // The directory is created in the container: a real layer when it was not there.
  const fs = await fsOf(e, s);
  const entries = ancestors(fs, fs.resolve(path) + "/x", { uid: 0, gid: 0 }, Math.floor(Date.now() / 1000)).filter((x) => !fs.get(x.header.name));
  await commit(e, s, sc, sc.Cmd!.join(" "), entries.length ? writeTar(entries) : undefined, cid);
  if (!quiet) yield { stream: `Removing intermediate container ${cid.slice(0, 12)}\n` };
}

/** Directory entries for each parent of `path`: existing ones as they are (the overlay copies them up), missing ones made. */
function ancestors(fs: RootFs, path: string, owner: { uid: number; gid: number }, mtime: number): TarEntry[] {
  const parts = cleanName(path).split("/").slice(0, -1);
  const out: TarEntry[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const name = parts.slice(0, i).join("/");
    const have = fs.get(name);
    if (have && have.header.type === "dir") out.push({ header: { ...have.header, mtime }, data: new Uint8Array(0) });
    else out.push({ header: { name, type: "dir", mode: 0o755, uid: owner.uid, gid: owner.gid, size: 0, mtime }, data: new Uint8Array(0) });
  }
  return out;
}

/** filepath.Match for one path component pattern set. */
function globRe(pattern: string): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += "[" + pattern.slice(i + 1, end).replace(/^\^|^!/, "^") + "]";
        i = end;
      }
    } else if (ch === "\\" && i + 1 < pattern.length) re += pattern[++i].replace(/[.+^${}()|[\]\\]/g, "\\$&");
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(re + "$");
}

interface Source {
  /** Path in the source tree, "" for its root. */
  path: string;
  get(p: string): TarEntry | undefined;
  list(): string[];
}

async function* copy(e: Engine, s: State, ins: Instruction, ctx: BuildContext, done: State[], x: (w: string) => string, escape: string, o: BuildOptions): AsyncGenerator<ProgressMessage> {
  const isAdd = ins.keyword === "ADD";
  const raw = ins.json ?? splitRaw(ins.rest, escape);
  const args = raw.map((w) => (ins.json ? x(w.replace(/"/g, '\\"')) : x(w)));
  const destRaw = args.at(-1)!;
  const srcs = args.slice(0, -1);
  if (srcs.some((p) => /^https?:\/\//.test(p))) throw new BuildError(`${ins.keyword} failed: adding files from a URL is not supported by Slipway`);

  // Where the files come from: the context, another stage, or an image.
  let tree: { get(p: string): TarEntry | undefined; keys(): Iterable<string> };
  const from = ins.flags.from;
  if (from) {
    const stage = /^\d+$/.test(from) ? done[Number(from)] : done.find((d) => d.name === from.toLowerCase());
    let fs: RootFs;
    if (stage) fs = stage.fs ?? (await RootFs.of(e.images, e.images.get(stage.imageId)));
    else {
      const img = yield* ensureImage(e, from, false, o.quiet);
      fs = await RootFs.of(e.images, img);
    }
    tree = { get: (p) => fs.get(fs.resolve(p)), keys: () => fs.entries.keys() };
  } else tree = { get: (p) => ctx.files.get(p), keys: () => ctx.files.keys() };

  // Each source pattern → the entries it names (a directory: its contents).
  const matched: { src: string; entries: TarEntry[]; isDir: boolean }[] = [];
  const all = [...tree.keys()].sort();
  for (const src of srcs) {
    const pat = cleanName(src);
    const re = globRe(pat);
    const names = pat === "" ? [""] : /[*?[]/.test(pat) ? all.filter((k) => re.test(k)) : tree.get(pat) || all.some((k) => k.startsWith(pat + "/")) ? [pat] : [];
    if (!names.length) throw new BuildError(`${ins.keyword} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`);
    for (const n of names) {
      const e0 = tree.get(n);
      if (n === "" || e0?.header.type === "dir" || (!e0 && all.some((k) => k.startsWith(n + "/")))) {
        const prefix = n ? n + "/" : "";
        const kids = all.filter((k) => k.startsWith(prefix) && k !== n).map((k) => tree.get(k)!).map((t) => ({ header: { ...t.header, name: t.header.name.slice(prefix.length) }, data: t.data }));
        matched.push({ src: n, entries: kids, isDir: true });
      } else matched.push({ src: n, entries: [e0!], isDir: false });
    }
  }

  // The content hash in the step's text: file content and mode, never mtime.
  const h = (list: TarEntry[]) => digestOf(new TextEncoder().encode(list.map((t) => `${t.header.name}|${t.header.type}|${t.header.mode.toString(8)}|${t.header.linkname ?? ""}|${digestOf(t.data)}`).join("\n"))).slice(7);
  const srcHash =
    matched.length === 1
      ? `${matched[0].isDir ? "dir" : "file"}:${h(matched[0].isDir ? matched[0].entries : [{ header: { ...matched[0].entries[0].header, name: "" }, data: matched[0].entries[0].data }])}`
      : `multi:${digestOf(new TextEncoder().encode(matched.map((m) => h(m.entries)).join(","))).slice(7)}`;
  const chown = ins.flags.chown;
  const chmod = ins.flags.chmod;
  // As dockerd writes it: "%s %s%s in %s " of name, flags, hash, destination (so no space after --chown's value).
  const comment = `${ins.keyword} ${chown ? `--chown=${chown}` : ""}${chmod ? `--chmod=${chmod}` : ""}${srcHash} in ${destRaw} `;
  const sc = stepConfig(s, [...(s.runConfig.Shell ?? DEFAULT_SHELL), `#(nop) ${comment}`]);
  if (yield* probe(e, s, sc, o.noCache, o.quiet)) return;

  const fs = await fsOf(e, s);
  const owner = chown ? lookupUser(fs, x(chown)) : { uid: 0, gid: 0 };
  const destAbs = destRaw.startsWith("/") ? destRaw : `${s.runConfig.WorkingDir || "/"}/${destRaw}`;
  const destIsDir = destRaw.endsWith("/") || destRaw === "." || matched.length > 1 || matched.some((m) => m.isDir) || fs.isDir(destAbs);
  if (matched.length > 1 && !destRaw.endsWith("/") && !fs.isDir(destAbs)) throw new BuildError(`When using ${ins.keyword} with more than one source file, the destination must be a directory and end with a /`);
  const dest = fs.resolve(destAbs);
  const now = Math.floor(Date.now() / 1000);

  const files = new Map<string, TarEntry>();
  const put = (name: string, t: TarEntry) => {
    const hdr: TarHeader = { ...t.header, name, uid: owner.uid, gid: owner.gid, uname: undefined, gname: undefined };
    if (chmod) hdr.mode = parseInt(chmod, 8);
    files.set(name, { header: hdr, data: t.data });
  };
  for (const m of matched) {
    for (const t of m.entries) {
      if (!m.isDir && isAdd && !from && (await isArchive(t))) {
        // ADD unpacks a local tar (gzip'd or not) into the destination directory.
        const data = isGzip(t.data) ? await gunzip(t.data) : t.data;
        for await (const a of readTar(data)) if (a.header.name) files.set(cleanName(`${dest}/${a.header.name}`), { header: { ...a.header, name: cleanName(`${dest}/${a.header.name}`) }, data: a.data });
        continue;
      }
      const base = m.isDir ? t.header.name : m.src.split("/").pop()!;
      const target = destIsDir ? cleanName(`${dest}/${base}`) : dest;
      put(target, t);
    }
    if (m.isDir && !m.entries.length) files.set(dest, { header: { name: dest, type: "dir", mode: 0o755, uid: owner.uid, gid: owner.gid, size: 0, mtime: now }, data: new Uint8Array(0) });
  }
  const entries = new Map<string, TarEntry>();
  for (const name of [...files.keys()].sort()) {
    for (const a of ancestors(fs, name, owner, now)) if (!entries.has(a.header.name) && !files.has(a.header.name)) entries.set(a.header.name, a);
    entries.set(name, files.get(name)!);
  }
  const ordered = [...entries.keys()].sort().map((k) => entries.get(k)!);
  await commit(e, s, sc, sc.Cmd!.join(" "), writeTar(ordered), randomId());
}

async function isArchive(t: TarEntry): Promise<boolean> {
  if (t.header.type !== "file") return false;
  let d = t.data;
  if (isGzip(d)) {
    try {
      d = await gunzip(d);
    } catch {
      return false;
    }
  }
  return d.length >= 512 && new TextDecoder().decode(d.subarray(257, 262)) === "ustar";
}

/** RUN: a container from the current image, its output into the stream, its changes a layer. */
async function* run(e: Engine, s: State, ins: Instruction, noCache: boolean, quiet: boolean, consumed: Set<string>): AsyncGenerator<ProgressMessage> {
  const shell = s.runConfig.Shell ?? DEFAULT_SHELL;
  const cmd = ins.json ?? [...shell, ins.rest];
  // Build args the step sees (those not shadowed by ENV), in Cmd as "|N k=v" so a change misses the cache.
  const envKeys = new Set((s.runConfig.Env ?? []).map((v) => v.split("=")[0]));
  const argEnv = [...s.args].filter(([k, v]) => v !== undefined && !envKeys.has(k)).map(([k, v]) => `${k}=${v}`);
  for (const [k] of s.args) consumed.add(k);
  const shown = argEnv.filter((kv) => !BUILTIN_ARGS.has(kv.split("=")[0])).sort();
  const saveCmd = shown.length ? [`|${shown.length}`, ...shown, ...cmd] : cmd;
  const sc = stepConfig(s, saveCmd);
  if (yield* probe(e, s, sc, noCache, quiet)) return;

  const agent = e.agent();
  const image = e.images.get(s.imageId);
  for (const l of s.layers) if (!(await agent.hasLayer(l.diffId))) await agent.putLayer(l.diffId, streamOf(await e.images.readBlob(l.digest)));
  const id = randomId();
  const env = mergeEnv(mergeEnv([DEFAULT_PATH, `HOSTNAME=${id.slice(0, 12)}`], s.runConfig.Env ?? []), argEnv);
  const c = new Container(id, `build-${id.slice(0, 12)}`, new Date().toISOString(), s.imageId, s.imageId, { Image: s.imageId, Env: env, Cmd: cmd, WorkingDir: s.runConfig.WorkingDir, User: s.runConfig.User, Hostname: id.slice(0, 12) }, { NetworkMode: "bridge" }, cmd[0], cmd.slice(1));
  const spec = buildSpec(c, image?.config ?? s.config, env);
  const net = e.networks.find("bridge");
  const ip = net ? e.networks.allocate(net, id) : undefined;
  if (!quiet) yield { stream: ` ---> Running in ${id.slice(0, 12)}\n` };
  const hosts = `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${ip ? `${ip}\t${id.slice(0, 12)}\n` : ""}`;
  let exit: ExitInfo;
  let layer: Uint8Array;
  try {
    await agent.createContainer({ id, layers: s.layers.map((l) => l.diffId), spec, network: net && ip ? { mode: "bridge", name: net.name, ip } : { mode: "none", name: "none" }, hosts, hostname: id.slice(0, 12), tty: false, openStdin: false });
    const { io } = await agent.startContainer(id);
    // Output becomes stream lines as it comes, the process's exit ends the loop.
    const lines: ProgressMessage[] = [];
    let wake: (() => void) | undefined;
    const dec = new TextDecoder();
    io.onOutput((_st, data) => {
      lines.push({ stream: dec.decode(data, { stream: true }) });
      wake?.();
    });
    let finished = false;
    const exited = io.exited.then((x) => {
      finished = true;
      wake?.();
      return x;
    });
    while (!finished || lines.length) {
      if (!lines.length) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      while (lines.length) {
        const m = lines.shift()!;
        if (!quiet) yield m;
      }
    }
    exit = await exited;
    if (exit.status === 0 && !exit.error) layer = await collect(agent.diff(id));
    else layer = new Uint8Array(0);
  } finally {
    await agent.deleteContainer(id).catch(() => {});
    e.networks.release(id);
  }
  if (exit.error || exit.status !== 0) {
    const msg = `The command '${cmd.join(" ")}' returned a non-zero code: ${exit.status}${exit.error ? `: ${exit.error}` : ""}`;
    throw new BuildError(msg, exit.status || 1);
  }
  await commit(e, s, sc, saveCmd.join(" "), layer, id);
  if (!quiet) yield { stream: `Removing intermediate container ${id.slice(0, 12)}\n` };
}

export { DockerfileError };

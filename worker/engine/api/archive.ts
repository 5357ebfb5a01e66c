// docker cp: /containers/{id}/archive. HEAD stats a path in the container (the
// X-Docker-Container-Path-Stat header), GET reads it as a tar, PUT extracts a tar into
// a directory. The agent does the file work in the container's root, running or not.
import type { PathStat } from "../../link/agent-api.ts";
import type { Container } from "../containers/container.ts";
import type { ContainerService } from "../containers/service.ts";
import type { Engine } from "../engine.ts";
import { ApiError, badRequest } from "../errors.ts";
import type { ApiRequest } from "../http/message.ts";
import { bool, type Router } from "../router.ts";

export function archiveRoutes(r: Router, e: Engine, svc: ContainerService): void {
  /** The stat as the Engine API's ContainerPathStat, or Docker's error for a missing path. */
  const statOf = async (req: ApiRequest): Promise<{ c: Container; layers: string[]; path: string; stat: PathStat }> => {
    const c = e.containers.get(req.params.id);
    const path = req.query.get("path") ?? "";
    // Docker's own wording, missing space and all.
    if (!path) throw badRequest("bad parameter: pathcannot be empty");
    const layers = await svc.layersOf(c);
    const stat = await e.agent().statPath(c.id, layers, path).catch((err) => { throw archiveError(err, req, path); });
    return { c, layers, path, stat };
  };

  r.on("HEAD", "/containers/{id}/archive", async (req) => {
    const { stat } = await statOf(req);
    return { status: 200, headers: { "X-Docker-Container-Path-Stat": statHeader(stat) } };
  });

  r.on("GET", "/containers/{id}/archive", async (req) => {
    const { c, layers, path, stat } = await statOf(req);
    const tar = e.agent().getArchive(c.id, layers, path);
    return { status: 200, headers: { "Content-Type": "application/x-tar", "X-Docker-Container-Path-Stat": statHeader(stat) }, body: tar };
  });

  r.on("PUT", "/containers/{id}/archive", async (req) => {
    const c = e.containers.get(req.params.id);
    const path = req.query.get("path") ?? "";
    if (!path) throw badRequest("bad parameter: pathcannot be empty");
    if (c.hostConfig.ReadonlyRootfs) throw new ApiError(403, "container rootfs is marked read-only");
    const layers = await svc.layersOf(c);
    await e.agent().putArchive(c.id, layers, path, req.body, { noOverwriteDirNonDir: bool(req.query.get("noOverwriteDirNonDir")) }).catch((err) => { throw archiveError(err, req, path); });
    return { status: 200 };
  });
}

/** Docker's words: a missing path is a 404 naming it and the container as the client named it. */
function archiveError(err: Error & { code?: string }, req: ApiRequest, path: string): ApiError {
  if (err.code === "ENOENT") return new ApiError(404, `Could not find the file ${path} in container ${req.params.id}`);
  if (err.code === "ENOTDIR" && /extraction point is not a directory/.test(err.message)) return new ApiError(500, "extraction point is not a directory");
  return new ApiError(500, err.message);
}

/** base64 of the JSON Docker sends: Go's os.FileMode bits, the mtime as RFC 3339 with nanoseconds. */
function statHeader(s: PathStat): string {
  const json = JSON.stringify({ name: s.name, size: s.size, mode: goFileMode(s.mode), mtime: rfc3339Nano(s.mtime, s.mtimeNsec), linkTarget: s.linkTarget });
  let bin = "";
  for (const b of new TextEncoder().encode(json)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Linux st_mode as Go's fs.FileMode: permission bits, and the type and special bits up high. */
export function goFileMode(m: number): number {
  let mode = m & 0o777;
  const type = m & 0o170000;
  if (type === 0o040000) mode += 2 ** 31; // ModeDir
  else if (type === 0o120000) mode += 2 ** 27; // ModeSymlink
  else if (type === 0o060000) mode += 2 ** 26; // ModeDevice
  else if (type === 0o020000) mode += 2 ** 26 + 2 ** 21; // ModeDevice | ModeCharDevice
  else if (type === 0o010000) mode += 2 ** 25; // ModeNamedPipe
  else if (type === 0o140000) mode += 2 ** 24; // ModeSocket
  if (m & 0o4000) mode += 2 ** 23; // ModeSetuid
  if (m & 0o2000) mode += 2 ** 22; // ModeSetgid
  if (m & 0o1000) mode += 2 ** 20; // ModeSticky
  return mode;
}

/** time.Time's JSON: RFC 3339, the fraction's trailing zeros dropped. */
export function rfc3339Nano(sec: number, nsec: number): string {
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  const frac = nsec ? "." + String(nsec).padStart(9, "0").replace(/0+$/, "") : "";
  return `${base}${frac}Z`;
}

// The build context as POST /build receives it: a tar (maybe gzip'd, as `docker build
// --compress` sends it), or a bare Dockerfile (`docker build - < Dockerfile`). The
// .dockerignore inside it is applied again here: the CLI already filters, but the
// page and the guest client may send a whole folder.
import { DockerIgnore } from "./dockerignore.ts";
import { gunzip, isGzip } from "./layers.ts";
import { cleanName, readTar, type TarEntry } from "./tar.ts";

export class BuildContext {
  readonly files = new Map<string, TarEntry>();
  /** Set when the body was a Dockerfile rather than a tar. */
  bareDockerfile?: string;

  static async from(body: Uint8Array): Promise<BuildContext> {
    const ctx = new BuildContext();
    const data = isGzip(body) ? await gunzip(body) : body;
    const looksTar = data.length >= 512 && new TextDecoder().decode(data.subarray(257, 262)) === "ustar";
    if (!looksTar) {
      ctx.bareDockerfile = new TextDecoder().decode(data);
      return ctx;
    }
    for await (const e of readTar(data)) if (e.header.name) ctx.files.set(e.header.name, e);
    return ctx;
  }

  /** The Dockerfile's text, by the path the client gave (default "Dockerfile"). */
  dockerfile(path: string): string {
    if (this.bareDockerfile !== undefined) return this.bareDockerfile;
    const name = cleanName(path || "Dockerfile");
    const e = this.files.get(name) ?? (name === "Dockerfile" ? this.files.get("dockerfile") : undefined);
    if (!e) throw new Error(`Cannot locate specified Dockerfile: ${path || "Dockerfile"}`);
    return new TextDecoder().decode(e.data);
  }

  /** Drops what .dockerignore excludes, once the Dockerfile is read. The CLI sends the
   * Dockerfile and .dockerignore even when listed; dockerd's removeDockerfile then drops
   * them, and so the Dockerfile the CLI adds from outside the context (.dockerfile.<random>,
   * which it appends to .dockerignore) stays out of COPY . too. */
  applyIgnore(): void {
    const di = this.files.get(".dockerignore");
    if (!di) return;
    const ig = new DockerIgnore(new TextDecoder().decode(di.data));
    for (const k of [...this.files.keys()]) if (ig.ignores(k)) this.files.delete(k);
  }
}

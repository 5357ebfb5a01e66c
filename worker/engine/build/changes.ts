// `docker commit -c` and `docker import -c`: Dockerfile lines applied to an image's
// config, limited to the instructions Docker allows there.
import type { ContainerConfigPart } from "../images/image-store.ts";
import { mergeEnv } from "../containers/oci-spec.ts";
import { parseDockerfile } from "./dockerfile-parser.ts";
import { envFrom, expandWord, expandWords, splitRaw } from "./expand.ts";

const ALLOWED = new Set(["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR", "STOPSIGNAL"]);

export function applyChanges(base: ContainerConfigPart, changes: string[]): ContainerConfigPart {
  const c: ContainerConfigPart = structuredClone(base);
  for (const line of changes) {
    if (!line.trim()) continue;
    const [ins] = parseDockerfile(line).instructions;
    if (!ALLOWED.has(ins.keyword)) throw new Error(`${ins.keyword.toLowerCase()} is not a valid change command`);
    const env = envFrom(c.Env);
    const x = (w: string) => expandWord(w, env);
    switch (ins.keyword) {
      case "CMD":
        c.Cmd = ins.json ?? ["/bin/sh", "-c", ins.rest];
        break;
      case "ENTRYPOINT":
        c.Entrypoint = ins.json ?? ["/bin/sh", "-c", ins.rest];
        break;
      case "ENV":
      case "LABEL": {
        const words = splitRaw(ins.rest);
        const pairs = words[0].includes("=") ? words.map((w) => [w.slice(0, w.indexOf("=")), x(w.slice(w.indexOf("=") + 1))]) : [[words[0], x(ins.rest.slice(words[0].length).trim())]];
        if (ins.keyword === "ENV") c.Env = mergeEnv(c.Env ?? [], pairs.map(([k, v]) => `${k}=${v}`));
        else c.Labels = { ...c.Labels, ...Object.fromEntries(pairs) };
        break;
      }
      case "EXPOSE":
        c.ExposedPorts = { ...c.ExposedPorts };
        for (const p of expandWords(ins.rest, env)) c.ExposedPorts[p.includes("/") ? p : `${p}/tcp`] = {};
        break;
      case "ONBUILD":
        c.OnBuild = [...(c.OnBuild ?? []), ins.rest];
        break;
      case "USER":
        c.User = x(ins.rest);
        break;
      case "VOLUME":
        c.Volumes = { ...c.Volumes };
        for (const v of ins.json ?? expandWords(ins.rest, env)) c.Volumes[v] = {};
        break;
      case "WORKDIR":
        c.WorkingDir = x(ins.rest);
        break;
      case "STOPSIGNAL":
        c.StopSignal = x(ins.rest);
        break;
    }
  }
  return c;
}

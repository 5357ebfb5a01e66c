// Which registry a reference lives in: docker.io is the in-tab hub (our own registry,
// called in-process); any other host is a real registry reached with fetch.
import { DEFAULT_DOMAIN, type Reference } from "../images/reference.ts";
import { RegistryClient, type Credentials, type Fetch } from "./registry-client.ts";

export interface Registries {
  client(ref: Reference, creds?: Credentials): RegistryClient;
  /** The repository path as that registry names it. */
  repoPath(ref: Reference): string;
}

export function registries(hub: (req: Request) => Promise<Response>, net: Fetch = (i, init) => fetch(i, init)): Registries {
  const hubFetch: Fetch = (input, init) => hub(new Request(input, init));
  return {
    client(ref, creds) {
      if (ref.domain === DEFAULT_DOMAIN) return new RegistryClient(hubFetch, "http://hub.slipway.internal");
      // Docker treats localhost and 127.0.0.0/8 as insecure registries: plain HTTP.
      const insecure = /^(localhost|127\.\d+\.\d+\.\d+)(:\d+)?$/.test(ref.domain);
      return new RegistryClient(net, `${insecure ? "http" : "https"}://${ref.domain}`, creds);
    },
    repoPath(ref) {
      // The hub stores official images under their short name (busybox, not library/busybox).
      return ref.domain === DEFAULT_DOMAIN && ref.path.startsWith("library/") ? ref.path.slice("library/".length) : ref.path;
    },
  };
}

/** X-Registry-Auth: base64url JSON {username, password, serveraddress}, as the docker CLI sends it. */
export function credentialsFromHeader(header: string | undefined): Credentials | undefined {
  if (!header) return undefined;
  try {
    const json = JSON.parse(atob(header.replace(/-/g, "+").replace(/_/g, "/")));
    if (json.username || json.password) return { username: json.username ?? "", password: json.password ?? "" };
  } catch {
    /* an empty or malformed header means anonymous */
  }
  return undefined;
}

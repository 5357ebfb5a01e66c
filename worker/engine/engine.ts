// Everything a request handler may touch: the daemon's state and its link to the guest.
import type { GuestAgent } from "../link/agent-api.ts";
import type { Registries } from "./distribution/registries.ts";
import type { ContainerStore } from "./containers/container-store.ts";
import type { EventBus } from "./events.ts";
import type { ImageStore } from "./images/image-store.ts";
import type { Networks } from "./network/networks.ts";
import type { Volumes } from "./volumes.ts";
import { ApiError } from "./errors.ts";

export interface Engine {
  images: ImageStore;
  containers: ContainerStore;
  networks: Networks;
  volumes: Volumes;
  events: EventBus;
  registries: Registries;
  /** The guest agent, once the link is up. */
  agent: () => GuestAgent;
  startedAt: number;
  /** For /info and /version. */
  host: { name: string; memTotal: number; ncpu: number; kernelVersion: string };
}

export const API_VERSION = "1.43";
export const MIN_API_VERSION = "1.24";
export const ENGINE_VERSION = "24.0.0-slipway";

export function noAgent(): never {
  throw new ApiError(503, "Cannot connect to the guest: the Slipway VM is not running");
}

/// <reference types="vite/client" />

declare module "virtual:guest-manifest" {
  import type { GuestManifest } from "../worker/vm/guest-assets.ts";
  const manifest: GuestManifest;
  export default manifest;
}

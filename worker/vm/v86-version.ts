// The emulator's version is part of a snapshot's identity: v86 states don't move between versions.
import pkg from "v86/package.json" with { type: "json" };

export const V86_VERSION: string = pkg.version;

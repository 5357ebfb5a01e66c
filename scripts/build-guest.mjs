// npm run build:guest
import { ensureGuest, ensureNodeModules } from "./lib/setup.mjs";

ensureNodeModules();
ensureGuest();

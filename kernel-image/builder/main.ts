// Entry point of `npm run build:guest`.
import { buildGuest } from "./build-guest.ts";

try {
  await buildGuest();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}

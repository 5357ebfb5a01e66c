#!/usr/bin/env node
// `slipway <verb> ...`: each verb is a TypeScript module cli/<verb>.ts exporting main(argv).
import { register } from "tsx/esm/api";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const verbs = ["exec", "console", "registry", "daemon"];
const [verb, ...argv] = process.argv.slice(2);
if (!verb || verb === "--help" || verb === "-h" || !verbs.includes(verb)) {
  const out = verb && verb !== "--help" && verb !== "-h" ? process.stderr : process.stdout;
  if (verb && out === process.stderr) out.write(`slipway: unknown command "${verb}"\n\n`);
  out.write(`Usage: slipway COMMAND [OPTIONS]

Commands:
  exec -- CMD      Start the guest from its snapshot, run CMD in its shell, print the output, exit with its status
  console          Attach this terminal to the guest's console (Ctrl-] then q quits)
  registry         Serve the OCI registry on 127.0.0.1 (--port 5000, --dir DIR)
  daemon           Boot the guest and serve the Docker Engine API (-H unix:///tmp/slipway.sock)
`);
  process.exit(out === process.stderr ? 2 : 0);
}
const file = new URL(`../cli/${verb}.ts`, import.meta.url);
if (!existsSync(fileURLToPath(file))) {
  process.stderr.write(`slipway: ${verb} is not built yet\n`);
  process.exit(2);
}
register();
const mod = await import(file.href);
const code = await mod.main(argv);
process.exitCode = typeof code === "number" ? code : 0;

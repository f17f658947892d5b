#!/usr/bin/env node
// Runs every benchmark in src/ (files named *.bench.ts) one after another with tsx.
// Pass names to run a subset: `npx pnpm bench http-parse ws-frames`. Arguments
// starting with `--` go to each benchmark: `npx pnpm bench client --write`
// (`client` picks client.bench.ts and every client-*.bench.ts).
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const srcDir = fileURLToPath(new URL("../src/", import.meta.url));
const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith("--"));
const passed = args.filter((a) => a.startsWith("--"));
const benches = readdirSync(srcDir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  // By name without the suffix: client.bench.ts (which starts the results file)
  // runs before client-*.bench.ts (which append to it).
  .sort((a, b) => (a.replace(".bench.ts", "") < b.replace(".bench.ts", "") ? -1 : 1));
for (const file of benches) {
  console.log(`\n## ${file}\n`);
  execFileSync("tsx", ["--expose-gc", srcDir + file, ...passed], { stdio: "inherit" });
}

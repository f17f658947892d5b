#!/usr/bin/env node
// Runs every benchmark in src/ (files named *.bench.ts) one after another with tsx.
// Pass names to run a subset: `npx pnpm bench http-parse ws-frames`. Arguments
// starting with `--` go to each benchmark: `npx pnpm bench client --write`
// (`client` picks client.bench.ts and every client-*.bench.ts).
//
// With --write, every benchmark of the run writes into the same
// results/<date>[-label].md (the date is fixed here once, as --date), and a
// run that included client.bench.ts without filters (--scenario, --only,
// --profile) then updates the README's Performance section (src/readme.ts,
// which needs --runs=3 or more), unless --no-readme is given. The keep-alive
// headline alone: `npx pnpm bench client.bench --runs=3 --instructions --write`.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const srcDir = fileURLToPath(new URL("../src/", import.meta.url));
const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith("--"));
const passed = args.filter((a) => a.startsWith("--") && a !== "--no-readme");
const has = (name) => passed.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
if (has("write") && !has("date")) passed.push(`--date=${new Date().toISOString().slice(0, 10)}`);
const all = readdirSync(srcDir).filter((f) => f.endsWith(".bench.ts"));
const benches = all
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  // By name without the suffix: client.bench.ts (which starts the results file)
  // runs before client-*.bench.ts (which append to it).
  .sort((a, b) => (a.replace(".bench.ts", "") < b.replace(".bench.ts", "") ? -1 : 1));
for (const file of benches) {
  console.log(`\n## ${file}\n`);
  execFileSync("tsx", ["--expose-gc", srcDir + file, ...passed], { stdio: "inherit" });
}
const keepAlive = benches.includes("client.bench.ts");
if (has("write") && keepAlive && !has("scenario") && !has("only") && !has("profile")) {
  if (args.includes("--no-readme")) console.log("\n--no-readme: README.md left as it is");
  else execFileSync("tsx", [srcDir + "readme.ts", ...passed], { stdio: "inherit" });
}

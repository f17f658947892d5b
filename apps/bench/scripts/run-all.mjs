#!/usr/bin/env node
// Runs every benchmark in src/ (files named *.bench.ts) one after another with tsx.
// Pass names to run a subset: `npx pnpm bench http-parse ws-frames`.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const srcDir = fileURLToPath(new URL("../src/", import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(srcDir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
for (const file of benches) {
  console.log(`\n## ${file}\n`);
  execFileSync("tsx", ["--expose-gc", srcDir + file], { stdio: "inherit" });
}

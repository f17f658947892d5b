// Long-running fuzz of the HTTP and WebSocket cores with mutated conformance
// vectors (see src/fuzz.ts for the invariants). Not in CI except as a short
// smoke run inside test/fuzz.test.ts.
//   npx pnpm fuzz --minutes 10          (default 1 minute)
//   npx pnpm fuzz --iterations 100000   (stop after this many inputs)
//   npx pnpm fuzz --seed 7              (replay a run)
// Findings are printed and written to apps/e2e/results/fuzz-<seed>.json; the exit code is 1 if any.
import { mkdirSync, writeFileSync } from "node:fs";
import { fuzzLoop } from "../src/fuzz-loop.ts";
import { option } from "./args.ts";

const minutes = option("minutes", 1);
const iterations = option("iterations", Number.MAX_SAFE_INTEGER);
const seed = option("seed", Date.now() % 1_000_000);
const started = Date.now();
console.log(
  `fuzz: seed ${seed}, ${minutes} min${iterations < Number.MAX_SAFE_INTEGER ? `, at most ${iterations} inputs` : ""}`,
);
const result = fuzzLoop({
  seed,
  until: started + minutes * 60_000,
  iterations,
  onProgress: (r) =>
    console.log(
      `${r.inputs} inputs (${r.http} http, ${r.ws} ws) in ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
        `${r.findings.length} findings, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
    ),
});
console.log(
  `fuzz: ${result.inputs} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s, ${result.findings.length} findings`,
);
if (result.findings.length > 0) {
  mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
  const file = new URL(`../results/fuzz-${seed}.json`, import.meta.url);
  writeFileSync(file, JSON.stringify(result.findings, null, 1));
  for (const f of result.findings.slice(0, 10))
    console.error(`${f.kind}: ${f.message}\n  input ${f.input.slice(0, 200)}`);
  console.error(`fuzz FAILED: findings written to ${file.pathname}`);
  process.exitCode = 1;
} else {
  console.log("fuzz OK");
}

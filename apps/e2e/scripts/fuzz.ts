// Long-running fuzz of the protocol cores (see src/fuzz.ts and src/h2-fuzz.ts
// for the invariants). Not in CI except as short fixed-seed runs inside
// test/fuzz.test.ts and test/fuzz-h2.test.ts.
//   npx pnpm fuzz --minutes 10               (default 1 minute; HTTP/1.1 + WebSocket, then HTTP/2)
//   npx pnpm fuzz --target h2 --minutes 10   (one target: h1ws or h2)
//   npx pnpm fuzz --iterations 100000        (stop after this many inputs per target)
//   npx pnpm fuzz --seed 7                   (replay a run)
//   npx pnpm fuzz --target h2 --seed 7 --case 194   (replay one HTTP/2 case, as a finding's replay line says)
// Findings are printed and written to apps/e2e/results/fuzz-<seed>.json; the exit code is 1 if any.
import { mkdirSync, writeFileSync } from "node:fs";
import { fuzzLoop } from "../src/fuzz-loop.ts";
import { h2FuzzLoop } from "../src/h2-fuzz.ts";
import { option } from "./args.ts";

const args = process.argv.slice(2);
const target = args.includes("--target") ? args[args.indexOf("--target") + 1] : "all";
if (target !== "all" && target !== "h1ws" && target !== "h2")
  throw new Error("--target is all, h1ws or h2");
const replay = args.includes("--case");
const minutes = option("minutes", 1);
const iterations = option("iterations", Number.MAX_SAFE_INTEGER);
const seed = option("seed", Date.now() % 1_000_000);
const started = Date.now();
const targets = replay ? ["h2"] : target === "all" ? ["h1ws", "h2"] : [target];
const share = (i: number) => started + (minutes * 60_000 * (i + 1)) / targets.length;
console.log(
  `fuzz: ${targets.join(" then ")}, seed ${seed}, ${minutes} min${iterations < Number.MAX_SAFE_INTEGER ? `, at most ${iterations} inputs` : ""}`,
);
const findings: unknown[] = [];

if (targets.includes("h1ws")) {
  const result = fuzzLoop({
    seed,
    until: share(0),
    iterations,
    onProgress: (r) =>
      console.log(
        `${r.inputs} inputs (${r.http} http, ${r.ws} ws) in ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
          `${r.findings.length} findings, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
      ),
  });
  console.log(`fuzz h1ws: ${result.inputs} inputs, ${result.findings.length} findings`);
  for (const f of result.findings.slice(0, 10))
    console.error(`${f.kind}: ${f.message}\n  input ${f.input.slice(0, 200)}`);
  findings.push(...result.findings);
}

if (targets.includes("h2")) {
  const result = h2FuzzLoop({
    seed,
    first: replay ? option("case", 0) : 0,
    cases: replay ? 1 : iterations,
    until: replay ? Number.MAX_SAFE_INTEGER : share(targets.length - 1),
    onProgress: (r) =>
      console.log(
        `h2: ${r.cases} cases in ${((Date.now() - started) / 1000).toFixed(0)} s, ${r.findings.length} findings, ` +
          `heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
      ),
  });
  console.log(`fuzz h2: ${result.cases} cases, ${result.findings.length} findings`);
  console.log(`fuzz h2: endings by code ${JSON.stringify(result.errors)}`);
  for (const f of result.findings.slice(0, 10))
    console.error(
      `${f.kind}: ${f.message}\n  replay: ${f.replay}\n  input ${f.input.slice(0, 200)}`,
    );
  findings.push(...result.findings);
}

console.log(
  `fuzz: done in ${((Date.now() - started) / 1000).toFixed(1)} s, ${findings.length} findings`,
);
if (findings.length > 0) {
  mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
  const file = new URL(`../results/fuzz-${seed}.json`, import.meta.url);
  writeFileSync(file, JSON.stringify(findings, null, 1));
  console.error(`fuzz FAILED: findings written to ${file.pathname}`);
  process.exitCode = 1;
} else {
  console.log("fuzz OK");
}

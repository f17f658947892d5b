// Differential fuzzing of the HTTP/1.1 reader against llhttp in strict mode,
// with a split-invariance check (see src/differential/). Runs as long as asked;
// prints one replay line per distinct finding, with the shrunk input.
//   npx pnpm --filter @reqivo/e2e fuzz:diff -- --seconds 600 --seed random
//   npx pnpm --filter @reqivo/e2e fuzz:diff -- --seed 222026 --case 43   (replay one case)
// Exit code 1 when anything outside the reviewed divergences was found.
import { differentialLoop } from "../src/differential/loop.ts";
import { option } from "./args.ts";

const args = process.argv.slice(2);
const seedArg = args[args.indexOf("--seed") + 1];
const seed =
  args.includes("--seed") && seedArg !== "random"
    ? option("seed", 0)
    : Math.floor(Math.random() * 2 ** 31);
const replay = args.includes("--case");
const seconds = option("seconds", 60);
const started = Date.now();
console.log(
  replay
    ? `fuzz:diff: replaying seed ${seed} case ${option("case", 0)}`
    : `fuzz:diff: seed ${seed}, ${seconds} s`,
);
const result = differentialLoop({
  seed,
  first: replay ? option("case", 0) : 0,
  cases: replay ? 1 : Number.MAX_SAFE_INTEGER,
  until: started + seconds * 1000,
  onReport: (r) =>
    console.log(
      `\n${r.finding.kind}: ${r.finding.signature}\n  ${r.finding.detail}\n  shrunk: ${r.shrunk}\n  replay: ${r.replay}`,
    ),
});
console.log(
  `\nfuzz:diff: ${result.cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s; listed divergences met: ${JSON.stringify(result.listed)}`,
);
console.log(`findings by signature: ${JSON.stringify(result.counts)}`);
if (result.reports.length > 0) process.exitCode = 1;

// Differential fuzzing with a split-invariance check (see src/differential/):
// the HTTP/1.1 reader against llhttp in strict mode, the WebSocket frame
// reader against ws's Receiver. Runs as long as asked, half the time on each
// reader; prints one replay line per distinct finding, with the shrunk input.
//   npx pnpm --filter @reqivo/e2e fuzz:diff -- --seconds 600 --seed random
//   npx pnpm --filter @reqivo/e2e fuzz:diff -- --parser http --seed 222026 --case 43   (replay)
// Exit code 1 when anything outside the reviewed divergences was found.
import { differentialLoop, type LoopResult, type Parser } from "../src/differential/loop.ts";
import { option } from "./args.ts";

const args = process.argv.slice(2);
const after = (name: string) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined;
const seed =
  after("seed") !== undefined && after("seed") !== "random"
    ? option("seed", 0)
    : Math.floor(Math.random() * 2 ** 31);
const parserArg = after("parser");
const parsers: Parser[] = parserArg === "http" || parserArg === "ws" ? [parserArg] : ["http", "ws"];
const replay = args.includes("--case");
const seconds = option("seconds", 60);
const started = Date.now();
console.log(
  replay
    ? `fuzz:diff: replaying ${parsers.join("+")} seed ${seed} case ${option("case", 0)}`
    : `fuzz:diff: ${parsers.join(" and ")}, seed ${seed}, ${seconds} s`,
);
let failed = false;
parsers.forEach((parser, i) => {
  const result: LoopResult = differentialLoop({
    parser,
    seed,
    first: replay ? option("case", 0) : 0,
    cases: replay ? 1 : Number.MAX_SAFE_INTEGER,
    until: started + (seconds * 1000 * (i + 1)) / parsers.length,
    onReport: (r) =>
      console.log(
        `\n${r.finding.kind}: ${r.finding.signature}\n  ${r.finding.detail}\n  shrunk: ${r.shrunk}\n  replay: ${r.replay}`,
      ),
  });
  console.log(
    `\n${parser}: ${result.cases} cases; listed divergences met: ${JSON.stringify(result.listed)}`,
  );
  console.log(`${parser}: findings by signature: ${JSON.stringify(result.counts)}`);
  if (result.reports.length > 0) failed = true;
});
console.log(
  `fuzz:diff: done in ${((Date.now() - started) / 1000).toFixed(1)} s${failed ? ", with findings" : ", nothing outside the list"}`,
);
if (failed) process.exitCode = 1;

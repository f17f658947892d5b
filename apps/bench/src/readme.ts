// Writes the root README's "Performance" section from the keep-alive
// headline of client.bench.ts (results/<date>[-label].json, key `keepAlive`),
// which a `--runs=N --write` run records. run-all.mjs runs this after such a
// run of client.bench.ts without filters (--scenario, --only, --profile):
//   npx tsx src/readme.ts [--label=NAME] [--date=YYYY-MM-DD] [--readme-path=FILE] [--min-runs=3]
// Only the part between the two bench markers in README.md (or FILE, to try
// it on a copy) is replaced. Fewer than --min-runs (default 3) independent
// runs leave the README alone: one run's figures are not a claim.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { methodLine, multiRunMarkdown } from "./client/multi-run.ts";
import { flag, numberFlag, RESULTS_DIR, type RunSummary, resultsName } from "./client/suite.ts";

const README = flag("readme-path") || fileURLToPath(new URL("../../../README.md", import.meta.url));
const START = "<!-- bench:start";
const END = "<!-- bench:end -->";
const MIN_RUNS = numberFlag("min-runs", 3, 1, 100);

const name = resultsName();
const summaryFile = `${RESULTS_DIR}${name}.json`;
if (!existsSync(summaryFile)) {
  console.error(
    `readme: ${summaryFile} not found; run \`npx pnpm bench client.bench --runs=3 --write\` first`,
  );
  process.exit(1);
}
const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as RunSummary;
const keepAlive = summary.keepAlive;
if (keepAlive === undefined || keepAlive.runs < MIN_RUNS) {
  console.log(
    `readme: ${summaryFile} holds ${keepAlive?.runs ?? 0} run(s) of client.bench.ts; ` +
      `the README table needs at least ${MIN_RUNS} (--runs=${MIN_RUNS}): README.md left as it is`,
  );
  process.exit(0);
}

const link = `apps/bench/results/${name}.md`;
const block = [
  `${START}: written by \`npx pnpm bench client.bench --runs=N --write\` (apps/bench/src/readme.ts); edit that, not this -->`,
  `Keep-alive HTTP/1.1 on loopback, \`${keepAlive.command}\`. ${methodLine(keepAlive)} ` +
    `The raw ceiling writes pre-built requests on plain sockets and counts response bytes without parsing: ` +
    `what the server and the machine allow. The per-round tables and charts: [${link}](${link}); ` +
    `the method: [apps/bench/README.md](apps/bench/README.md).`,
  "",
  multiRunMarkdown(keepAlive, "####"),
  END,
].join("\n");

const readme = readFileSync(README, "utf8");
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from === -1 || to === -1 || to < from) {
  console.error(`readme: markers "${START}" … "${END}" not found in ${README}`);
  process.exit(1);
}
writeFileSync(README, readme.slice(0, from) + block + readme.slice(to + END.length));
console.log(`readme: updated the Performance section of ${README} from ${summaryFile}`);

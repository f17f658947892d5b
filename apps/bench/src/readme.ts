// Writes the results table and chart of the root README's "Performance"
// section from results/<date>[-label].json, which the client benchmarks fill
// during a `--write` run. run-all.mjs runs this after a full
// `npx pnpm bench client --write` (every client section, no filters):
//   npx tsx src/readme.ts [--label=NAME] [--date=YYYY-MM-DD] [--readme-path=FILE]
// Only the part between the two bench markers in README.md (or FILE, to try
// it on a copy) is replaced.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { svgBarChart } from "./client/chart.ts";
import { flag, RESULTS_DIR, type RunSummary, resultsName } from "./client/suite.ts";

const README = flag("readme-path") || fileURLToPath(new URL("../../../README.md", import.meta.url));
const START = "<!-- bench:start";
const END = "<!-- bench:end -->";

const name = resultsName();
const summaryFile = `${RESULTS_DIR}${name}.json`;
if (!existsSync(summaryFile)) {
  console.error(`readme: ${summaryFile} not found; run \`npx pnpm bench client --write\` first`);
  process.exit(1);
}
const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as RunSummary;

const bars = summary.headlines.flatMap((h) => h.charts ?? []);
const chartFile = `${name}-summary.svg`;
writeFileSync(
  RESULTS_DIR + chartFile,
  svgBarChart({
    title: "Reqivo against the reference contender, same run",
    unit: "Reqivo ÷ reference per round",
    rows: bars.map((b) => ({ name: b.label, values: b.values, target: b.target })),
    highlight: () => true,
    marker: { value: 1, label: "1.0× = as fast" },
    order: "given",
  }),
);

const label = flag("label");
const rounds = [...new Set(summary.rounds)].join("/");
const loads = summary.loads.filter((l) => Number.isFinite(l));
const { node, deno, bun } = summary.versions;
const versions = [
  `Node ${node?.replace(/^v/, "")}`,
  deno && `Deno ${deno.replace(/^deno /, "")}`,
  bun && `Bun ${bun}`,
]
  .filter(Boolean)
  .join(", ");
const command = `npx pnpm bench client --rounds=${rounds} --write${label ? ` --label=${label}` : ""}`;
const link = `apps/bench/results/${name}.md`;
const rows = summary.headlines;
const block = [
  `${START}: written by \`npx pnpm bench client --write\` (apps/bench/src/readme.ts); edit that, not this -->`,
  `Latest full suite, \`${command}\`: ${versions}; loopback, servers in their own processes, contenders interleaved, ${rounds} rounds, ratios are medians of per-round ratios. Load average during the run ${Math.min(...loads)}–${Math.max(...loads)} on ${summary.versions.cpus ?? "?"} CPUs: compare ratios, not absolute numbers. Full tables and one chart per scenario: [${link}](${link}).`,
  "",
  `![Reqivo against the reference contender per scenario](apps/bench/results/${chartFile})`,
  "",
  "| scenario | Reqivo | ratio in the same run | target |",
  "|---|---:|---|---|",
  ...rows.map((h) => `| ${h.scenario} | ${h.reqivo} | ${h.ratios} | ${h.target} |`),
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
console.log(`readme: updated the Performance table in ${README} and wrote ${chartFile}`);

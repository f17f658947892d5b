// The Markdown table and the SVG chart (src/client/chart.ts) of one scenario
// of client.bench.ts.
import { svgBarChart } from "./chart.ts";
import { fmt, fmtRatio, median, ratio as ratioOfRounds, spread } from "./stats.ts";

export { median };

export interface ContenderResult {
  name: string;
  /** Requests per second, one per measured round. */
  rates: number[];
  /** Client-process CPU time (user + system) per request in µs, one per measured round. */
  cpuPerRequest: number[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  contenders: ContenderResult[];
}

/**
 * Median of the per-round ratios `a[i] / b[i]`: contenders of one round ran
 * back to back, so drift of the machine cancels out of the ratio.
 */
export function ratio(a: ContenderResult | undefined, b: ContenderResult | undefined): number {
  if (a === undefined || b === undefined) return Number.NaN;
  return ratioOfRounds(a.rates, b.rates);
}

const fmtRate = (value: number): string => fmt(value);

const UNDICI = "undici request";
const NODE_FETCH = "node fetch";
const RAW = "raw ceiling";

/** One Markdown table for a scenario, sorted by median rate. */
export function markdownTable(result: ScenarioResult): string {
  const find = (name: string) => result.contenders.find((c) => c.name === name);
  const undici = find(UNDICI);
  const nodeFetch = find(NODE_FETCH);
  const raw = find(RAW);
  const rows = [...result.contenders].sort((a, b) => median(b.rates) - median(a.rates));
  const lines = [
    "| contender | median req/s | min – max | spread | vs undici request | vs node fetch | of raw ceiling | CPU µs/req |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const c of rows) {
    const ofRaw = ratio(c, raw);
    lines.push(
      `| ${c.name} | ${fmtRate(median(c.rates))} | ${fmtRate(Math.min(...c.rates))} – ${fmtRate(
        Math.max(...c.rates),
      )} | ${spread(c.rates)} | ${fmtRatio(ratio(c, undici))} | ${fmtRatio(
        ratio(c, nodeFetch),
      )} | ${Number.isNaN(ofRaw) ? "–" : `${(ofRaw * 100).toFixed(0)}%`} | ${median(
        c.cpuPerRequest,
      ).toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}

/** A bar chart of the scenario: one bar per contender (median req/s), whiskers min–max. */
export function svgChart(result: ScenarioResult): string {
  return svgBarChart({
    title: result.title,
    unit: "requests/s",
    rows: result.contenders.map((c) => ({ name: c.name, values: c.rates })),
  });
}

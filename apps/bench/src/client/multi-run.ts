// The headline of client.bench.ts over several independent runs (--runs=N):
// each run has its own server and contender processes, warm-up and rotated
// rounds; per run every contender gets one figure per measure (the median of
// its rounds), and across runs the table shows the median of those figures
// and their spread (min–max). Also the ceiling check: the raw ceiling must
// reach at least CEILING_FACTOR times the fastest contender, or the table
// cannot show how far apart the contenders are (the server, or the machine,
// would be the limit). Used by client.bench.ts and src/readme.ts.
import type { ScenarioResult } from "./report.ts";
import { fmt, median, roundRatios } from "./stats.ts";
import { type Turn, turnText } from "./turn.ts";

/** The raw ceiling must be at least this many times the fastest contender. */
export const CEILING_FACTOR = 2;
export const RAW = "raw ceiling";
/** The C raw ceiling (contenders.ts nativeRawCeiling): the ceiling check's when it ran. */
export const NATIVE_RAW = "raw ceiling (native)";
const isRaw = (name: string) => name === RAW || name === NATIVE_RAW;
export const REFERENCE = "undici request";

/** One contender's figures in one run of one scenario (null: not measured). */
export interface RunFigures {
  /** Median requests per second over the run's rounds. */
  reqPerSec: number;
  /** Median CPU µs (user + system) of the contender's process per request. */
  cpuMicrosPerReq: number;
  /** Median of per-round ratios of req/s to undici `request`. */
  vsReference: number | null;
  /** Instructions per request (Valgrind), when counted in this run. */
  instructionsPerReq: number | null;
}

export interface MultiRunScenario {
  id: string;
  title: string;
  contenders: { name: string; runs: RunFigures[] }[];
  /**
   * Per run: raw ceiling ÷ the fastest contender (median of per-round ratios),
   * which contender, and which ceiling (the native one when it ran; absent in
   * results from before it existed: the Node one).
   */
  ceiling: { ratio: number | null; fastest: string; raw?: string; nodeRatio?: number | null }[];
}

/** What a `--runs=N` run records (results/<date>[-label].json, key `keepAlive`). */
export interface MultiRunResult {
  /** The command that produced it. */
  command: string;
  /** Node version, platform, CPU count and model. */
  machine: string;
  /** 1-minute load average at the start and the end of each run. */
  loads: { start: number; end: number }[];
  runs: number;
  rounds: number;
  durationMs: number;
  /**
   * What each contender's turn does before its sample: `rewarmMs` of
   * unmeasured requests, a forced gc() first or not, V8's memory reducer on
   * or off in the children. Absent in results before the thirteenth session:
   * no rewarm, a forced gc(), the reducer on.
   */
  turn?: Turn;
  serverProcesses: number;
  /** Which canned server (absent before 2026-12-07's native one: the Node server). */
  server?: string;
  /**
   * Requests counted per contender and scenario under Valgrind (in `phases`
   * equal phases, after `warmUp` requests), or null when not counted.
   */
  instructions: { requests: number; warmUp: number; phases: number } | null;
  scenarios: MultiRunScenario[];
}

/** Instructions per request by scenario and contender, as scripts/instructions-contenders.mjs prints them. */
export type InstructionCounts = Record<string, Record<string, number>>;

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** Adds one run's results (and instruction counts) to `into`, scenario by scenario. */
export function addRun(
  into: MultiRunScenario[],
  results: readonly ScenarioResult[],
  instructions: InstructionCounts | undefined,
): void {
  for (const r of results) {
    let scenario = into.find((s) => s.id === r.id);
    if (scenario === undefined) {
      scenario = { id: r.id, title: r.title, contenders: [], ceiling: [] };
      into.push(scenario);
    }
    const reference = r.contenders.find((c) => c.name === REFERENCE);
    for (const c of r.contenders) {
      let row = scenario.contenders.find((x) => x.name === c.name);
      if (row === undefined) {
        row = { name: c.name, runs: [] };
        scenario.contenders.push(row);
      }
      row.runs.push({
        reqPerSec: median(c.rates),
        cpuMicrosPerReq: median(c.cpuPerRequest),
        vsReference:
          reference === undefined ? null : finite(median(roundRatios(c.rates, reference.rates))),
        instructionsPerReq: instructions?.[r.id]?.[c.name] ?? null,
      });
    }
    scenario.ceiling.push(ceilingOf(r));
  }
}

/**
 * Raw ceiling ÷ fastest contender in one run: median of per-round ratios. The
 * native raw ceiling when it ran (the Node one costs ~1.5× its CPU per request,
 * which on 2 cores the server then lacks: results/2026-12-07-native-server.md),
 * else the Node one.
 */
export function ceilingOf(r: ScenarioResult): {
  ratio: number | null;
  fastest: string;
  raw: string;
  /** The Node raw ceiling's ratio too, when the native one is the check's. */
  nodeRatio: number | null;
} {
  const nodeRaw = r.contenders.find((c) => c.name === RAW);
  const raw = r.contenders.find((c) => c.name === NATIVE_RAW) ?? nodeRaw;
  const others = r.contenders.filter((c) => !isRaw(c.name));
  if (raw === undefined || others.length === 0)
    return { ratio: null, fastest: "–", raw: RAW, nodeRatio: null };
  const fastest = others.reduce((a, b) => (median(b.rates) > median(a.rates) ? b : a));
  const over = (c: typeof raw) => finite(median(roundRatios(c.rates, fastest.rates)));
  return {
    ratio: over(raw),
    fastest: fastest.name,
    raw: raw.name,
    nodeRatio: raw !== nodeRaw && nodeRaw !== undefined ? over(nodeRaw) : null,
  };
}

/** "1,234 (1,100–1,300)": the median across runs and the spread; just the median for one run. */
function cell(values: readonly (number | null)[], format: (n: number) => string): string {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return "–";
  const m = format(median(known));
  if (known.length === 1) return m;
  return `${m} (${format(Math.min(...known))}–${format(Math.max(...known))})`;
}

const ratioText = (n: number) => `${n.toFixed(2)}×`;

/** One line per scenario on the ceiling check, flagged when it failed in any run. */
export function ceilingLine(s: MultiRunScenario): string {
  const ratios = s.ceiling.map((c) => c.ratio);
  const known = ratios.filter((r): r is number => r !== null);
  if (known.length === 0) return "Raw ceiling not measured: no ceiling check.";
  const held = known.filter((r) => r >= CEILING_FACTOR).length;
  const fastest = [...new Set(s.ceiling.map((c) => c.fastest))].join(" / ");
  const raw = [...new Set(s.ceiling.map((c) => c.raw ?? RAW))].join(" / ");
  const text = `${raw[0]!.toUpperCase()}${raw.slice(1)} ÷ fastest contender (${fastest}): ${cell(ratios, ratioText)}; at least ${CEILING_FACTOR}× in ${held} of ${known.length} run(s)`;
  const nodeRatios = s.ceiling.map((c) => c.nodeRatio ?? null);
  const node = nodeRatios.some((n) => n !== null)
    ? ` (the Node raw ceiling: ${cell(nodeRatios, ratioText)})`
    : "";
  return held === known.length
    ? `${text}${node}.`
    : `**${text}${node}: the ceiling check FAILED** — the server or the machine, not the clients, may set the pace here, so differences between the fastest contenders are understated.`;
}

/**
 * The Markdown table of one scenario: contenders as rows, medians across runs
 * with min–max. The instructions column appears only when some run counted
 * them (`--instructions`): an empty column would read as a missing figure.
 */
export function multiRunTable(s: MultiRunScenario): string {
  const rows = [...s.contenders].sort(
    (a, b) =>
      (isRaw(a.name) ? 1 : 0) - (isRaw(b.name) ? 1 : 0) ||
      median(b.runs.map((r) => r.reqPerSec)) - median(a.runs.map((r) => r.reqPerSec)),
  );
  const counted = s.contenders.some((c) => c.runs.some((r) => r.instructionsPerReq !== null));
  const lines = [
    `| contender | req/s | CPU µs/req |${counted ? " instructions/req |" : ""} vs ${REFERENCE} (req/s) |`,
    `|---|---:|---:|${counted ? "---:|" : ""}---:|`,
  ];
  for (const c of rows) {
    const instructions = counted
      ? ` ${cell(
          c.runs.map((r) => r.instructionsPerReq),
          (n) => fmt(n),
        )} |`
      : "";
    lines.push(
      `| ${c.name} | ${cell(
        c.runs.map((r) => r.reqPerSec),
        (n) => fmt(n),
      )} | ${cell(
        c.runs.map((r) => r.cpuMicrosPerReq),
        (n) => n.toFixed(1),
      )} |${instructions} ${cell(
        c.runs.map((r) => r.vsReference),
        ratioText,
      )} |`,
    );
  }
  return lines.join("\n");
}

/** How the figures were made, for the README and the results file. */
export function methodLine(m: MultiRunResult): string {
  const load = m.loads.map((l) => `${l.start}→${l.end}`).join(", ");
  const counted =
    m.instructions === null
      ? "instructions not counted in this run (`--instructions`)"
      : `instructions/req: Valgrind (callgrind) on the client process, median of ${m.instructions.phases} phases of ${fmt(m.instructions.requests / m.instructions.phases)} requests after ${fmt(m.instructions.warmUp)} warm-up, user space only`;
  return (
    `${m.runs} independent run(s) × ${m.rounds} rounds of ${fmt(m.durationMs)} ms after a warm-up round; ` +
    `${turnText(m.turn)}; ` +
    `each cell is the median of the runs' medians with the spread (min–max) across runs. ` +
    `${m.server === undefined ? `Canned-response server (${m.serverProcesses} process${m.serverProcesses === 1 ? "" : "es"})` : `${m.server[0]!.toUpperCase()}${m.server.slice(1)}`}, each contender in a Node process of its own, order rotated each round; 50 connections, 100 requests in flight. ` +
    `CPU µs/req: user + system time of the contender's process; ${counted}. ` +
    `${m.machine}; load average (1 min) at start→end of each run: ${load}.`
  );
}

/** Every scenario's table and ceiling line, for the README and the results file. */
export function multiRunMarkdown(m: MultiRunResult, heading = "###"): string {
  return m.scenarios
    .map((s) => `${heading} ${s.title}\n\n${multiRunTable(s)}\n\n${ceilingLine(s)}\n`)
    .join("\n");
}

// The differential fuzz loop behind `fuzz:diff` and the bounded CI run: case i
// of seed s is generated from its own random stream, so `--seed s --case i`
// replays it; each distinct finding is shrunk and reported once.
import type { Finding } from "./check.ts";
import { describeHttpCase, type HttpCase } from "./http-case.ts";
import { checkHttpCase } from "./http-check.ts";
import { generateHttpCase } from "./http-generate.ts";
import { Rng } from "./random.ts";
import { shrinkHttpCase, shrinkWsCase } from "./shrink.ts";
import type { WsCase } from "./ws.ts";
import { checkWsCase, describeWsCase } from "./ws-check.ts";
import { generateWsCase } from "./ws-generate.ts";

/** Which reader is checked: the HTTP/1.1 client reader (against llhttp) or the WebSocket frame reader (against ws). */
export type Parser = "http" | "ws";

export interface Report {
  seed: number;
  index: number;
  finding: Finding;
  /** The smallest input found that still gives this finding. */
  shrunk: string;
  replay: string;
}

export interface LoopResult {
  cases: number;
  /** How often each listed divergence explained a difference. */
  listed: Record<string, number>;
  reports: Report[];
  /** How many findings per signature (the report keeps the first). */
  counts: Record<string, number>;
}

export interface LoopOptions {
  parser: Parser;
  seed: number;
  /** Stop at this time (ms since the epoch). */
  until: number;
  cases: number;
  /** First case index (a replay starts at its case). */
  first?: number;
  /** Shrink each new finding (slower; the CI run does it too, findings are rare). */
  shrink?: boolean;
  onReport?: (r: Report) => void;
}

export function httpCaseAt(seed: number, index: number): { c: HttpCase; rng: Rng } {
  const rng = new Rng(seed, index);
  return { c: generateHttpCase(rng), rng };
}

export function wsCaseAt(seed: number, index: number): { c: WsCase; rng: Rng } {
  const rng = new Rng(seed, index);
  return { c: generateWsCase(rng), rng };
}

export const replayLine = (parser: Parser, seed: number, index: number) =>
  `npx pnpm --filter @reqivo/e2e fuzz:diff -- --parser ${parser} --seed ${seed} --case ${index}`;

/** Generates, checks and (on demand) shrinks case `index` of `seed`. */
function runCase(parser: Parser, seed: number, index: number) {
  if (parser === "http") {
    const { c, rng } = httpCaseAt(seed, index);
    return {
      checked: checkHttpCase(c, rng),
      shrink: (f: Finding) => describeHttpCase(shrinkHttpCase(c, seed, index, f)),
      describe: () => describeHttpCase(c),
    };
  }
  const { c, rng } = wsCaseAt(seed, index);
  return {
    checked: checkWsCase(c, rng),
    shrink: (f: Finding) => describeWsCase(shrinkWsCase(c, seed, index, f)),
    describe: () => describeWsCase(c),
  };
}

export function differentialLoop(options: LoopOptions): LoopResult {
  const result: LoopResult = { cases: 0, listed: {}, reports: [], counts: {} };
  const first = options.first ?? 0;
  for (let index = first; index < first + options.cases; index++) {
    if ((index & 7) === 0 && Date.now() >= options.until) break;
    const { checked, shrink, describe } = runCase(options.parser, options.seed, index);
    result.cases++;
    if (checked.listed !== undefined)
      result.listed[checked.listed] = (result.listed[checked.listed] ?? 0) + 1;
    for (const finding of checked.findings) {
      const seen = result.counts[finding.signature] ?? 0;
      result.counts[finding.signature] = seen + 1;
      if (seen > 0) continue;
      const report: Report = {
        seed: options.seed,
        index,
        finding,
        shrunk: options.shrink === false ? describe() : shrink(finding),
        replay: replayLine(options.parser, options.seed, index),
      };
      result.reports.push(report);
      options.onReport?.(report);
    }
  }
  return result;
}

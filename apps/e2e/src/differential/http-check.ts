// One HTTP case through every check: no crash or loop, the same verdict for
// every split of the bytes (whole, byte by byte, at every CR, at seeded cuts),
// and the same verdict as llhttp unless a reviewed divergence explains it.
import { classifyHttp } from "./divergences.ts";
import { describeHttpCase, type HttpCase, type HttpVerdict } from "./http-case.ts";
import { runLlhttp } from "./http-llhttp.ts";
import { CrashError, type Cutter, runReqivoHttp, whole } from "./http-reqivo.ts";
import type { Rng } from "./random.ts";

export type FindingKind = "crash" | "split" | "divergence";

/** What one check found; an empty list when every check passed (a listed divergence passes). */
export interface Finding {
  kind: FindingKind;
  detail: string;
  /** Tells findings apart, so a long run reports each kind once. */
  signature: string;
}

export interface CheckResult {
  findings: Finding[];
  /** The id of the listed divergence that explained a difference with the oracle. */
  listed?: string;
}

export const sameHttpVerdict = (a: HttpVerdict, b: HttpVerdict): boolean =>
  (a.error === undefined) === (b.error === undefined) &&
  JSON.stringify(a.messages) === JSON.stringify(b.messages);

const identical = (a: HttpVerdict, b: HttpVerdict): boolean =>
  a.error === b.error && sameHttpVerdict(a, b);

const show = (v: HttpVerdict) => JSON.stringify(v).slice(0, 500);

const BYTE_BY_BYTE_MAX = 4096;

/** The splits every case is fed at: byte by byte (when short), after every CR, and at seeded cuts. */
export function cutters(c: HttpCase, rng: Rng): [string, Cutter][] {
  const total = c.exchanges.reduce((n, e) => n + e.bytes.length, 0);
  const out: [string, Cutter][] = [];
  if (total <= BYTE_BY_BYTE_MAX)
    out.push([
      "byte by byte",
      (b) => Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1)),
    ]);
  out.push([
    "after every CR",
    (b) => {
      const parts: Uint8Array[] = [];
      let from = 0;
      for (let i = 0; i < b.length; i++)
        if (b[i] === 13) {
          parts.push(b.subarray(from, i + 1));
          from = i + 1;
        }
      parts.push(b.subarray(from));
      return parts;
    },
  ]);
  const cuts = c.exchanges.map((e) =>
    Array.from({ length: 1 + rng.int(6) }, () => rng.int(e.bytes.length + 1)).sort((x, y) => x - y),
  );
  out.push([
    `at ${JSON.stringify(cuts)}`,
    (b, exchange) => {
      const points = cuts[exchange] ?? [];
      return [...points, b.length].map((p, i) => b.subarray(i === 0 ? 0 : points[i - 1]!, p));
    },
  ]);
  return out;
}

export function checkHttpCase(c: HttpCase, rng: Rng): CheckResult {
  let reqivo: HttpVerdict;
  const findings: Finding[] = [];
  try {
    reqivo = runReqivoHttp(c, whole);
    for (const [name, cutter] of cutters(c, rng)) {
      const split = runReqivoHttp(c, cutter);
      if (!identical(reqivo, split)) {
        findings.push({
          kind: "split",
          detail: `whole: ${show(reqivo)}\n  ${name}: ${show(split)}`,
          signature: `http split ${reqivo.error ?? "ok"}/${split.error ?? "ok"}`,
        });
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof CrashError)) throw error;
    return {
      findings: [
        {
          kind: "crash",
          detail: error.message,
          signature: `http crash ${error.message.slice(0, 60)}`,
        },
      ],
    };
  }
  const oracle = runLlhttp(c);
  if (sameHttpVerdict(reqivo, oracle)) return { findings };
  const listed = classifyHttp(c, reqivo, oracle);
  if (listed !== undefined) return { findings, listed };
  findings.push({
    kind: "divergence",
    detail: `reqivo: ${show(reqivo)}\n  llhttp: ${show(oracle)}`,
    signature: `http divergence reqivo=${reqivo.error ?? "ok"} llhttp=${oracle.error ?? "ok"}`,
  });
  return { findings };
}

export { describeHttpCase };

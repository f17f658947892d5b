// One HTTP case through the checks of check.ts: split at every offset (short
// inputs), after every CR and at seeded cuts; compared with llhttp.
import { type CheckResult, runChecks } from "./check.ts";
import { classifyHttp } from "./divergences.ts";
import type { HttpCase, HttpVerdict } from "./http-case.ts";
import { runLlhttp } from "./http-llhttp.ts";
import { type Cutter, runReqivoHttp, whole } from "./http-reqivo.ts";
import type { Rng } from "./random.ts";

export const sameHttpVerdict = (a: HttpVerdict, b: HttpVerdict): boolean =>
  (a.error === undefined) === (b.error === undefined) &&
  JSON.stringify(a.messages) === JSON.stringify(b.messages);

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
  return runChecks<HttpVerdict>({
    name: "http",
    oracleName: "llhttp",
    whole: () => runReqivoHttp(c, whole),
    splits: () => cutters(c, rng).map(([name, cutter]) => [name, () => runReqivoHttp(c, cutter)]),
    oracle: () => runLlhttp(c),
    identical: (a, b) => a.error === b.error && sameHttpVerdict(a, b),
    agrees: sameHttpVerdict,
    code: (v) => v.error ?? "ok",
    classify: (reqivo, oracle) => classifyHttp(c, reqivo, oracle),
  });
}

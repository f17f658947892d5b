// Delta debugging, simply: drop whole parts (exchanges), then ever smaller
// runs of bytes, keeping each cut that still gives a finding with the same
// signature. Bounded by a number of checks, so a slow case cannot stall a run.

import type { Finding } from "./check.ts";
import type { HttpCase } from "./http-case.ts";
import { checkHttpCase } from "./http-check.ts";
import { Rng } from "./random.ts";
import type { WsCase } from "./ws.ts";
import { checkWsCase } from "./ws-check.ts";

const MAX_CHECKS = 1500;

/** Shrinks `parts` (at least one kept) while `stillFails` holds. */
export function shrinkParts(
  parts: Uint8Array[],
  stillFails: (parts: Uint8Array[]) => boolean,
): Uint8Array[] {
  let checks = 0;
  const test = (candidate: Uint8Array[]) => ++checks <= MAX_CHECKS && stillFails(candidate);
  let best = parts;
  for (let i = best.length - 1; i >= 0 && best.length > 1; i--) {
    const candidate = best.filter((_, j) => j !== i);
    if (test(candidate)) best = candidate;
  }
  for (let p = 0; p < best.length; p++) {
    for (let size = best[p]!.length >> 1; size >= 1 && checks < MAX_CHECKS; size >>= 1) {
      for (let at = 0; at + size <= best[p]!.length && checks < MAX_CHECKS; ) {
        const bytes = best[p]!;
        const cut = new Uint8Array(bytes.length - size);
        cut.set(bytes.subarray(0, at));
        cut.set(bytes.subarray(at + size), at);
        const candidate = best.map((x, j) => (j === p ? cut : x));
        if (test(candidate)) best = candidate;
        else at += size;
      }
    }
  }
  return best;
}

const sameFinding = (findings: Finding[], finding: Finding) =>
  findings.some((f) => f.signature === finding.signature);

export function shrinkHttpCase(
  c: HttpCase,
  seed: number,
  index: number,
  finding: Finding,
): HttpCase {
  // Exchanges are kept whole or dropped together with their request.
  let exchanges = c.exchanges;
  const fails = (candidate: HttpCase) =>
    sameFinding(checkHttpCase(candidate, new Rng(seed, index)).findings, finding);
  for (let i = exchanges.length - 1; i >= 0 && exchanges.length > 1; i--) {
    const fewer = exchanges.filter((_, j) => j !== i);
    if (fails({ ...c, exchanges: fewer })) exchanges = fewer;
  }
  const withBytes = (parts: Uint8Array[]): HttpCase => ({
    ...c,
    exchanges: exchanges.map((e, i) => ({ ...e, bytes: parts[i] ?? new Uint8Array(0) })),
  });
  const parts = shrinkParts(
    exchanges.map((e) => e.bytes),
    (candidate) => candidate.length === exchanges.length && fails(withBytes(candidate)),
  );
  return withBytes(parts);
}

export function shrinkWsCase(c: WsCase, seed: number, index: number, finding: Finding): WsCase {
  const [bytes] = shrinkParts([c.bytes], ([candidate]) =>
    sameFinding(checkWsCase({ ...c, bytes: candidate! }, new Rng(seed, index)).findings, finding),
  );
  return { ...c, bytes: bytes! };
}

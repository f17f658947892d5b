// Delta debugging, simply: drop exchanges, then ever smaller runs of bytes,
// keeping each cut that still gives a finding with the same signature.
// Bounded by a number of checks, so a slow case cannot stall a run.

import type { HttpCase } from "./http-case.ts";
import { checkHttpCase, type Finding } from "./http-check.ts";
import { Rng } from "./random.ts";

const MAX_CHECKS = 1500;

export function shrinkHttpCase(
  c: HttpCase,
  seed: number,
  index: number,
  finding: Finding,
): HttpCase {
  let checks = 0;
  const stillFails = (candidate: HttpCase): boolean => {
    checks++;
    return checkHttpCase(candidate, new Rng(seed, index)).findings.some(
      (f) => f.signature === finding.signature,
    );
  };
  let best = c;
  for (let i = best.exchanges.length - 1; i >= 0 && best.exchanges.length > 1; i--) {
    const candidate = { ...best, exchanges: best.exchanges.filter((_, j) => j !== i) };
    if (stillFails(candidate)) best = candidate;
  }
  for (let e = 0; e < best.exchanges.length; e++) {
    for (
      let size = best.exchanges[e]!.bytes.length >> 1;
      size >= 1 && checks < MAX_CHECKS;
      size >>= 1
    ) {
      for (let at = 0; at + size <= best.exchanges[e]!.bytes.length && checks < MAX_CHECKS; ) {
        const bytes = best.exchanges[e]!.bytes;
        const cut = new Uint8Array(bytes.length - size);
        cut.set(bytes.subarray(0, at));
        cut.set(bytes.subarray(at + size), at);
        const candidate = {
          ...best,
          exchanges: best.exchanges.map((x, j) => (j === e ? { ...x, bytes: cut } : x)),
        };
        if (stillFails(candidate)) best = candidate;
        else at += size;
      }
    }
  }
  return best;
}

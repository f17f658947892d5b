// One WebSocket case through the checks of check.ts: split byte by byte (short
// inputs) and at seeded cuts; compared with ws's Receiver.
import { type CheckResult, runChecks } from "./check.ts";
import { classifyWs } from "./divergences.ts";
import type { Rng } from "./random.ts";
import { runReqivoWs, runWsReceiver, type WsCase, type WsVerdict } from "./ws.ts";

const sameWs = (a: WsVerdict, b: WsVerdict) =>
  a.closeCode === b.closeCode && JSON.stringify(a.events) === JSON.stringify(b.events);

/** The case as text for a report: the frames in hex. */
export function describeWsCase(c: WsCase): string {
  return `ws frames (max message ${c.maxMessage}): ${Buffer.from(c.bytes).toString("hex").slice(0, 600)}`;
}

export function checkWsCase(c: WsCase, rng: Rng): CheckResult {
  const cuts = Array.from({ length: 1 + rng.int(6) }, () => rng.int(c.bytes.length + 1)).sort(
    (a, b) => a - b,
  );
  const atCuts = [...cuts, c.bytes.length].map((p, i) =>
    c.bytes.subarray(i === 0 ? 0 : cuts[i - 1]!, p),
  );
  const splits: [string, () => WsVerdict][] = [
    [`at ${JSON.stringify(cuts)}`, () => runReqivoWs(c, atCuts)],
  ];
  if (c.bytes.length <= 4096)
    splits.unshift([
      "byte by byte",
      () =>
        runReqivoWs(
          c,
          Array.from(c.bytes, (_, i) => c.bytes.subarray(i, i + 1)),
        ),
    ]);
  return runChecks<WsVerdict>({
    name: "ws",
    oracleName: "ws",
    whole: () => runReqivoWs(c),
    splits: () => splits,
    oracle: () => runWsReceiver(c),
    identical: sameWs,
    agrees: sameWs,
    code: (v) => (v.closeCode === undefined ? "ok" : String(v.closeCode)),
    classify: (reqivo, oracle) => classifyWs(c, reqivo, oracle),
  });
}

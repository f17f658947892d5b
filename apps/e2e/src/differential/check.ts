// The checks every differential case goes through, whatever the protocol: no
// crash or loop, the same verdict for every split of the bytes, and the same
// verdict as the reference reader unless a reviewed divergence explains it.

/** Something no reader may do whatever the bytes: throw a non-protocol error, or loop. */
export class CrashError extends Error {}

export type FindingKind = "crash" | "split" | "divergence";

/** One broken check. */
export interface Finding {
  kind: FindingKind;
  detail: string;
  /** Tells findings apart, so a long run reports each kind once. */
  signature: string;
}

export interface CheckResult {
  /** Empty when every check passed (a listed divergence passes). */
  findings: Finding[];
  /** The id of the listed divergence that explained a difference with the oracle. */
  listed?: string;
}

/** One case seen from both readers. */
export interface Differential<V> {
  /** "http" or "ws", and the reference reader's name, for signatures and reports. */
  name: string;
  oracleName: string;
  /** Reqivo's verdict on the bytes fed whole. */
  whole(): V;
  /** Reqivo's verdict on the same bytes cut in other ways, by name. */
  splits(): [string, () => V][];
  oracle(): V;
  /** The same verdict, error code included (split invariance). */
  identical(a: V, b: V): boolean;
  /** The same verdict as far as the oracle comparison goes. */
  agrees(reqivo: V, oracle: V): boolean;
  /** The verdict's error code, or "ok". */
  code(v: V): string;
  /** The listed divergence explaining a disagreement, if one does. */
  classify(reqivo: V, oracle: V): string | undefined;
}

const show = (v: unknown) => JSON.stringify(v).slice(0, 500);

export function runChecks<V>(d: Differential<V>): CheckResult {
  const findings: Finding[] = [];
  let reqivo: V;
  try {
    reqivo = d.whole();
    for (const [name, run] of d.splits()) {
      const split = run();
      if (!d.identical(reqivo, split)) {
        findings.push({
          kind: "split",
          detail: `whole: ${show(reqivo)}\n  ${name}: ${show(split)}`,
          signature: `${d.name} split ${d.code(reqivo)}/${d.code(split)}`,
        });
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof CrashError)) throw error;
    const signature = `${d.name} crash ${error.message.slice(0, 60)}`;
    return { findings: [{ kind: "crash", detail: error.message, signature }] };
  }
  const oracle = d.oracle();
  if (d.agrees(reqivo, oracle)) return { findings };
  const listed = d.classify(reqivo, oracle);
  if (listed !== undefined) return { findings, listed };
  findings.push({
    kind: "divergence",
    detail: `reqivo: ${show(reqivo)}\n  ${d.oracleName}: ${show(oracle)}`,
    signature: `${d.name} divergence reqivo=${d.code(reqivo)} ${d.oracleName}=${d.code(oracle)}`,
  });
  return { findings };
}

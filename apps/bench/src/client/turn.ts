// The loaded-client turn, one definition for every client benchmark that runs
// its contenders in processes of their own (sample-host.ts). Each turn begins
// with --rewarm ms of unmeasured work and no forced gc() (--gc-before-sample
// restores one), in children with V8's memory reducer off (--memory-reducer
// keeps it on). A child idles through the other contenders' turns, and a
// client back from idle, or after a forced gc(), ran at 2–3× its steady CPU
// per request for seconds (results/2026-12-07-s13-method.md): what is
// measured should be a client under load, not one just woken.
//
// Parent side: turnFlags, childExecArgv (Node), denoTurnArgs, turnText, askTurn.
// Child side (Node, Deno or Bun): beginTurn.
import type { SampleHost } from "./sample-host.ts";
import { flag, fmt, numberFlag } from "./suite.ts";

/** How each contender's turn begins before its measured sample. */
export interface Turn {
  /** Unmeasured work of the sample's own kind for this long first (--rewarm). */
  rewarmMs: number;
  /** A forced gc() in the child before the rewarm (--gc-before-sample; older results). */
  collectFirst: boolean;
  /** V8's memory reducer left on in the children (--memory-reducer). */
  memoryReducer: boolean;
}

/**
 * The turn's fields of a request to a child. A parent that reads figures of
 * its own around the sample alone (a server's CPU or connection counts) first
 * sends the turn with `turnOnly`, then the sample without turn fields.
 */
export interface TurnRequest {
  rewarmMs?: number;
  collectFirst?: boolean;
  /** Only the turn's start: the child replies with nothing measured. */
  turnOnly?: boolean;
}

/**
 * The turn chosen on the command line: --rewarm=MS (default `defaultRewarmMs`,
 * at most 10 s), --gc-before-sample, --memory-reducer.
 *
 * @example
 * const turn = turnFlags(2000); // `--rewarm=500` on the command line → turn.rewarmMs === 500
 */
export function turnFlags(defaultRewarmMs: number): Turn {
  return {
    rewarmMs: numberFlag("rewarm", defaultRewarmMs, 0, 10_000),
    collectFirst: flag("gc-before-sample") !== undefined,
    memoryReducer: flag("memory-reducer") !== undefined,
  };
}

/**
 * Node flags for a contender child: this process's own (its loader, less any
 * --cpu-prof), plus what `turn` needs (--no-memory-reducer, --expose-gc).
 *
 * @example
 * startSampleHost(process.execPath, [...childExecArgv(turn), childFile, name]);
 */
export function childExecArgv(turn: Turn): string[] {
  const args = process.execArgv.filter((a) => !a.startsWith("--cpu-prof"));
  if (!turn.memoryReducer) args.push("--no-memory-reducer");
  if (turn.collectFirst && !args.includes("--expose-gc")) args.push("--expose-gc");
  return args;
}

/**
 * The `deno run` argument `turn` needs (V8 flags), if any. Bun's
 * JavaScriptCore has no memory reducer and always offers Bun.gc.
 *
 * @example
 * ["run", "--allow-all", ...denoTurnArgs(turn), childFile] // ["--v8-flags=--no-memory-reducer"]
 */
export function denoTurnArgs(turn: Turn): string[] {
  const v8 = [
    ...(turn.memoryReducer ? [] : ["--no-memory-reducer"]),
    ...(turn.collectFirst ? ["--expose-gc"] : []),
  ];
  return v8.length === 0 ? [] : [`--v8-flags=${v8.join(",")}`];
}

/**
 * Parent side: the start of `host`'s turn as a request of its own (`request`
 * plus the turn's fields and `turnOnly`), so that what the parent reads next,
 * a server's CPU or connection counts, covers the sample alone. Nothing to
 * send for a turn of no rewarm and no forced gc().
 *
 * @example
 * await askTurn(host, { scenario: "get-tiny-1c", durationMs: 0, maxRequests }, turn, 60_000);
 * const before = await serverStats(server);
 * const reply = await host.ask<SampleReply>(sampleRequest, 60_000);
 */
export async function askTurn(
  host: SampleHost,
  request: object,
  turn: Turn,
  timeoutMs: number,
): Promise<void> {
  if (turn.rewarmMs === 0 && !turn.collectFirst) return;
  const turnOnly: TurnRequest = {
    rewarmMs: turn.rewarmMs,
    collectFirst: turn.collectFirst,
    turnOnly: true,
  };
  await host.ask({ ...request, ...turnOnly }, turn.rewarmMs + timeoutMs);
}

/** The turn of results from before the thirteenth session, which recorded none. */
const OLD_TURN: Turn = { rewarmMs: 0, collectFirst: true, memoryReducer: true };

/**
 * The turn in words for a method line, without final punctuation; `work`
 * names the unmeasured work, `children` the processes the reducer note is about.
 *
 * @example
 * turnText({ rewarmMs: 2000, collectFirst: false, memoryReducer: false });
 * // "each turn begins with 2,000 ms of unmeasured requests before its sample
 * //  (children run with V8's memory reducer off)"
 */
export function turnText(turn: Turn = OLD_TURN, work = "requests", children = "children"): string {
  const steps = [
    turn.collectFirst ? "a forced gc()" : "",
    turn.rewarmMs > 0 ? `${fmt(turn.rewarmMs)} ms of unmeasured ${work}` : "",
  ].filter((step) => step !== "");
  const reducer = turn.memoryReducer ? "" : ` (${children} run with V8's memory reducer off)`;
  return steps.length === 0
    ? `each sample starts with no rewarm${reducer}`
    : `each turn begins with ${steps.join(" then ")} before its sample${reducer}`;
}

/**
 * Child side: the start of a turn as `request` asks it, a forced collection
 * (where the runtime offers one) then `rewarm(ms)`, unmeasured.
 *
 * @example
 * await beginTurn(request, (ms) => contender.sample(scenario, ms, maxRequests));
 */
export async function beginTurn(
  request: TurnRequest,
  rewarm: (ms: number) => Promise<unknown>,
): Promise<void> {
  if (request.collectFirst === true) forceCollection();
  if (request.rewarmMs !== undefined && request.rewarmMs > 0) await rewarm(request.rewarmMs);
}

/** A full collection: Node and Deno with --expose-gc, Bun always. */
function forceCollection(): void {
  const runtime = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (runtime.gc !== undefined) runtime.gc();
  else runtime.Bun?.gc(true);
}

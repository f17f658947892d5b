// One Node contender of client.bench.ts in a process of its own (sample-host.ts):
//   contender-child.ts <server port> <contender name>
// Request {scenario, inFlight, durationMs, maxRequests}; reply {requests, elapsedMs, cpuMicros}.
import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import { oneContender } from "./contenders.ts";
import { cpuMicros, serveSamples } from "./sample-host.ts";
import { SCENARIOS } from "./scenarios.ts";
import { beginTurn, type TurnRequest } from "./turn.ts";

/** What client.bench.ts asks of a contender child. */
export interface SampleRequest extends TurnRequest {
  scenario: string;
  inFlight: number;
  durationMs: number;
  maxRequests: number;
}

/** What it answers. */
export interface SampleReply {
  requests: number;
  elapsedMs: number;
  cpuMicros: number;
}

// BENCH_TRACE_SAMPLES=1: one stderr line per sample with the heap and the
// collections since the last one (why a contender's rounds differ).
const gcCounts = { scavenge: 0, markSweep: 0, ms: 0, scavengeMs: 0 };
const TRACING = process.env.BENCH_TRACE_SAMPLES === "1";
if (TRACING) {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind === 1) {
        gcCounts.scavenge++;
        gcCounts.scavengeMs += e.duration;
      } else gcCounts.markSweep++;
      gcCounts.ms += e.duration;
    }
  }).observe({ entryTypes: ["gc"] });
}
let newSpaceAtStart = "";
let newSpaceAtTurnStart = "";
function newSpaceMiB(): string {
  const space = v8.getHeapSpaceStatistics().find((sp) => sp.space_name === "new_space");
  return ((space?.space_size ?? 0) / 2 ** 20).toFixed(1);
}
function traceSample(who: string, requests: number, elapsedMs: number, cpu: number): void {
  const spaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((sp) => [sp.space_name, sp.space_size]),
  );
  const mb = (n: number | undefined) => ((n ?? 0) / 2 ** 20).toFixed(1);
  console.error(
    `[${who}] ${Math.round((requests * 1000) / elapsedMs)} req/s ${(cpu / requests).toFixed(1)} µs/req ` +
      `scavenges ${gcCounts.scavenge} (${gcCounts.scavengeMs.toFixed(1)} ms) mark-sweeps ${gcCounts.markSweep} ` +
      `(all gc ${gcCounts.ms.toFixed(0)} ms) ` +
      `new space ${newSpaceAtTurnStart} (turn start) ${newSpaceAtStart} → ${mb(spaces.new_space)} old ${mb(spaces.old_space)} MB`,
  );
  resetGcCounts();
}
function resetGcCounts(): void {
  gcCounts.scavenge = 0;
  gcCounts.markSweep = 0;
  gcCounts.ms = 0;
  gcCounts.scavengeMs = 0;
}

const [portText, name] = process.argv.slice(2);
const chosen = await oneContender(Number(portText), name ?? "", "contender-child");

serveSamples<SampleRequest, SampleReply>(
  chosen.name,
  async (request) => {
    const { scenario: id, inFlight, durationMs, maxRequests } = request;
    const found = SCENARIOS.find((s) => s.id === id);
    if (found === undefined) throw new Error(`unknown scenario ${id}`);
    if (TRACING) newSpaceAtTurnStart = newSpaceMiB();
    await beginTurn(request, (ms) => chosen.sample({ ...found, inFlight }, ms, maxRequests));
    if (TRACING) {
      // Collections in the sample only (the rewarm's, a forced one and any while idle are not).
      await new Promise((resolve) => setImmediate(resolve));
      resetGcCounts();
      newSpaceAtStart = newSpaceMiB();
    }
    const before = cpuMicros();
    const { requests, elapsedMs, helperCpuMicros } = await chosen.sample(
      { ...found, inFlight },
      durationMs,
      maxRequests,
    );
    const used = cpuMicros() - before + (helperCpuMicros ?? 0);
    if (TRACING) traceSample(chosen.name, requests, elapsedMs, used);
    return { requests, elapsedMs, cpuMicros: used };
  },
  () => chosen.close(),
);

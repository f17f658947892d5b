// One Node contender of client.bench.ts for a fixed number of requests, with
// what the operating system saw of each measured phase: user and system CPU,
// read and write syscalls (/proc/self/io syscr/syscw, Linux), voluntary
// context switches and V8 collections, all per request. Run by
// scripts/os-contenders.mjs, which may attach `strace -c` between "warm" and "go".
//   os-child <server port> <contender name> <warm-up> <requests> <scenario>
import { readdirSync, readFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";
import { oneContender } from "./contenders.ts";
import { SCENARIOS } from "./scenarios.ts";

const [portText, name, warmText, requestsText, scenarioId] = process.argv.slice(2);
const port = Number(portText);
const warmUp = Number(warmText);
const requests = Number(requestsText);
const scenario = SCENARIOS.find((s) => s.id === scenarioId);
if (scenario === undefined || !(port > 0) || !(warmUp > 0) || !(requests > 0)) {
  console.error("usage: os-child <port> <contender> <warm-up> <requests> <scenario>");
  process.exit(2);
}
const chosen = await oneContender(port, name ?? "", "os-child");
const NO_TIME_LIMIT = 3_600_000;

function io(): { reads: number; writes: number; switches: number; faults: number } {
  const text = readFileSync("/proc/self/io", "utf8");
  const field = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
  const usage = process.resourceUsage();
  return {
    reads: field("syscr"),
    writes: field("syscw"),
    switches: usage.voluntaryContextSwitches,
    faults: usage.minorPageFault,
  };
}

/** User+system clock ticks of each thread (Linux), by thread name. */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const label = `${stat.slice(stat.indexOf("(") + 1, close)}${tid === String(process.pid) ? "*" : ""}`;
      const fields = stat.slice(close + 2).split(" ");
      // utime, stime: fields 14 and 15 of stat, 12 and 13 after the name.
      ticks.set(label, (ticks.get(label) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return ticks;
}

await chosen.sample(scenario, NO_TIME_LIMIT, warmUp);
process.stdout.write("warm\n");
if (process.env.OS_CHILD_WAIT === "1") {
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
}
let collections = 0;
let minor = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    collections++;
    if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === 1) minor++;
  }
});
observer.observe({ entryTypes: ["gc"] });
const ioBefore = io();
const threadsBefore = threadTicks();
const cpuBefore = process.cpuUsage();
const start = performance.now();
const done = await chosen.sample(scenario, NO_TIME_LIMIT, requests);
const elapsed = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);
const ioAfter = io();
const threads: Record<string, number> = {};
for (const [label, t] of threadTicks()) {
  const spent = t - (threadsBefore.get(label) ?? 0);
  // Clock ticks are 10 ms: µs per request.
  if (spent > 0) threads[label] = +((spent * 10_000) / requests).toFixed(2);
}
await new Promise((r) => setImmediate(r));
observer.disconnect();
const n = done.requests;
process.stdout.write(
  `${JSON.stringify({
    name,
    scenario: scenarioId,
    requests: n,
    reqPerSec: Math.round((n / elapsed) * 1000),
    userMicros: +(cpu.user / n).toFixed(2),
    systemMicros: +(cpu.system / n).toFixed(2),
    readSyscalls: +((ioAfter.reads - ioBefore.reads) / n).toFixed(3),
    writeSyscalls: +((ioAfter.writes - ioBefore.writes) / n).toFixed(3),
    minorFaults: +((ioAfter.faults - ioBefore.faults) / n).toFixed(3),
    voluntarySwitches: +((ioAfter.switches - ioBefore.switches) / n).toFixed(3),
    collectionsPer10k: +((collections / n) * 10_000).toFixed(1),
    scavengesPer10k: +((minor / n) * 10_000).toFixed(1),
    threadMicros: threads,
  })}\n`,
);
await chosen.close();
process.exit(0);

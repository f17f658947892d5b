// --allocations for client.bench.ts and client-http2.bench.ts: bytes allocated per request, by the
// function that allocated them, from V8's sampling heap profiler with the
// objects minor and major GCs collected kept in (so garbage counts too).
// Sampling (every 256 bytes on average) makes the figures estimates: compare
// runs of one build against another with the same request count, and only
// differences of a few per cent or more.
import { Session } from "node:inspector/promises";

/** What the heap sampler drives: a contender of either bench and one of its scenarios. */
interface Sampled<S> {
  name: string;
  sample(scenario: S, durationMs: number, maxRequests: number): Promise<{ requests: number }>;
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** Runs `requests` requests of `contender` under the heap sampler and prints the top allocators. */
export async function allocationProfile<S extends { id: string }>(
  contender: Sampled<S>,
  scenario: S,
  requests: number,
  top = 25,
): Promise<void> {
  await contender.sample(scenario, 60_000, Math.min(requests, 5000)); // warm-up
  const inspector = new Session();
  inspector.connect();
  try {
    await inspector.post("HeapProfiler.enable");
    await inspector.post("HeapProfiler.startSampling", {
      samplingInterval: 256,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    const { requests: done } = await contender.sample(scenario, 600_000, requests);
    const { profile } = await inspector.post("HeapProfiler.stopSampling");
    const bySite = new Map<string, number>();
    let total = 0;
    const stack: SamplingNode[] = [profile.head as SamplingNode];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const { functionName, url, lineNumber } = node.callFrame;
      const site = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(packages|node_modules)\//, "")}:${lineNumber + 1}`;
      total += node.selfSize;
      if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      stack.push(...node.children);
    }
    console.log(
      `${scenario.id}: ${contender.name} allocated ~${Math.round(total / done)} bytes per request (${done} requests)`,
    );
    const rows = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [site, bytes] of rows)
      console.log(`${String(Math.round(bytes / done)).padStart(7)}  ${site}`);
  } finally {
    inspector.disconnect();
  }
}

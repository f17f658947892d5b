// Load and leaks on Node: requests through one Session with pool.connections 10
// and 500 in flight, 10% aborted at random points, against a local node:http
// server. CI runs the full 100,000 requests (~16 s on 2 cores); a smaller count for
// a quick local run: E2E_LOAD_REQUESTS=20000 npx pnpm --filter @reqivo/e2e test load;
// longer runs: `npx pnpm soak --minutes N`.
import { describe, expect, it } from "vitest";
import { leaked } from "../src/fault-runner.ts";
import { runLoad } from "../src/load.ts";

const REQUESTS = Number(process.env.E2E_LOAD_REQUESTS ?? 100_000);

describe("load and leaks", () => {
  it(`${REQUESTS} requests, 500 in flight, 10 connections, 10% aborted: nothing lost, nothing leaked`, async () => {
    // Warm-up: code, caches and pools that a first run allocates once are part of the baseline.
    await runLoad({ requests: 1_000, seed: 7 });
    const report = await runLoad({
      requests: REQUESTS,
      inFlight: 500,
      connections: 10,
      abortRate: 0.1,
      seed: 42,
    });
    expect(report.mismatched).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.started).toBe(REQUESTS);
    expect(report.ok + report.aborted).toBe(REQUESTS);
    expect(report.aborted).toBeGreaterThan(0);
    expect(report.serverDuplicates).toBe(0);
    expect(report.peakServerSockets).toBeLessThanOrEqual(10);
    expect(report.peakClientConnections).toBeLessThanOrEqual(10);
    expect(report.peakPoolTotal).toBeLessThanOrEqual(10);
    expect(leaked(report.resourcesBefore, report.resourcesAfter)).toEqual([]);
    // Retained heap does not grow with the number of requests (measured ~1 MB for 20k and for 60k).
    expect(report.heapAfter - report.heapBefore).toBeLessThan(8 * 1024 * 1024);
  }, 600_000);
});

// One contender against the canned server, its samples separated by an idle
// gap, with a forced gc before each (as contender-child.ts did until the
// thirteenth session; `no` as the fifth argument leaves it out) and V8's
// --trace-gc on stdout from then on (the server process is started first,
// without it). Shows what an idle gap (a full client.bench.ts run: the other
// contenders' turns) or a forced gc does to the young generation and to the
// CPU per request after it (results/2026-12-07-round-cpu2.md,
// results/2026-12-07-s13-method.md):
//   npx tsx --expose-gc src/client/idle-gc.ts [contender=reqivo] [idleMs=9000] [samples=3] [scenario=get-tiny] [forceGc=yes|no]
//     [--sample-ms=1000] [--slices=1]
// Lines "--- sample i: …" give req/s and CPU µs/req; count the Scavenge and
// Mark-Compact lines between "--- sample i start" and it. --slices=N splits
// each sample into N equal parts and prints each part's CPU µs/req: how long
// a client takes to return to its steady cost after the gap (sample 0 is the
// warm-up from start). Add `--no-memory-reducer` before the script to see
// the gap without V8's memory reducer.
import v8 from "node:v8";
import { createContenders } from "./contenders.ts";
import { cpuMicros } from "./sample-host.ts";
import { CONNECTIONS, SCENARIOS } from "./scenarios.ts";
import { collect, numberFlag, startServer } from "./suite.ts";

const [
  name = "reqivo",
  idleText = "9000",
  samplesText = "3",
  scenarioId = "get-tiny",
  forceGc = "yes",
] = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const sampleMs = numberFlag("sample-ms", 1000, 100, 60_000);
const slices = numberFlag("slices", 1, 1, 100);
const server = await startServer("canned-server.ts", 1, ["2"]);
v8.setFlagsFromString("--trace-gc");
const all = createContenders(`http://127.0.0.1:${server.port}`, CONNECTIONS);
const chosen = all.find((c) => c.name === name);
for (const c of all) if (c !== chosen) await c.close();
const scenario = SCENARIOS.find((s) => s.id === scenarioId);
if (chosen === undefined || scenario === undefined) throw new Error(`no contender ${name}`);
for (let i = 0; i < Number(samplesText); i++) {
  if (forceGc === "yes") collect();
  console.log(`--- sample ${i} start`);
  let requests = 0;
  let elapsedMs = 0;
  const before = cpuMicros();
  const perSlice: string[] = [];
  for (let slice = 0; slice < slices; slice++) {
    const sliceStart = cpuMicros();
    const part = await chosen.sample(scenario, sampleMs / slices, 2_000_000);
    perSlice.push(((cpuMicros() - sliceStart) / part.requests).toFixed(0));
    requests += part.requests;
    elapsedMs += part.elapsedMs;
  }
  const perRequest = (cpuMicros() - before) / requests;
  console.log(
    `--- sample ${i}: ${Math.round((requests * 1000) / elapsedMs)} req/s ${perRequest.toFixed(1)} µs/req` +
      (slices > 1 ? ` (by ${sampleMs / slices} ms slice: ${perSlice.join(" ")})` : ""),
  );
  await new Promise((resolve) => setTimeout(resolve, Number(idleText)));
}
await chosen.close();
server.stop();

// One contender against the canned server, its 1 s samples of GET 16 B
// separated by an idle gap, with a forced gc before each (as contender-child.ts
// does) and V8's --trace-gc on stdout from then on (the server process is
// started first, without it). Shows what an idle gap of 8 s or more (a full
// client.bench.ts run: nine other contenders' turns) does to the young
// generation (results/2026-12-07-round-cpu2.md):
//   npx tsx --expose-gc src/client/idle-gc.ts [contender=reqivo] [idleMs=9000] [samples=3] [scenario=get-tiny] [forceGc=yes|no]
// Lines "--- sample i: …" give req/s and CPU µs/req; count the Scavenge and
// Mark-Compact lines between "--- sample i start" and it.
import v8 from "node:v8";
import { createContenders } from "./contenders.ts";
import { cpuMicros } from "./sample-host.ts";
import { CONNECTIONS, SCENARIOS } from "./scenarios.ts";
import { collect, startServer } from "./suite.ts";

const [
  name = "reqivo",
  idleText = "9000",
  samplesText = "3",
  scenarioId = "get-tiny",
  forceGc = "yes",
] = process.argv.slice(2);
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
  const before = cpuMicros();
  const { requests, elapsedMs } = await chosen.sample(scenario, 1000, 2_000_000);
  const perRequest = (cpuMicros() - before) / requests;
  console.log(
    `--- sample ${i}: ${Math.round((requests * 1000) / elapsedMs)} req/s ${perRequest.toFixed(1)} µs/req`,
  );
  await new Promise((resolve) => setTimeout(resolve, Number(idleText)));
}
await chosen.close();
server.stop();

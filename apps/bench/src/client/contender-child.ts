// One Node contender of client.bench.ts in a process of its own (sample-host.ts):
//   contender-child.ts <server port> <contender name>
// Request {scenario, inFlight, durationMs, maxRequests}; reply {requests, elapsedMs, cpuMicros}.
import { baselineContenders, createContenders, rawCeiling } from "./contenders.ts";
import { cpuMicros, serveSamples } from "./sample-host.ts";
import { CONNECTIONS, SCENARIOS } from "./scenarios.ts";
import { collect } from "./suite.ts";

/** What client.bench.ts asks of a contender child. */
export interface SampleRequest {
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

const [portText, name] = process.argv.slice(2);
const port = Number(portText);
const origin = `http://127.0.0.1:${port}`;
const all = [
  ...createContenders(origin, CONNECTIONS),
  ...(await baselineContenders(origin, CONNECTIONS)),
  rawCeiling(port),
];
const chosen = all.find((c) => c.name === name);
for (const c of all) if (c !== chosen) await c.close();
if (chosen === undefined) {
  console.error(`contender-child: no contender named ${name}`);
  process.exit(2);
}

serveSamples<SampleRequest, SampleReply>(
  chosen.name,
  async ({ scenario: id, inFlight, durationMs, maxRequests }) => {
    const found = SCENARIOS.find((s) => s.id === id);
    if (found === undefined) throw new Error(`unknown scenario ${id}`);
    collect();
    const before = cpuMicros();
    const { requests, elapsedMs } = await chosen.sample(
      { ...found, inFlight },
      durationMs,
      maxRequests,
    );
    return { requests, elapsedMs, cpuMicros: cpuMicros() - before };
  },
  () => chosen.close(),
);

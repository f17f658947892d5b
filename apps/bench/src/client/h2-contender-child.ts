// One contender of client-http2.bench.ts in a process of its own (sample-host.ts):
//   h2-contender-child.ts <server port> <contender name>     the CA from H2_BENCH_CA (PEM)
// Request {scenario, durationMs, maxRequests} with the turn's fields (turn.ts);
// reply {requests, elapsedMs, cpuMicros}, all 0 for a turn-only request.
import type { SampleReply } from "./contender-child.ts";
import { createH2Contender, H2_SCENARIOS } from "./h2-contenders.ts";
import { cpuMicros, serveSamples } from "./sample-host.ts";
import { beginTurn, type TurnRequest } from "./turn.ts";

/** What client-http2.bench.ts asks of a contender child. */
export interface H2SampleRequest extends TurnRequest {
  scenario: string;
  durationMs: number;
  maxRequests: number;
}

const [portText, name] = process.argv.slice(2);
const ca = process.env.H2_BENCH_CA;
if (ca === undefined) throw new Error("H2_BENCH_CA");
const chosen = createH2Contender(name ?? "", Number(portText), ca);
if (chosen === undefined) {
  console.error(`h2-contender-child: no contender named ${name}`);
  process.exit(2);
}

serveSamples<H2SampleRequest, SampleReply>(
  chosen.name,
  async (request) => {
    const { scenario: id, durationMs, maxRequests } = request;
    const found = H2_SCENARIOS.find((s) => s.id === id);
    if (found === undefined) throw new Error(`unknown scenario ${id}`);
    await beginTurn(request, (ms) => chosen.sample(found, ms, maxRequests));
    if (request.turnOnly === true) return { requests: 0, elapsedMs: 0, cpuMicros: 0 };
    const before = cpuMicros();
    const { requests, elapsedMs } = await chosen.sample(found, durationMs, maxRequests);
    return { requests, elapsedMs, cpuMicros: cpuMicros() - before };
  },
  () => chosen.close(),
);

// One contender of client-origins.bench.ts in a Node process of its own
// (sample-host.ts), as client.bench.ts runs its keep-alive contenders:
//   origins-child.ts <reqivo|undici|node|fetch>     the CA from ORIGINS_CA (PEM)
// Request {origins, inFlight, durationMs, maxRequests, bodyLength} with the turn's fields
// (turn.ts); reply {requests, elapsedMs, cpuMicros}, all 0 for a turn-only request.
import type { SampleReply } from "./contender-child.ts";
import { drive, type Sample } from "./contenders.ts";
import { type OriginsContender, originsContender } from "./origins-contenders.ts";
import { cpuMicros, serveSamples } from "./sample-host.ts";
import { beginTurn, type TurnRequest } from "./turn.ts";

/** What client-origins.bench.ts asks of a contender child. */
export interface OriginsSampleRequest extends TurnRequest {
  /** Request i goes to origins[i % n], so consecutive requests change origin. */
  origins: string[];
  inFlight: number;
  durationMs: number;
  maxRequests: number;
  /** The body length every response must have. */
  bodyLength: number;
}

const [key] = process.argv.slice(2);
const ca = process.env.ORIGINS_CA;
if (ca === undefined) throw new Error("ORIGINS_CA");
const chosen = originsContender(key ?? "", ca);

/** `inFlight` requests over the origins round-robin for `ms` or `maxRequests`. */
function requestFor(
  c: OriginsContender,
  { origins, inFlight, maxRequests, bodyLength }: OriginsSampleRequest,
  ms: number,
): Promise<Sample> {
  let next = 0;
  return drive({ inFlight }, ms, maxRequests, async () => {
    const origin = origins[next++ % origins.length]!;
    const [status, length] = await c.one(origin);
    if (status !== 200 || length !== bodyLength)
      throw new Error(`${c.name}: ${origin} answered ${status} with ${length} bytes`);
  });
}

serveSamples<OriginsSampleRequest, SampleReply>(
  chosen.name,
  async (request) => {
    await beginTurn(request, (ms) => requestFor(chosen, request, ms));
    if (request.turnOnly === true) return { requests: 0, elapsedMs: 0, cpuMicros: 0 };
    const before = cpuMicros();
    const { requests, elapsedMs } = await requestFor(chosen, request, request.durationMs);
    return { requests, elapsedMs, cpuMicros: cpuMicros() - before };
  },
  () => chosen.close(),
);

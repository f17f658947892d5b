// One WebSocket echo contender of client-websocket.bench.ts in a process of
// its own (sample-host.ts), as client.bench.ts runs its HTTP contenders:
//   ws-echo-child.ts <ws url> <reqivo|ws|undici|floor>
// Request {size, durationMs, maxMessages, rewarmMs?, collectFirst?};
// reply {echoes, elapsedMs, cpuMicros}. The echoers share no heap, collector
// or inline caches, and one's garbage does not land in another's sample.
import { cpuMicros, serveSamples } from "./sample-host.ts";
import { beginTurn, type TurnRequest } from "./turn.ts";
import { type Echoer, netFloorEchoer, reqivoEchoer, undiciEchoer, wsEchoer } from "./ws-echoers.ts";

/** What client-websocket.bench.ts asks of an echo child. */
export interface EchoSampleRequest extends TurnRequest {
  /** Bytes per binary message. */
  size: number;
  durationMs: number;
  maxMessages: number;
}

/** What it answers. */
export interface EchoSampleReply {
  echoes: number;
  elapsedMs: number;
  cpuMicros: number;
}

const MAKERS: Record<string, (url: string) => Promise<Echoer>> = {
  reqivo: reqivoEchoer,
  ws: wsEchoer,
  undici: undiciEchoer,
  floor: netFloorEchoer,
};

const [url, key] = process.argv.slice(2);
const make = MAKERS[key ?? ""];
if (url === undefined || make === undefined) {
  console.error(`usage: ws-echo-child.ts <ws url> <${Object.keys(MAKERS).join("|")}>`);
  process.exit(2);
}
const echoer = await make(url);
const messages = new Map<number, Uint8Array>();

/** The message of `size` bytes, made once per size. */
function messageOf(size: number): Uint8Array {
  let message = messages.get(size);
  if (message === undefined) {
    message = new Uint8Array(size).fill(0x77);
    messages.set(size, message);
  }
  return message;
}

/** Echoes `message` one at a time until `ms` have passed or `max` echoes. */
async function echoFor(message: Uint8Array, ms: number, max: number) {
  const start = performance.now();
  const deadline = start + ms;
  let echoes = 0;
  while (echoes < max && performance.now() < deadline) {
    const n = await echoer.echo(message);
    if (n !== message.byteLength) {
      throw new Error(`${echoer.name}: echo of ${n} bytes, want ${message.byteLength}`);
    }
    echoes++;
  }
  return { echoes, elapsedMs: performance.now() - start };
}

serveSamples<EchoSampleRequest, EchoSampleReply>(
  echoer.name,
  async (request) => {
    const { size, durationMs, maxMessages } = request;
    const message = messageOf(size);
    await beginTurn(request, (ms) => echoFor(message, ms, maxMessages));
    const before = cpuMicros();
    const { echoes, elapsedMs } = await echoFor(message, durationMs, maxMessages);
    return { echoes, elapsedMs, cpuMicros: cpuMicros() - before };
  },
  () => echoer.close(),
);

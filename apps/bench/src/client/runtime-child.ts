// Runs inside Deno or Bun (started by client-runtimes.bench.ts):
//   runtime-child.ts <port> <rounds> <durationMs>
// GET /64k keep-alive, 100 in flight, Reqivo capped at 50 connections (the
// runtime's fetch has its own pool, uncapped), against the server process of
// client.bench.ts. Contenders interleaved, order rotated per round, one warm-up
// round; prints one JSON line per measured sample: {"name","round","rate"}.
// Also a raw ceiling (src/client/raw-ceiling.ts): plain sockets, pre-built
// request, bytes counted, no parsing.
import process from "node:process";
import { rawCeilingRunner } from "./raw-ceiling.ts";

interface Runner {
  name: string;
  one(): Promise<number>;
  close(): Promise<void>;
}

const [portText, roundsText, durationText] = process.argv.slice(2);
const port = Number(portText);
const rounds = Math.max(1, Math.min(50, Number(roundsText)));
const duration = Math.max(100, Math.min(10_000, Number(durationText)));
const url = `http://127.0.0.1:${port}/64k`;
const isDeno = "Deno" in globalThis;
const runtime = isDeno ? "deno" : "bun";
const EXPECTED = 64 * 1024;
const pool = { connections: 50, idleTimeout: 120_000 };

const runners: Runner[] = [];
const native = isDeno ? await import("@reqivo/deno") : await import("@reqivo/bun");
const own = new native.Session({ pool });
runners.push({
  name: `reqivo (${runtime} transport)`,
  async one() {
    const res = await own.get(url);
    return (await res.bytes()).length;
  },
  close: () => own.close(),
});
const viaNode = new (await import("@reqivo/node")).Session({ pool });
runners.push({
  name: `reqivo (node transport, ${runtime} node compat)`,
  async one() {
    const res = await viaNode.get(url);
    return (await res.bytes()).length;
  },
  close: () => viaNode.close(),
});
runners.push({
  name: `${runtime} fetch`,
  async one() {
    const res = await fetch(url);
    return (await res.arrayBuffer()).byteLength;
  },
  close: async () => undefined,
});
// Plain Deno.connect / Bun.connect sockets, same 50 connections and 100 in flight.
runners.push(await rawCeilingRunner(port, "/64k", pool.connections));

async function sample(r: Runner): Promise<number> {
  const start = performance.now();
  const deadline = start + duration;
  let done = 0;
  let started = 0;
  const worker = async () => {
    while (started < 2_000_000 && performance.now() < deadline) {
      started++;
      const n = await r.one();
      if (n !== EXPECTED) throw new Error(`${r.name}: ${n} bytes, want ${EXPECTED}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  return (done * 1000) / (performance.now() - start);
}

for (let round = -1; round < rounds; round++) {
  const offset = (((round % runners.length) + runners.length) % runners.length) | 0;
  const order = [...runners.slice(offset), ...runners.slice(0, offset)];
  for (const r of order) {
    const rate = await sample(r);
    if (round >= 0) console.log(JSON.stringify({ name: r.name, round, rate }));
  }
}
for (const r of runners) await r.close();
process.exit(0);

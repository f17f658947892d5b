#!/usr/bin/env node
// N requests through a Reqivo Session over an in-memory transport (no
// sockets, no TypeScript loader): the whole client's per-request work (URL,
// headers, pool, protocol, Response, promises) and nothing else, for
// scripts/instructions.sh to count (Valgrind). Each write is answered with
// node:http's tiny-GET answer (src/client/tiny-get-wire.json), or with
// BODY_BYTES=n a 200 with an n-byte body, read in 16 KiB pieces as from a socket.
//   node scripts/client-cycle.mjs <requests> [path/to/client/dist/index.js]
//   COUNT_PROMISES=1 node scripts/client-cycle.mjs 1000   # promises created per request
//   ALLOCATIONS=1 node scripts/client-cycle.mjs 20000     # bytes allocated per request (sampled)
//   ALLOCATION_SITES=n ...                                # with ALLOCATIONS=1: the n functions that allocate most
//   READ_NOW=1 ...   # the connection also has readNow (as transport-node has), not only read()
// IN_FLIGHT=n CONNECTIONS=m: n requests at once over at most m connections
// (default 1 and 64), so that requests wait in the pool's queue as they do
// in client.bench.ts (100 in flight over 50 connections); the counts then
// start after the first n requests.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [requestsText, dist] = process.argv.slice(2);
const { Session } = await import(dist === undefined ? "@reqivo/client" : pathToFileURL(dist).href);
const requests = Number(requestsText);
if (!(requests > 0)) {
  console.error("usage: client-cycle.mjs <requests> [client dist/index.js]");
  process.exit(2);
}
const wire = JSON.parse(
  readFileSync(new URL("../src/client/tiny-get-wire.json", import.meta.url), "utf8"),
);
const bodyBytes = Number(process.env.BODY_BYTES ?? 16);
const tiny = new TextEncoder().encode(wire.response);
const answer =
  process.env.BODY_BYTES === undefined
    ? tiny
    : new TextEncoder().encode(
        `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bodyBytes}\r\nKeep-Alive: timeout=5\r\n\r\n${"x".repeat(bodyBytes)}`,
      );
const PIECE = 16 * 1024;

/** A Connection that answers every write with one response. */
class MemoryConnection {
  info = {
    kind: "tcp",
    alpnProtocol: null,
    tlsVersion: null,
    remoteAddress: "127.0.0.1",
    remotePort: 40000,
    localAddress: "127.0.0.1",
    localPort: 50000,
    path: null,
    tlsSessionReused: null,
  };
  #ended = () => undefined;
  closed = new Promise((resolve) => {
    this.#ended = resolve;
  });
  #waiting = null;
  /** Pieces of answers written for and not yet read. */
  #pending = [];
  read() {
    if (this.#pending.length > 0) return Promise.resolve(this.#pending.shift());
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }
  // READ_NOW=1: `readNow` as in the transport contract (transport-node has it).
  readNow =
    process.env.READ_NOW === "1"
      ? (onChunk) => {
          if (this.#pending.length > 0) return this.#pending.shift();
          this.#waiting = onChunk;
          return undefined;
        }
      : undefined;
  write() {
    // The answer comes in a later turn of the event loop, as from a socket.
    setImmediate(() => {
      for (let at = 0; at < answer.length; at += PIECE)
        this.#pending.push(answer.slice(at, at + PIECE));
      const waiting = this.#waiting;
      this.#waiting = null;
      if (waiting !== null) waiting(this.#pending.shift());
    });
    return Promise.resolve();
  }
  closeWrite() {
    return Promise.resolve();
  }
  close() {
    this.#ended();
  }
  abort() {
    this.#ended();
  }
}

const inFlight = Number(process.env.IN_FLIGHT ?? 1);
const connections = Number(process.env.CONNECTIONS ?? 64);
let connects = 0;
const session = new Session({
  pool: { connections },
  transport: {
    name: "memory",
    connect: async () => {
      connects++;
      return new MemoryConnection();
    },
  },
});
const url = "http://127.0.0.1:40000/tiny";
let bytes = 0;
// COUNT_PROMISES=1: promises created per request (the loop's own two awaits
// included), counted by an async hook after the first request warmed up.
let promises = 0;
const promiseHook =
  process.env.COUNT_PROMISES === undefined
    ? undefined
    : (await import("node:async_hooks")).createHook({
        init(_id, type) {
          if (type === "PROMISE") promises++;
        },
      });
// ALLOCATIONS=1: bytes allocated per request, garbage included, from V8's
// sampling heap profiler (every 64 bytes on average: an estimate, good to a
// few tens of bytes at 20,000 requests), over the last nine tenths of the
// requests (the first tenth warms the code up).
const sampledFrom = Math.floor(requests / 10);
const heapSampler =
  process.env.ALLOCATIONS === undefined
    ? undefined
    : new (await import("node:inspector/promises")).Session();
heapSampler?.connect();
let started = 0;
/** Runs requests one after another until `requests` have started (IN_FLIGHT of these at once). */
async function loop() {
  while (started < requests) {
    const i = started++;
    if (i === inFlight) promiseHook?.enable();
    if (i === Math.max(sampledFrom, inFlight) && heapSampler !== undefined) {
      await heapSampler.post("HeapProfiler.startSampling", {
        samplingInterval: 64,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
    const res = await session.get(url);
    bytes += (await res.bytes()).length;
  }
}
await Promise.all(Array.from({ length: inFlight }, loop));
promiseHook?.disable();
if (heapSampler !== undefined) {
  const { profile } = await heapSampler.post("HeapProfiler.stopSampling");
  let total = 0;
  const bySite = new Map();
  for (const nodes = [profile.head]; nodes.length > 0; ) {
    const node = nodes.pop();
    total += node.selfSize;
    const { functionName, url: file, lineNumber } = node.callFrame;
    const site = `${functionName || "(anonymous)"} ${file.split("/").pop()}:${lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    nodes.push(...node.children);
  }
  const measured = requests - Math.max(sampledFrom, inFlight);
  console.log(`${Math.round(total / measured)} bytes allocated per request`);
  // ALLOCATION_SITES=n: the n functions that allocated most, bytes per request.
  const sites = Number(process.env.ALLOCATION_SITES ?? 0);
  for (const [site, size] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, sites))
    console.log(`${String(Math.round(size / measured)).padStart(6)}  ${site}`);
  heapSampler.disconnect();
}
if (promiseHook !== undefined && requests > inFlight)
  console.log(`${(promises / (requests - inFlight)).toFixed(1)} promises per request`);
if (bytes !== bodyBytes * requests)
  throw new Error(`got ${bytes} body bytes, want ${bodyBytes * requests}`);
const wanted = Math.min(inFlight, connections);
if (connects !== wanted) throw new Error(`${connects} connections, want ${wanted} (kept alive)`);
await session.close();

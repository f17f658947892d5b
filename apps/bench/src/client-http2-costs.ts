// Deterministic per-request costs of Reqivo's HTTP/2 client, the figures that
// wall-clock req/s on a shared machine cannot give: transport reads, writes
// and octets written per request, and octets copied by JavaScript per request
// (Uint8Array.prototype.slice and .set, counted by wrapping them; Node's own
// internals use captured primordials and are not counted); also the GC runs
// in this process (scavenges, mark-sweeps) and its CPU time, per request
// (CPU time depends on the machine's load; the counts do not, or little).
//
//   npx tsx src/client-http2-costs.ts [--requests=N] [--connections=N] [--max-streams=N] [--root=<checkout>] [--paths=/64k]
//
// Instructions per request (user space, this process only: the server is a
// child, which Valgrind does not follow): each measured run is marked by a
// call of os.getPriority() before and after it, so under callgrind with
// --dump-before=uv_os_getpriority the dumps .2 (first path) and .4 (second)
// hold the measured runs alone:
//
//   valgrind --tool=callgrind --dump-before=uv_os_getpriority --callgrind-out-file=/tmp/h2cg \
//     node --single-threaded --import tsx src/client-http2-costs.ts --paths=/64k [--root=…]
//   grep summary /tmp/h2cg.2   # ÷ --requests
//
// The server is the bench's (src/client/h2-server.ts, one process); the
// client runs here: 100 requests in flight, GET /tiny and GET /64k. With
// --root the client and transport come from that checkout's built packages
// (a before/after in one run: run it twice).
import { getPriority } from "node:os";
import { join } from "node:path";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { generateCertificates } from "./client/certificates.ts";
import type { H2ServerStats } from "./client/h2-server.ts";
import { startSampleHost } from "./client/sample-host.ts";
import { flag, numberFlag } from "./client/suite.ts";

const REQUESTS = numberFlag("requests", 2000, 100, 100_000);
const CONNECTIONS = numberFlag("connections", 1, 1, 100);
const IN_FLIGHT = 100;
const root = flag("root");
// http2.maxStreamsPerConnection (the bench's 10-connection scenarios use 10).
const maxStreams = flag("max-streams");

interface Counters {
  reads: number;
  writes: number;
  written: number;
  copied: number;
}
const counters: Counters = { reads: 0, writes: 0, written: 0, copied: 0 };
const gcs = { scavenges: 0, markSweeps: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    // Node's "gc" entries carry the kind in `detail` (not in the DOM typings).
    const kind = (entry as { detail?: { kind?: number } | null }).detail?.kind;
    gcs.ms += entry.duration;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcs.scavenges++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcs.markSweeps++;
  }
}).observe({ entryTypes: ["gc"] });

// Copies made by JavaScript code (ours): slice() and set().
const proto = Uint8Array.prototype;
const slice = proto.slice;
const set = proto.set;
proto.slice = function (this: Uint8Array, start?: number, end?: number) {
  const out = slice.call(this, start, end);
  counters.copied += out.length;
  return out;
} as typeof proto.slice;
proto.set = function (this: Uint8Array, source: ArrayLike<number>, offset?: number) {
  counters.copied += source.length;
  return set.call(this, source, offset);
} as typeof proto.set;

async function load(pkg: string, fallback: string) {
  if (root === undefined) return import(fallback);
  return import(pathToFileURL(join(root, "packages", pkg, "dist/index.js")).href);
}

const certs = await generateCertificates();
process.env.H2_BENCH_CERT = certs.cert;
process.env.H2_BENCH_KEY = certs.key;
const here = (file: string) => new URL(`./client/${file}`, import.meta.url).pathname;
const server = await startSampleHost(process.execPath, [
  ...process.execArgv,
  here("h2-server.ts"),
  "1",
]);
const stats = () => server.ask<H2ServerStats>({}, 30_000);
const { port } = await stats();

const { Session } = await load("client", "@reqivo/client");
const { createTransport } = await load("transport-node", "@reqivo/transport-node");
const inner = createTransport();
// Counts the client's transport reads and writes.
const transport = {
  name: inner.name,
  lookup: inner.lookup?.bind(inner),
  async connect(options: unknown) {
    const conn = await inner.connect(options);
    const read = conn.read.bind(conn);
    conn.read = () => {
      counters.reads++;
      return read();
    };
    const write = conn.write.bind(conn);
    conn.write = (bytes: Uint8Array) => {
      counters.writes++;
      counters.written += bytes.length;
      return write(bytes);
    };
    return conn;
  },
};
const session = new Session({
  transport,
  tls: { ca: certs.ca },
  http2: maxStreams === undefined ? true : { maxStreamsPerConnection: Number(maxStreams) },
  pool: { connections: CONNECTIONS },
});

async function run(path: string, count: number): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      const res = await session.get(`https://127.0.0.1:${port}${path}`);
      await res.bytes();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

console.log(
  `client-http2-costs: ${REQUESTS} requests per path, ${IN_FLIGHT} in flight, pool.connections ${CONNECTIONS}, maxStreamsPerConnection ${maxStreams ?? "unset"}${
    root === undefined ? "" : `, client from ${root}`
  }`,
);
for (const path of (flag("paths") ?? "/tiny,/64k").split(",")) {
  await run(path, IN_FLIGHT * 2); // warm-up: connections open, tables filled
  await stats();
  counters.reads = 0;
  counters.writes = 0;
  counters.written = 0;
  counters.copied = 0;
  // Entries of the warm-up's GCs still to come are delivered before this.
  await new Promise((resolve) => setImmediate(resolve));
  gcs.scavenges = 0;
  gcs.markSweeps = 0;
  gcs.ms = 0;
  const cpu = process.cpuUsage();
  getPriority(); // mark for callgrind: the measured run starts
  await run(path, REQUESTS);
  getPriority(); // mark: the measured run ends
  const { user, system } = process.cpuUsage(cpu);
  const seen = await stats();
  const per = (n: number) => (n / REQUESTS).toFixed(2);
  console.log(
    `${path}: ${per(counters.reads)} reads/req, ${per(counters.writes)} transport writes/req, ${per(counters.written)} octets written/req, ` +
      `${per(counters.copied)} octets copied by JS/req, server saw ${seen.h2Used} h2 connection(s); ` +
      `${gcs.scavenges} scavenges, ${gcs.markSweeps} mark-sweeps, ${per(gcs.ms * 1000)} GC µs/req, ${per(user + system)} client CPU µs/req`,
  );
}
await session.close();
await server.close();

// The TLS server of client-http2.bench.ts, in its own process(es): node:http2's
// createSecureServer offering `h2` and `http/1.1` by ALPN (allowHTTP1, so the
// HTTP/1.1 contender reaches the same server), answering from pre-built
// headers and bodies, no Date:
//   GET /tiny  16-byte body      GET /64k  64 KiB body      anything else 404
// HTTP/2 streams are answered on the server's `stream` event (stream.respond
// and stream.end), not through the compatibility layer's request and
// response objects, which cost the server more per request; HTTP/1.1
// requests come as node:http's `request` event.
//
//   h2-server.ts [processes]     certificate and key from H2_BENCH_CERT / H2_BENCH_KEY (PEM)
// It speaks sample-host.ts's JSON lines on stdin/stdout: every request line
// gets {port, processes, cpuMicros, perProcessCpuMicros, requests, h2Used,
// h1Used}: CPU time (user + system) of the serving processes so far and
// requests answered so far (the parent takes differences around each sample:
// the server's CPU% while a contender runs), and how many HTTP/2 and
// HTTP/1.1 connections carried at least one request since the previous
// stats line (so the table shows each contender's protocol and connection
// count as the server saw them). With processes > 1 (node:cluster)
// the workers share the port and connections are dealt out among them; one
// connection is served by one process whatever their number.
import cluster from "node:cluster";
import { createSecureServer, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { cpuMicros, serveSamples } from "./sample-host.ts";

/** One serving process's counters. */
interface WorkerStats {
  cpuMicros: number;
  requests: number;
  /** HTTP/2 connections that carried a request since the last stats line. */
  h2Used: number;
  /** HTTP/1.1 connections that carried a request since the last stats line. */
  h1Used: number;
}

/** What a stats request line is answered with. */
export interface H2ServerStats extends Omit<WorkerStats, "cpuMicros"> {
  port: number;
  processes: number;
  /** Sum over the serving processes. */
  cpuMicros: number;
  perProcessCpuMicros: number[];
}

const TINY = Buffer.from("0123456789abcdef");
const BIG = Buffer.alloc(64 * 1024, 0x61);
const BODIES = new Map<string, { h2: Record<string, string | number>; body: Buffer }>([
  ["/tiny", { h2: h2Head("text/plain", TINY.length), body: TINY }],
  ["/64k", { h2: h2Head("application/octet-stream", BIG.length), body: BIG }],
]);
const NOT_FOUND = { ":status": 404, "content-length": "0" };

function h2Head(type: string, length: number): Record<string, string | number> {
  return { ":status": 200, "content-type": type, "content-length": String(length) };
}

let requests = 0;
// Connections seen since the last stats line: one Set.add per request.
const h2Used = new Set<object>();
const h1Used = new Set<object>();

function listen(): Promise<number> {
  const cert = process.env.H2_BENCH_CERT;
  const key = process.env.H2_BENCH_KEY;
  if (cert === undefined || key === undefined) throw new Error("H2_BENCH_CERT and H2_BENCH_KEY");
  const server = createSecureServer({ cert, key, allowHTTP1: true });
  // Adding a `request` listener (for HTTP/1.1) makes node:http2 also route
  // every HTTP/2 stream through its compatibility layer (it watches for that
  // listener with `newListener`); without the watcher only `stream` sees them.
  server.removeAllListeners("newListener");
  server.on("stream", (stream: ServerHttp2Stream, headers) => {
    requests++;
    h2Used.add(stream.session ?? stream);
    const found = BODIES.get(headers[":path"] as string);
    if (found === undefined) {
      stream.respond(NOT_FOUND, { endStream: true });
      return;
    }
    stream.respond(found.h2);
    stream.end(found.body);
  });
  server.on("request", (req, res) => {
    // HTTP/1.1 only: the watcher removed above would have sent HTTP/2 streams here too.
    if (req.httpVersionMajor === 2) return;
    requests++;
    h1Used.add(req.socket);
    const found = BODIES.get(req.url);
    if (found === undefined) {
      res.writeHead(404, { "content-length": "0" }).end();
      return;
    }
    res.sendDate = false;
    res.writeHead(200, {
      "content-type": found.h2["content-type"] as string,
      "content-length": found.h2["content-length"] as string,
    });
    res.end(found.body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

const processes = Math.max(1, Math.min(8, Number(process.argv[2] ?? 1) || 1));
function own(): WorkerStats {
  const now = { cpuMicros: cpuMicros(), requests, h2Used: h2Used.size, h1Used: h1Used.size };
  h2Used.clear();
  h1Used.clear();
  return now;
}

if (cluster.isPrimary) {
  let port: number;
  let gather: () => Promise<WorkerStats[]>;
  if (processes === 1) {
    port = await listen();
    gather = async () => [own()];
  } else {
    const workers = Array.from({ length: processes }, () => cluster.fork());
    const ports = await Promise.all(
      workers.map(
        (worker) =>
          new Promise<number>((resolve, reject) => {
            worker.once("message", (m: { port: number }) => resolve(m.port));
            worker.once("exit", (code) =>
              reject(new Error(`h2 server worker exited with ${code}`)),
            );
          }),
      ),
    );
    port = ports[0]!;
    gather = () =>
      Promise.all(
        workers.map(
          (worker) =>
            new Promise<WorkerStats>((resolve) => {
              worker.once("message", (m: WorkerStats) => resolve(m));
              worker.send("stats");
            }),
        ),
      );
  }
  serveSamples<object, H2ServerStats>(
    "h2 server",
    async () => {
      const all = await gather();
      return {
        port,
        processes,
        cpuMicros: all.reduce((sum, s) => sum + s.cpuMicros, 0),
        perProcessCpuMicros: all.map((s) => s.cpuMicros),
        requests: all.reduce((sum, s) => sum + s.requests, 0),
        h2Used: all.reduce((sum, s) => sum + s.h2Used, 0),
        h1Used: all.reduce((sum, s) => sum + s.h1Used, 0),
      };
    },
    async () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    },
  );
} else {
  const port = await listen();
  process.send?.({ port });
  process.on("message", () => process.send?.(own()));
}

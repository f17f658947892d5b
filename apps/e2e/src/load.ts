// Load and leaks: many requests through one Session with a small pool and
// many in flight, a share of them aborted at random points, against a local
// node:http server in the same process. Every response echoes its request id;
// the run records what could go wrong — a lost, duplicated or mismatched
// response, an error other than the abort we caused, more sockets open than
// the pool allows — and the heap and handles before and after.
// Used by test/load.test.ts (a smaller count in CI) and scripts/soak.ts.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Session } from "@reqivo/client";
import type { Connection, ConnectOptions, Transport } from "@reqivo/transport";
import { createTransport } from "@reqivo/transport-node";
import { prng } from "../../../packages/protocol/test/splittings.ts";
import { resources } from "./fault-runner.ts";

export interface LoadOptions {
  /** Requests to send (the run stops at whichever of `requests` and `until` comes first). */
  requests: number;
  /** Stop starting requests after this time (ms since the epoch). */
  until?: number;
  inFlight?: number;
  connections?: number;
  /** Share of requests aborted at a random point, 0..1. */
  abortRate?: number;
  seed?: number;
  /** Called every ~1000 requests. */
  onProgress?: (done: number, report: LoadReport) => void;
}

export interface LoadReport {
  started: number;
  ok: number;
  aborted: number;
  /** Requests that got someone else's response, or none, or twice. */
  mismatched: string[];
  /** Errors other than the abort we asked for. */
  unexpected: string[];
  /**
   * Largest number of sockets open on the server at once, sampled on every
   * accept and request. A socket the client has already closed but whose FIN
   * the server has not read yet (same process, same loop turn) is not counted.
   */
  peakServerSockets: number;
  /** Largest number of transport connections open at once on the client side. */
  peakClientConnections: number;
  /** Largest `total` the pool reported. */
  peakPoolTotal: number;
  /** Requests the server saw per id, above 1 (legitimate only for a retried stale connection). */
  serverDuplicates: number;
  heapBefore: number;
  heapAfter: number;
  resourcesBefore: Record<string, number> | null;
  resourcesAfter: Record<string, number> | null;
  ms: number;
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed by its seed. */
export { prng };

let gcFn: (() => void) | undefined;
/** A full GC, without needing --expose-gc on the command line. */
export function collect(): void {
  if (gcFn === undefined) {
    setFlagsFromString("--expose-gc");
    gcFn = runInNewContext("gc") as () => void;
  }
  gcFn();
  gcFn();
}

export function heapUsed(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

/**
 * Wraps a transport to count the connections open on the client side, and
 * to remember the local ports of those the client has closed (the server,
 * in the same process, may not have read their FIN yet).
 */
function countingTransport(
  inner: Transport,
  onChange: (open: number) => void,
  closedPorts: Set<number>,
): Transport {
  let open = 0;
  return {
    ...inner,
    async connect(options: ConnectOptions): Promise<Connection> {
      const connection = await inner.connect(options);
      const port = (connection.info as { localPort?: number }).localPort ?? -1;
      closedPorts.delete(port);
      onChange(++open);
      let done = false;
      const gone = () => {
        if (done) return;
        done = true;
        closedPorts.add(port);
        onChange(--open);
      };
      const close = connection.close.bind(connection);
      const abort = connection.abort.bind(connection);
      connection.close = () => {
        gone();
        close();
      };
      connection.abort = (reason?: unknown) => {
        gone();
        abort(reason);
      };
      connection.closed.then(gone, gone);
      return connection;
    },
  } as Transport;
}

interface Echo {
  server: Server;
  url: string;
  /** Sockets open on the server that the client has not closed (by local port, see countingTransport). */
  live(): number;
  seen: Map<number, number>;
  close(): Promise<void>;
}

async function echoServer(onSample: () => void, closedPorts: Set<number>): Promise<Echo> {
  const seen = new Map<number, number>();
  const live = new Set<Socket>();
  const big = "x".repeat(32 * 1024);
  const server = createServer((req, res) => {
    onSample();
    const id = Number(/^\/r\/(\d+)/.exec(req.url ?? "")?.[1] ?? -1);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const size = req.headers["x-size"] === "big" ? big : "";
    const body = `${id}:${size}`;
    const respond = () => {
      if (res.destroyed) return;
      res.setHeader("x-id", String(id));
      // Every fourth response chunked, the rest with a Content-Length.
      if (id % 4 === 0) {
        res.write(body.slice(0, 5));
        res.end(body.slice(5));
      } else {
        res.setHeader("content-length", Buffer.byteLength(body));
        res.end(body);
      }
    };
    if (id % 7 === 0 && process.env.NODELAY === undefined) setImmediate(respond);
    else respond();
  });
  server.keepAliveTimeout = 30_000;
  server.on("connection", (socket: Socket) => {
    live.add(socket);
    const port = socket.remotePort ?? -2;
    const gone = () => {
      live.delete(socket);
      closedPorts.delete(port);
    };
    socket.once("end", gone);
    socket.once("close", gone);
    socket.once("error", gone);
    onSample();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    live: () => {
      let n = 0;
      for (const socket of live) if (!closedPorts.has(socket.remotePort ?? -2)) n++;
      return n;
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs the load. Resolves with the report after the session is closed and
 * the server stopped; the caller asserts on it.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const inFlight = options.inFlight ?? 500;
  const connections = options.connections ?? 10;
  const abortRate = options.abortRate ?? 0.1;
  const random = prng(options.seed ?? 1);
  const resourcesBefore = resources();
  const heapBefore = heapUsed();
  const started = Date.now();
  const report: LoadReport = {
    started: 0,
    ok: 0,
    aborted: 0,
    mismatched: [],
    unexpected: [],
    peakServerSockets: 0,
    peakClientConnections: 0,
    peakPoolTotal: 0,
    serverDuplicates: 0,
    heapBefore,
    heapAfter: 0,
    resourcesBefore,
    resourcesAfter: null,
    ms: 0,
  };
  let session: Session | undefined;
  const sample = () => {
    report.peakServerSockets = Math.max(report.peakServerSockets, echo.live());
    if (session !== undefined)
      for (const s of Object.values(session.poolStats()))
        report.peakPoolTotal = Math.max(report.peakPoolTotal, s.total);
  };
  const closedPorts = new Set<number>();
  const echo = await echoServer(sample, closedPorts);
  const transport = countingTransport(
    createTransport(),
    (open) => {
      report.peakClientConnections = Math.max(report.peakClientConnections, open);
    },
    closedPorts,
  );
  session = new Session({ transport, pool: { connections, idleTimeout: 30_000 } });
  const answered = new Set<number>();
  let next = 0;
  let finished = 0;

  const one = async (id: number): Promise<void> => {
    const abort = random() < abortRate;
    // Where to abort: 0 before the request starts waiting, 1 while queued/in flight, 2 after the head, 3 mid-body.
    const where = Math.floor(random() * 4);
    const big = random() < 0.1;
    const controller = abort ? new AbortController() : undefined;
    if (controller !== undefined && where === 0) controller.abort("before");
    if (controller !== undefined && where === 1) queueMicrotask(() => controller.abort("queued"));
    try {
      const res = await session!.get(`${echo.url}/r/${id}`, {
        signal: controller?.signal,
        // A wedged pool shows up as DEADLINE_EXCEEDED errors, not as a hung run.
        timeout: { total: 60_000 },
        headers: big ? { "x-size": "big" } : undefined,
      });
      if (controller !== undefined && where === 2) controller.abort("head");
      let text: string;
      if (controller !== undefined && where === 3) {
        const reader = res.body.getReader();
        const first = await reader.read();
        controller.abort("body");
        const piece = new TextDecoder().decode(first.value ?? new Uint8Array());
        if (piece !== "" && !`${id}:`.startsWith(piece.slice(0, `${id}:`.length)))
          report.mismatched.push(`request ${id} got a body starting ${piece.slice(0, 20)}`);
        await reader.read().catch(() => undefined); // the rest fails, or was already there
        await reader.cancel().catch(() => undefined);
        text = "";
      } else {
        text = await res.text();
      }
      if (controller?.signal.aborted && text === "") {
        report.aborted++;
        return;
      }
      const echoed = Number(text.slice(0, text.indexOf(":")));
      if (echoed !== id || res.headers.get("x-id") !== String(id))
        report.mismatched.push(`request ${id} got ${echoed}/${res.headers.get("x-id")}`);
      else if (answered.has(id)) report.mismatched.push(`request ${id} answered twice`);
      else {
        answered.add(id);
        report.ok++;
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (controller?.signal.aborted && code === "ABORTED") report.aborted++;
      else
        report.unexpected.push(
          `request ${id}: ${code ?? ""} ${String(error)} (cause: ${String((error as { cause?: unknown }).cause)} / ${String((error as { cause?: { cause?: unknown } }).cause?.cause)})`.slice(
            0,
            300,
          ),
        );
    }
  };

  const worker = async () => {
    for (;;) {
      if (next >= options.requests) return;
      if (options.until !== undefined && Date.now() >= options.until) return;
      const id = next++;
      report.started++;
      await one(id);
      if (++finished % 1000 === 0) {
        sample();
        options.onProgress?.(report.started, report);
      }
      // Bound the error lists so a broken run does not eat the heap.
      if (report.unexpected.length > 50 || report.mismatched.length > 50) {
        next = options.requests;
        return;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: inFlight }, worker));
    sample();
    for (const [, count] of echo.seen) if (count > 1) report.serverDuplicates++;
  } finally {
    await session.close();
    await echo.close();
  }
  session = undefined;
  answered.clear();
  // Let closes and their callbacks run, then compare.
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 10));
    const now = resources();
    if (
      now === null ||
      Object.entries(now).every(([kind, n]) => n <= (resourcesBefore?.[kind] ?? 0))
    )
      break;
  }
  report.resourcesAfter = resources();
  report.heapAfter = heapUsed();
  report.ms = Date.now() - started;
  return report;
}

// One contender of client-runtimes.bench.ts inside Deno or Bun, in a process
// of its own (sample-host.ts: contenders sharing a process share its garbage):
//   runtime-child.ts <port> <contender> [--profile=MS]
// --profile: one warm-up and one measured sample, then the rate and the CPU
// per request, on Linux also split by thread (the runtime's thread names:
// Bun's JITWorker compiles, HeapHelper collects garbage, "HTTP Client" is
// where Bun's fetch does its I/O).
// contender: reqivo (the runtime's transport), reqivo-node (the Node
// transport through the runtime's node compat), fetch (the runtime's), raw (a
// raw ceiling: plain Deno.connect / Bun.connect sockets, pre-built request,
// bytes counted, no parsing; src/client/raw-ceiling.ts), relay, relay-counts,
// relay-unbatched, relay-counts-unbatched, each optionally with -sent (Bun
// only: the raw ceiling with its sockets on a Worker, src/client/relay-ceiling.ts;
// -sent: the main thread sends each request's bytes; threads show as "main"
// and "relay worker").
// GET /64k keep-alive, 100 in flight, Reqivo capped at 50 connections
// (BENCH_CONNECTIONS; the runtime's fetch has its own pool, uncapped), against the server process of
// client.bench.ts. Request {durationMs, rewarmMs?, collectFirst?} (the turn:
// turn.ts); reply {requests, elapsedMs, cpuMicros, compilerMicros, busiestThread}.
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { rawCeilingRunner } from "./raw-ceiling.ts";
import { relayCeilingRunner } from "./relay-ceiling.ts";
import { cpuMicros, serveSamples } from "./sample-host.ts";
import { beginTurn, type TurnRequest } from "./turn.ts";

interface Runner {
  name: string;
  one(): Promise<number>;
  close(): Promise<void>;
  /** Names for some threads by Linux thread id, used instead of their own (relay contenders). */
  threadLabels?: Map<string, string>;
}

/** What client-runtimes.bench.ts asks of a runtime child. */
export interface RuntimeSampleRequest extends TurnRequest {
  durationMs: number;
}

/** What it answers. */
export interface RuntimeSampleReply {
  requests: number;
  elapsedMs: number;
  cpuMicros: number;
  /** CPU µs of the JIT compiler threads (Bun's JITWorker) in the sample; 0 where not known. */
  compilerMicros: number;
  /**
   * The thread that used the most CPU in the sample, and its µs: a client's
   * rate cannot pass 1 s ÷ that thread's CPU per request, whatever the
   * process's total (Bun's fetch splits its work over its "HTTP Client"
   * thread and the main one). Empty name where threads are not known.
   */
  busiestThread: { name: string; micros: number };
}

const IN_FLIGHT = 100;
const MAX_REQUESTS = 2_000_000;
const EXPECTED = 64 * 1024;
// BENCH_CONNECTIONS (client-runtimes.bench.ts --connections): the cap of
// Reqivo's pool and of the raw and relay ceilings; the runtimes' fetch pools
// are not capped (Bun's opened ~96 for the 100 in flight).
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
if (!(Number.isInteger(CONNECTIONS) && CONNECTIONS >= 1 && CONNECTIONS <= 1000))
  throw new Error(`BENCH_CONNECTIONS: ${process.env.BENCH_CONNECTIONS}`);
const pool = { connections: CONNECTIONS, idleTimeout: 120_000 };

async function runner(id: string, port: number): Promise<Runner> {
  const url = `http://127.0.0.1:${port}/64k`;
  const runtime = "Deno" in globalThis ? "deno" : "bun";
  if (id === "reqivo" || id === "reqivo-node") {
    const { Session } =
      id === "reqivo-node"
        ? await import("@reqivo/node")
        : runtime === "deno"
          ? await import("@reqivo/deno")
          : await import("@reqivo/bun");
    const session = new Session({ pool });
    return {
      name:
        id === "reqivo"
          ? `reqivo (${runtime} transport)`
          : `reqivo (node transport, ${runtime} node compat)`,
      async one() {
        const res = await session.get(url);
        return (await res.bytes()).length;
      },
      close: () => session.close(),
    };
  }
  if (id === "fetch") {
    return {
      name: `${runtime} fetch`,
      async one() {
        const res = await fetch(url);
        return (await res.arrayBuffer()).byteLength;
      },
      close: async () => undefined,
    };
  }
  if (id === "raw") return rawCeilingRunner(port, "/64k", pool.connections);
  const relay = /^relay(-counts)?(-unbatched)?(-sent)?$/.exec(id);
  if (relay !== null) {
    return relayCeilingRunner(port, "/64k", pool.connections, {
      payload: relay[1] === undefined ? "bytes" : "counts",
      batched: relay[2] === undefined,
      requestsSent: relay[3] !== undefined,
    });
  }
  throw new Error(`runtime-child: no contender ${id}`);
}

/** Thread names of JavaScriptCore's compiler threads (see threadNanos). */
const COMPILER_THREADS = ["JITWorker"];

async function sample(r: Runner, duration: number): Promise<RuntimeSampleReply> {
  const threadsBefore = threadNanos();
  const before = cpuMicros();
  const start = performance.now();
  const deadline = start + duration;
  let done = 0;
  let started = 0;
  const worker = async () => {
    while (started < MAX_REQUESTS && performance.now() < deadline) {
      started++;
      const n = await r.one();
      if (n !== EXPECTED) throw new Error(`${r.name}: ${n} bytes, want ${EXPECTED}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsedMs = performance.now() - start;
  const cpu = cpuMicros() - before;
  const after = threadNanos();
  const used = threadNanosSince(threadsBefore, after);
  return {
    requests: done,
    elapsedMs,
    cpuMicros: cpu,
    compilerMicros: COMPILER_THREADS.reduce((sum, name) => sum + (used.get(name) ?? 0), 0) / 1000,
    busiestThread: busiestThread(threadsBefore, after),
  };
}

/** CPU ns so far of each live thread of this process, keyed by thread id. */
type ThreadSnapshot = Map<string, { name: string; ns: number }>;

/** Names given by the contender to some threads, by thread id (Runner.threadLabels). */
const threadLabels = new Map<string, string>();

/** A {@link ThreadSnapshot} of now (Linux /proc; empty elsewhere). */
function threadNanos(): ThreadSnapshot {
  const byTask: ThreadSnapshot = new Map();
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return byTask;
  }
  for (const task of tasks) {
    try {
      const name =
        threadLabels.get(task) ??
        readFileSync(`/proc/self/task/${task}/comm`, "utf8").trim().replace(/\d+$/, "");
      const ns = Number(readFileSync(`/proc/self/task/${task}/schedstat`, "utf8").split(" ")[0]);
      byTask.set(task, { name, ns });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byTask;
}

/**
 * Each thread alive at `after` with the CPU ns it used since `before` (all of
 * its CPU when it started in between). A thread that ended in between is left
 * out (JSC ends idle compiler threads and starts new ones), so sums over
 * threads are lower bounds then.
 */
function* threadUse(
  before: ThreadSnapshot,
  after: ThreadSnapshot,
): Generator<{ name: string; ns: number }> {
  for (const [task, { name, ns }] of after) yield { name, ns: ns - (before.get(task)?.ns ?? 0) };
}

/** CPU ns each thread name used between two snapshots (see {@link threadUse}). */
function threadNanosSince(before: ThreadSnapshot, after = threadNanos()): Map<string, number> {
  const byName = new Map<string, number>();
  for (const { name, ns } of threadUse(before, after))
    byName.set(name, (byName.get(name) ?? 0) + ns);
  return byName;
}

/** The single thread (not the sum of a name's threads) that used the most CPU between two snapshots. */
function busiestThread(
  before: ThreadSnapshot,
  after: ThreadSnapshot,
): { name: string; micros: number } {
  let busiest = { name: "", micros: 0 };
  for (const { name, ns } of threadUse(before, after))
    if (ns / 1000 > busiest.micros) busiest = { name, micros: ns / 1000 };
  return busiest;
}

const [portText, id, profileFlag] = process.argv.slice(2);
const chosen = await runner(id ?? "", Number(portText));
for (const [task, label] of chosen.threadLabels ?? []) threadLabels.set(task, label);
if (profileFlag?.startsWith("--profile=")) {
  // One warm-up and one measured sample, then exit: for `bun --cpu-prof` / `deno run --cpu-prof`.
  const ms = Math.max(100, Math.min(60_000, Number(profileFlag.slice(10)) || 5000));
  await sample(chosen, Math.min(ms, 1000));
  const threadsBefore = threadNanos();
  const { requests, elapsedMs, cpuMicros: used } = await sample(chosen, ms);
  const perThread = [...threadNanosSince(threadsBefore)]
    .map(([name, ns]) => [name, ns / 1000 / requests] as const)
    .filter(([, micros]) => micros >= 0.1)
    .sort((a, b) => b[1] - a[1])
    .map(([name, micros]) => `${name} ${micros.toFixed(1)}`);
  console.log(
    `${chosen.name}: ${Math.round((requests * 1000) / elapsedMs)} req/s, ${(used / requests).toFixed(1)} µs CPU per request${
      perThread.length > 0 ? ` (by thread: ${perThread.join(", ")})` : ""
    }`,
  );
  await chosen.close();
  process.exit(0);
}
serveSamples<RuntimeSampleRequest, RuntimeSampleReply>(
  chosen.name,
  async (request) => {
    await beginTurn(request, (ms) => sample(chosen, Math.min(10_000, ms)));
    return sample(chosen, Math.max(100, Math.min(10_000, request.durationMs)));
  },
  () => chosen.close(),
);

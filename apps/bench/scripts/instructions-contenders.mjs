#!/usr/bin/env node
// Instructions per request of each Node contender of client.bench.ts, over
// real loopback sockets to the canned server (src/client/canned-server.ts),
// counted by Valgrind: a figure that other load on the machine barely moves
// (wall and CPU time move by 10-30%).
//
//   node scripts/instructions-contenders.mjs [--requests=2000] [--phases=3] [--warm-up=3000] [--parallel=CPUs]
//     (COUNT_NODE_FLAGS="--a-v8-flag …" adds flags to the counted Node)
//     [--scenario=get-tiny,get-64k] [--only=reqivo,undici request,…] [--port=N] [--json]
//
// Each contender runs once, in src/client/count-child.ts (bundled to plain
// JavaScript with the esbuild that tsx brings, so no loader thread runs),
// under `valgrind --tool=callgrind --dump-before=uv_os_getpriority`: per
// scenario, --warm-up requests (connections opened, code warmed), a mark,
// then --phases times --requests more and a mark. A mark (os.getPriority())
// makes callgrind write the counts so far and start from zero, so the dump a
// measured phase ends holds its instructions alone: start-up, module loading,
// connection set-up, warm-up and exit are in other dumps. The figure is the
// median of the phases' instructions per request; each phase's figure is
// printed beside it. They differ a lot: in check runs the first phase after
// the warm-up cost 1.5-4x the last (V8 compiling on the main thread under
// --single-threaded, major collections), whether the warm-up was 2,000, 3,000
// or 6,000 requests, and with the young generation fixed or V8's memory
// reducer off; the median keeps the one phase that catches such work from
// setting the figure, and the spread across runs shows what is left.
// Node runs with --single-threaded (no compiler or GC helper threads, so
// their work is counted where it happens); the scenario's 100 requests stay
// in flight over 50 connections. Only the client process runs under Valgrind;
// the server runs at full speed in its own process (--port: one already
// running, else one started here), so under Valgrind's slowdown each read
// tends to find whole responses waiting, as it does for a client that is the
// bottleneck. Counts are user-space instructions: the kernel's share of each
// socket call is not in them (CPU µs/req in client.bench.ts has it).
// `perf stat -e instructions` would count both, but this machine's virtual
// CPU has no such counter (`perf stat -e instructions true`: not supported).
// --json prints one line {"<scenario>":{"<contender>":instructions,…},…} at the end.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import {
  bundleChild,
  cacheDir,
  callgrindNode,
  dumpInstructions,
  flag,
  here,
  numberFlag,
  removeDumps,
  run,
  semiSpaceFlags,
  tsxLoader,
} from "./script-kit.mjs";

/** The Node contenders whose count client.bench.ts reports, and the raw ceiling for scale. */
export const COUNTED = ["reqivo", "undici request", "undici dispatch", "node:http", "raw ceiling"];

const requests = numberFlag("requests", 2000, 10, 1_000_000);
const warmUp = numberFlag("warm-up", 3000, 1, 1_000_000);
const phases = numberFlag("phases", 3, 1, 100);
const parallel = numberFlag("parallel", availableParallelism(), 1, 16);
// --semi-space-mib=N fixes V8's young generation (N MiB per semi-space) for a
// test; 0, the default, leaves V8's own sizing, as in the timed runs.
const semiSpace = numberFlag("semi-space-mib", 0, 0, 1024);
const heapFlags = semiSpaceFlags(semiSpace);
const scenarios = (flag("scenario") || "get-tiny,get-64k").split(",");
const only = flag("only") ? flag("only").split(",") : COUNTED;
const json = flag("json") !== undefined;
const log = (line) => (json ? process.stderr : process.stdout).write(`${line}\n`);

const bundle = await bundleChild("count-child");

/** The canned server: the given --port, or one started here (stopped at the end). */
async function server() {
  if (flag("port")) return { port: Number(flag("port")), stop: () => undefined };
  const child = spawn(
    process.execPath,
    ["--import", pathToFileURL(tsxLoader).href, here("../src/client/canned-server.ts")],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const port = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`canned server exited with ${code}`)));
    child.stdout.once("data", (c) => resolve(Number(String(c).trim())));
  });
  return { port, stop: () => child.stdin.end() };
}

/** Instructions per request of contender `name` in each scenario: one process under callgrind. */
async function instructions(port, name) {
  const dumps = `${cacheDir}callgrind-${process.pid}-${only.indexOf(name)}`;
  const [code, , err] = await callgrindNode(dumps, heapFlags, [
    bundle,
    String(port),
    name,
    String(warmUp),
    String(requests),
    String(phases),
    ...scenarios,
  ]);
  try {
    if (code !== 0) throw new Error(`${name}: valgrind exited ${code}\n${err.slice(-2000)}`);
    // Per scenario 1 + phases dumps: start-up (or the previous scenario's tail) and warm-up, then each phase.
    const count = (n) => dumpInstructions(dumps, n) / requests;
    return scenarios.map((_, i) =>
      Array.from({ length: phases }, (_, p) => count(i * (phases + 1) + p + 2)),
    );
  } finally {
    removeDumps(dumps, (phases + 1) * scenarios.length + 1);
  }
}

const [valgrind] = await run("valgrind", ["--version"]).catch(() => [127]);
if (valgrind !== 0) {
  console.error("valgrind is not installed");
  process.exit(2);
}
const { port, stop } = await server();
const results = Object.fromEntries(scenarios.map((s) => [s, {}]));
try {
  // Valgrind runs one thread at a time: several contenders at once use the
  // other cores (what each one counts does not depend on its speed).
  const queue = [...only];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) await count(name);
  };
  await Promise.all(Array.from({ length: parallel }, worker));
} finally {
  stop();
  rmSync(bundle, { force: true });
}
if (json) process.stdout.write(`${JSON.stringify(results)}\n`);

/** Counts contender `name` and logs its figures. */
async function count(name) {
  const counts = await instructions(port, name);
  scenarios.forEach((scenario, i) => {
    const perPhase = counts[i];
    const sorted = [...perPhase].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    const perRequest = Math.round(median);
    results[scenario][name] = perRequest;
    const fmt = (n) => Math.round(n).toLocaleString("en-US");
    log(
      `${scenario}: ${name} ${fmt(perRequest)} instructions per request (median of ${phases} × ${requests}) ` +
        `after ${warmUp} warm-up (phases: ${perPhase.map(fmt).join(", ")})`,
    );
  });
}

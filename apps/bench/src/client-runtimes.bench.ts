// Deno and Bun: Reqivo on each runtime's own transport, Reqivo on the Node
// transport through the runtime's node compat, and the runtime's fetch, on the
// GET 64 KiB keep-alive scenario, plus the runtime's raw ceiling (plain
// Deno.connect / Bun.connect sockets, no parsing; every contender is also
// reported as a fraction of it) (100 in flight, Reqivo capped at 50
// connections). The Node orchestrator starts the canned-response server of
// client.bench.ts (one process unless --server-processes) and, for Deno and then Bun, one
// src/client/runtime-child.ts process per contender (`deno run` / `bun`),
// which it interleaves round by round. CPU µs/req is the contender's whole
// process (every thread: Bun's fetch sends from a thread of its own).
// The busiest-thread column: the CPU µs per request of the process's busiest
// thread, which bounds its rate (one thread, one core); Bun's fetch does its
// I/O on a thread of its own, Reqivo on the main one.
// The JIT column: CPU of Bun's compiler threads (JITWorker), which tier Reqivo's
// JavaScript up during its first ~5,000–20,000 requests (Linux only; "–" for
// Deno, whose compiler threads are not told apart here).
// Each table ends with the ceiling check of client.bench.ts: the raw ceiling
// at least 2× the fastest contender, else the server (or the machine) sets
// the pace and the differences between contenders are understated. The
// check uses "raw ceiling (native)" (native/raw-ceiling.c, sampled once per
// round) when a C compiler is found: the runtime's own raw ceiling is bounded
// by its sockets on one thread (Bun: ~30 µs per request on its main thread,
// 1.42× Bun's fetch on 2026-12-07 while the C one showed the server had room;
// results/2026-12-07-bun-threads.md).
// Until 2026-12-07 the server was node:http (--server=node): the Bun raw
// ceiling was then only 1.4–1.5× Bun's fetch (results/2026-12-07-runtimes.md),
// with the canned server 2.0–2.8× (results/2026-12-07-bun-path.md).
// Options: --rounds=N (default 5), --duration=MS (default 1000), --write, --label=NAME,
// --runtime=deno|bun (only that runtime's rows; both by default), --connections=N
// (Reqivo's pool cap and the raw ceiling's sockets, default 50),
// --warm-up=MS (the unmeasured first round's length per contender, default 5000),
// --rewarm=MS (unmeasured requests at the start of each measured turn, default 2000),
// --gc-before-sample, --memory-reducer (Deno's children; client/turn.ts),
// --server=native|node|http (the canned-response server of client.bench.ts,
// chosen as there: the C one by default, `node` for canned-server.ts, which
// `canned` still names; or `http`, the node:http server of older runs,
// src/client/server.ts, which `--server=node` named before 2026-12-07),
// --server-processes=N (Node canned server processes sharing the port, node:cluster
// as in client.bench.ts; default 1, as the README's figures were measured;
// on 2 cores no N made the Bun ceiling check pass at load 3–6: 1.61–1.97× with
// N = 1, 2, 3, results/2026-12-07-bun-path2.md)
import { fileURLToPath } from "node:url";
import { nativeRawCeiling } from "./client/contenders.ts";
import { CEILING_FACTOR, NATIVE_RAW } from "./client/multi-run.ts";
import type { RuntimeSampleReply, RuntimeSampleRequest } from "./client/runtime-child.ts";
import { startSampleHost } from "./client/sample-host.ts";
import { SCENARIOS, CONNECTIONS as SUITE_CONNECTIONS } from "./client/scenarios.ts";
import {
  bin,
  cannedServerDescription,
  cannedServerKind,
  flag,
  fmt,
  fmtRatio,
  type Headline,
  machineLine,
  median,
  numberFlag,
  ratio,
  recordHeadlines,
  rotated,
  roundRatios,
  runtimeVersion,
  spread,
  startCannedServer,
  startServer,
  verdict,
  writeChart,
  writeSection,
} from "./client/suite.ts";
import { denoTurnArgs, turnFlags, turnText } from "./client/turn.ts";

const fmtPercent = (value: number): string =>
  Number.isNaN(value) ? "–" : `${(value * 100).toFixed(0)}%`;

/**
 * JIT compiler threads' CPU µs per request (Bun's JITWorker, from /proc on
 * Linux): the median, or with `each` every round's; "–" where none was seen.
 */
const fmtCompiler = (values: number[], each = false): string =>
  values.every((v) => v === 0)
    ? "–"
    : each
      ? values.map((v) => v.toFixed(1)).join(", ")
      : median(values).toFixed(1);

/**
 * The busiest thread's CPU µs per request (median over rounds) and its name
 * (the most frequent across rounds): one thread cannot go faster than 1 s ÷
 * this, so a client whose work is split over two threads (Bun's fetch: its
 * "HTTP Client" thread and the main one) can pass one that keeps a single
 * thread busy at the same CPU per request. "–" where threads are not known.
 */
const fmtBusiest = (values: { name: string; micros: number }[]): string => {
  const named = values.filter((v) => v.name !== "");
  if (named.length === 0) return "–";
  const counts = new Map<string, number>();
  for (const { name } of named) counts.set(name, (counts.get(name) ?? 0) + 1);
  const name = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  return `${median(named.map((v) => v.micros)).toFixed(1)} (${name})`;
};

const ROUNDS = numberFlag("rounds", 5, 1, 50);
const DURATION = numberFlag("duration", 1000, 100, 10_000);
// 5 s, not one 1 s round as before: with 1 s, Reqivo's JIT threads still spent
// 58, 23, 62, 44, 2.5 (one run) and 45, 2, 0, 0, 0 µs/req (another) in the
// measured rounds on Bun; with 5 s at most 8.2 (results/2026-12-07-bun-path.md).
const WARM_UP = numberFlag("warm-up", 5000, 100, 10_000);
// The loaded-client turn (client/turn.ts): unmeasured requests at the start of
// every measured turn, as a child idle through the others' turns measures a
// just-woken client for its first 0.5–1.75 s (results/2026-12-07-s13-method.md).
const TURN = turnFlags(2000);
// Bun's JavaScriptCore has no memory reducer: the note is about Deno's children.
const TURN_TEXT = turnText(TURN, "requests", "Deno's children");
// --connections=N: Reqivo's pool cap and the raw ceiling's sockets (default 50,
// as in client.bench.ts). The runtimes' fetch cannot be capped: Bun's opened
// ~96 connections for the 100 in flight (results/2026-12-07-bun-relay.md).
const CONNECTIONS = numberFlag("connections", SUITE_CONNECTIONS, 1, 1000);
process.env.BENCH_CONNECTIONS = String(CONNECTIONS); // the children inherit it
const SERVER_FLAG = flag("server");
const HTTP_SERVER = SERVER_FLAG === "http";
// The canned server's choice is client.bench.ts's (suite.ts cannedServerKind).
const CANNED = HTTP_SERVER
  ? null
  : cannedServerKind(SERVER_FLAG === "canned" ? "node" : SERVER_FLAG);
const SERVER_PROCESSES = numberFlag("server-processes", 1, 1, 8);
if (CANNED !== "node" && SERVER_PROCESSES !== 1)
  throw new Error("--server-processes: the Node canned server only (--server=node)");
const serverName =
  CANNED === null
    ? "the node:http server src/client/server.ts"
    : `the ${cannedServerDescription(CANNED, SERVER_PROCESSES)} of client.bench.ts`;
const GET_64K = SCENARIOS.find((s) => s.id === "get-64k")!;
const child = fileURLToPath(new URL("./client/runtime-child.ts", import.meta.url));
/** The contenders each runtime child can host (see runtime-child.ts), one process each. */
const CONTENDERS = ["reqivo", "reqivo-node", "fetch", "raw"];

const ALL_RUNTIMES = [
  {
    id: "deno",
    command: bin("deno"),
    // V8's memory reducer off unless --memory-reducer (client/turn.ts).
    args: ["run", "--allow-all", "--no-check", ...denoTurnArgs(TURN), child],
    target: { ratio: 1.5, over: "deno fetch" },
  },
  // The performance issue's targets: ≥ 1.5× Deno's fetch, ≥ 1.1× Bun's.
  { id: "bun", command: bin("bun"), args: [child], target: { ratio: 1.1, over: "bun fetch" } },
];
const only = flag("runtime");
const RUNTIMES = ALL_RUNTIMES.filter((rt) => only === undefined || rt.id === only);
if (RUNTIMES.length === 0) throw new Error(`--runtime=${only}: deno or bun`);

const server =
  CANNED === null
    ? await startServer("server.ts")
    : await startCannedServer(SERVER_PROCESSES, CANNED);
const sections: string[] = [];
const headlines: Headline[] = [];
const versions: Record<string, string> = {};
try {
  for (const rt of RUNTIMES) {
    const version = runtimeVersion(rt.id as "deno" | "bun");
    versions[rt.id] = version;
    console.log(
      `${rt.id} (${version}): ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up of ${WARM_UP} ms; ${turnText(
        rt.id === "deno" ? TURN : { ...TURN, memoryReducer: true },
      )}), ${serverName}`,
    );
    const hosts = await Promise.all(
      CONTENDERS.map((id) => startSampleHost(rt.command, [...rt.args, String(server.port), id])),
    );
    const rates = new Map<string, number[]>(hosts.map((h) => [h.name, []]));
    const cpu = new Map<string, number[]>(hosts.map((h) => [h.name, []]));
    const compiler = new Map<string, number[]>(hosts.map((h) => [h.name, []]));
    const busiest = new Map<string, { name: string; micros: number }[]>(
      hosts.map((h) => [h.name, []]),
    );
    // The C raw ceiling (client.bench.ts's): what the server allows, for the
    // ceiling check. The runtime's own raw ceiling is bounded by the
    // runtime's sockets on one thread (Bun's at ~30 µs per request), so a
    // check against it says nothing of the server.
    const native = nativeRawCeiling(server.port, CONNECTIONS);
    if (native !== null) {
      rates.set(NATIVE_RAW, []);
      cpu.set(NATIVE_RAW, []);
      compiler.set(NATIVE_RAW, []);
      busiest.set(NATIVE_RAW, []);
    }
    try {
      for (let round = -1; round < ROUNDS; round++) {
        if (native !== null) {
          const reply = await native.sample(GET_64K, round < 0 ? 1000 : DURATION, 2_000_000);
          if (round >= 0) {
            const cpuMicros = reply.helperCpuMicros ?? 0;
            rates.get(NATIVE_RAW)!.push((reply.requests * 1000) / reply.elapsedMs);
            cpu.get(NATIVE_RAW)!.push(cpuMicros / reply.requests);
            compiler.get(NATIVE_RAW)!.push(0);
            // One epoll thread: its CPU is its busiest thread's.
            busiest
              .get(NATIVE_RAW)!
              .push({ name: "raw-ceiling", micros: cpuMicros / reply.requests });
          }
        }
        for (const host of rotated(hosts, round)) {
          const durationMs = round < 0 ? WARM_UP : DURATION;
          const request: RuntimeSampleRequest = {
            durationMs,
            rewarmMs: round < 0 ? 0 : TURN.rewarmMs,
            collectFirst: TURN.collectFirst,
          };
          const reply = await host.ask<RuntimeSampleReply>(
            request,
            durationMs + TURN.rewarmMs + 60_000,
          );
          if (round < 0) continue;
          rates.get(host.name)!.push((reply.requests * 1000) / reply.elapsedMs);
          cpu.get(host.name)!.push(reply.cpuMicros / reply.requests);
          compiler.get(host.name)!.push(reply.compilerMicros / reply.requests);
          busiest.get(host.name)!.push({
            name: reply.busiestThread.name,
            micros: reply.busiestThread.micros / reply.requests,
          });
        }
        process.stdout.write(round < 0 ? `${rt.id}: warm-up ` : `${round + 1} `);
      }
      process.stdout.write("\n");
    } finally {
      await Promise.all(hosts.map((h) => h.close()));
      await native?.close();
    }
    const base = rates.get(rt.target.over) ?? [];
    const own = rates.get(`reqivo (${rt.id} transport)`) ?? [];
    const ceiling = rates.get("raw ceiling") ?? [];
    const held = ratio(own, base) >= rt.target.ratio;
    const rows = [...rates.entries()].sort((a, b) => median(b[1]) - median(a[1]));
    const fastest = rows.find(([name]) => name !== "raw ceiling" && name !== NATIVE_RAW);
    const checkCeiling = native === null ? "raw ceiling" : NATIVE_RAW;
    const headroom =
      fastest === undefined ? Number.NaN : ratio(rates.get(checkCeiling) ?? [], fastest[1]);
    const ownCompiler = compiler.get(`reqivo (${rt.id} transport)`) ?? [];
    const table = [
      `### ${rt.id === "deno" ? "Deno" : "Bun"} (${version}), GET 64 KiB keep-alive, 100 in flight`,
      "",
      `| contender | median req/s | min – max | spread | vs ${rt.target.over} | of raw ceiling | CPU µs/req | of it JIT threads | busiest thread µs/req |`,
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...rows.map(
        ([name, r]) =>
          `| ${name} | ${fmt(median(r))} | ${fmt(Math.min(...r))} – ${fmt(Math.max(...r))} | ${spread(r)} | ${fmtRatio(
            ratio(r, base),
          )} | ${fmtPercent(ratio(r, ceiling))} | ${median(cpu.get(name)!).toFixed(1)} | ${fmtCompiler(
            compiler.get(name)!,
          )} | ${fmtBusiest(busiest.get(name)!)} |`,
      ),
      "",
      `Target: Reqivo on the ${rt.id} transport ≥ ${rt.target.ratio.toFixed(1)}× ${rt.target.over}: ${fmtRatio(
        ratio(own, base),
      )}, ${held ? "holds" : "does not hold"} in this run. Reqivo on the ${rt.id} transport reaches ${fmtPercent(
        ratio(own, ceiling),
      )} of the raw ceiling (median of per-round ratios).`,
      "",
      ...(ownCompiler.every((v) => v === 0)
        ? []
        : [
            `Reqivo (${rt.id} transport), JIT threads' CPU µs/req by round: ${fmtCompiler(ownCompiler, true)}.`,
            "",
          ]),
      `${checkCeiling === NATIVE_RAW ? "Raw ceiling (native)" : "Raw ceiling"} ÷ fastest contender (${fastest?.[0] ?? "–"}): ${fmtRatio(headroom)}; ${
        headroom >= CEILING_FACTOR
          ? `the ceiling check (≥ ${CEILING_FACTOR}×) passes`
          : `**the ceiling check (≥ ${CEILING_FACTOR}×) FAILED**: the server or the machine, not the clients, may set the pace`
      }.`,
    ].join("\n");
    const chart = writeChart(`runtime-${rt.id}`, {
      title: `${rt.id === "deno" ? "Deno" : "Bun"} (${version}), GET 64 KiB keep-alive, 100 in flight`,
      unit: "requests/s",
      rows: rows.map(([name, r]) => ({ name, values: r })),
    });
    console.log(`\n${table}\n`);
    sections.push(table.replace("\n\n", `\n\n${chart}`));
    const vsFetch = roundRatios(own, base);
    headlines.push({
      id: `runtime-${rt.id}`,
      order: rt.id === "deno" ? 80 : 90,
      scenario: `${rt.id === "deno" ? "Deno" : "Bun"}, GET 64 KiB keep-alive (${rt.id} transport)`,
      reqivo: `${fmt(median(own))} req/s`,
      ratios: `${fmtRatio(median(vsFetch))} ${rt.id === "deno" ? "Deno" : "Bun"} \`fetch\`, ${fmtPercent(
        ratio(own, ceiling),
      )} of raw ceiling; Node transport via compat ${fmtRatio(
        ratio(rates.get(`reqivo (node transport, ${rt.id} node compat)`) ?? [], base),
      )}`,
      target: `≥ ${rt.target.ratio.toFixed(1)}×: ${verdict(held)}`,
      charts: [
        {
          label: `${rt.id === "deno" ? "Deno" : "Bun"} GET 64 KiB vs ${rt.target.over}`,
          values: vsFetch,
          target: rt.target.ratio,
        },
      ],
    });
  }
  writeSection(
    [
      "## Deno and Bun (client-runtimes.bench.ts)",
      "",
      machineLine(
        `${serverName} in its own process; each contender runs in a runtime process of its own (src/client/runtime-child.ts), interleaved round by round, ${ROUNDS} rounds of ${DURATION} ms after a warm-up round of ${WARM_UP} ms; ${TURN_TEXT}. Reqivo is capped at ${CONNECTIONS} connections; the runtimes' fetch use their own pools (uncapped). The raw ceiling is ${CONNECTIONS} plain Deno.connect / Bun.connect sockets shared by the 100 in-flight workers, each writing a pre-built GET and counting response bytes up to the known size, no parsing.`,
      ),
      "",
      ...sections.flatMap((s) => [s, ""]),
    ].join("\n"),
  );
  recordHeadlines(headlines, { versions, rounds: ROUNDS });
} finally {
  server.stop();
}

// HTTP/2 against HTTP/1.1 and other HTTP/2 clients: keep-alive GETs of 16 B
// and 64 KiB over TLS with 100 requests in flight, on 1 connection and on 10
// (src/client/h2-contenders.ts). The server (src/client/h2-server.ts) is
// node:http2's createSecureServer with allowHTTP1, in its own process(es)
// (--server-processes, default 2, node:cluster), answering with pre-built
// bodies; its certificate comes from a CA generated at start
// (src/client/certificates.ts) that every contender is given.
//
// Contenders, each in a Node process of its own (sample-host.ts,
// h2-contender-child.ts), interleaved round by round (order rotated by one
// each round) after a warm-up round. Each measured turn begins with --rewarm
// ms (default 2000) of unmeasured requests of the same scenario, no forced
// gc(), in children with V8's memory reducer off: the loaded-client turn of
// client.bench.ts (client/turn.ts; results/2026-12-07-s13-method.md). The
// turn is a request of its own, so the server's figures cover the sample alone.
// Until the fourteenth session a turn was a forced gc() and the sample, with
// the reducer on: --rewarm=0 --gc-before-sample --memory-reducer.
//   reqivo h2    Session({ http2: true, tls: { ca }, pool: { connections: 1 | 10 } });
//                on 10 connections http2: { maxStreamsPerConnection: 10 }, so
//                the 100 in flight spread over all 10
//   reqivo h1    the same without http2: HTTP/1.1 over TLS, so on 1 connection
//                one request at a time (the point of the comparison)
//   undici h2    Pool({ allowH2: true, connections: 1 | 10 }), `request` API
//   node:http2   http2.connect × 1 | 10 sessions, requests round-robin
//   raw h2 ceiling  pre-built HEADERS frames on plain TLS sockets, responses
//                counted by frame headers, nothing decoded
//                (src/client/h2-raw-ceiling.ts): what the server allows. The
//                tables give the raw ceiling ÷ the fastest contender and flag
//                it below 2× (the ceiling check of client.bench.ts).
//   reqivo h2 (baseline)  with REQIVO_BASELINE=<another checkout, packages
//                built>: that checkout's client as "reqivo h2", for a
//                before/after of a change in one run
// Reqivo's pool shares one HTTP/2 connection among all requests to an
// origin (it opens another only at the server's stream limit or 1,000 streams),
// so `connections: 10` alone caps it at 10 without making it open 10; the
// 10-connection scenarios therefore also set http2.maxStreamsPerConnection
// (100 in flight ÷ 10), and "connections used" shows 10 there. The baseline
// contender does the same if its checkout knows the option, else it keeps one
// connection.
// CPU µs/req is the contender process's user + system time per request.
// Around every sample the server reports its CPU time (the table shows the
// server's CPU% during the contender's samples, summed over its processes
// and for the busiest one: near 100% for one process means the server, not
// the client, may set the pace) and how many connections of each protocol
// carried a request (so the table shows each contender's protocol and
// connection count as the server saw them).
//
// Options (after `npx pnpm bench client-http2`):
//   --runs=N              independent runs, new server and processes each (default 1)
//   --rounds=N            measured rounds per run (default 7)
//   --duration=MS         length of one sample (default 1000)
//   --rewarm=MS           unmeasured requests at the start of each measured turn (default 2000)
//   --gc-before-sample    a forced gc() in each child before its turn (older results)
//   --memory-reducer      leave V8's memory reducer on in the children
//   --server-processes=N  server processes sharing the port (default 2)
//   --scenario=ID,…       get-tiny-1c, get-tiny-10c, get-64k-1c, get-64k-10c
//   --only=NAME,…         reqivo h2, reqivo h2 (baseline), reqivo h1, undici h2, node:http2, raw h2 ceiling
//   --write, --label=NAME results/<date>[-NAME].md (the section is appended) and SVG charts
//   --profile=MS          one contender (reqivo h2, or --only's first) in this process,
//                         MS per scenario after a 1 s warm-up, for node --cpu-prof
//   --allocations=N       bytes allocated per request by that contender over N
//                         requests per scenario, by allocating function (V8's heap sampler)
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { allocationProfile } from "./client/allocations.ts";
import { generateCertificates } from "./client/certificates.ts";
import type { SampleReply } from "./client/contender-child.ts";
import type { H2SampleRequest } from "./client/h2-contender-child.ts";
import {
  createH2Contender,
  H2_CONTENDERS,
  H2_SCENARIOS,
  type H2Scenario,
} from "./client/h2-contenders.ts";
import type { H2ServerStats } from "./client/h2-server.ts";
// The raw ceiling should reach this many times the fastest contender, as in client.bench.ts.
import { CEILING_FACTOR } from "./client/multi-run.ts";
import { type SampleHost, startSampleHost } from "./client/sample-host.ts";
import {
  collect,
  flag,
  fmt,
  fmtRatio,
  machineLine,
  median,
  numberFlag,
  recordHeadlines,
  rotated,
  roundRatios,
  writeChart,
  writeSection,
} from "./client/suite.ts";
import { askTurn, childExecArgv, turnFlags, turnText } from "./client/turn.ts";

const RUNS = numberFlag("runs", 1, 1, 20);
const ROUNDS = numberFlag("rounds", 7, 1, 50);
const DURATION = numberFlag("duration", 1000, 100, 10_000);
const SERVER_PROCESSES = numberFlag("server-processes", 2, 1, 8);
const TURN = turnFlags(2000);
const MAX_REQUESTS = 2_000_000;
const UNDICI = "undici h2";
const NODE = "node:http2";
const RAW = "raw h2 ceiling";
/** The busiest server process above this CPU% during a sample: the server may be the limit. */
const SERVER_BUSY_PERCENT = 90;

const scenarioFilter = flag("scenario")?.split(",");
const onlyFilter = flag("only")?.split(",");
const scenarios = H2_SCENARIOS.filter(
  (s) => scenarioFilter === undefined || scenarioFilter.includes(s.id),
);
const names = H2_CONTENDERS.filter((n) => onlyFilter === undefined || onlyFilter.includes(n));
const execArgv = process.execArgv.filter((a) => !a.startsWith("--cpu-prof"));
const here = (file: string) => fileURLToPath(new URL(`./client/${file}`, import.meta.url));

/** One contender's rounds in one scenario of one run. */
interface Rounds {
  rates: number[];
  cpu: number[];
  /** Server CPU% during each sample: all processes summed, and the busiest one. */
  serverTotal: number[];
  serverBusiest: number[];
  /** Connections of each protocol that carried requests, as the server counted them (last round). */
  h2Used: number;
  h1Used: number;
}

/** One contender's figures in one run (medians of its rounds). */
interface RunFigures {
  reqPerSec: number;
  cpuMicrosPerReq: number;
  vsUndici: number;
  vsNode: number;
  /** Median of per-round ratios to the raw h2 ceiling. */
  ofRaw: number;
  serverTotal: number;
  serverBusiest: number;
  h2Used: number;
  h1Used: number;
}

type RunResult = Map<string, Map<string, RunFigures>>; // scenario id → contender → figures

const certs = await generateCertificates();
// Children inherit these: the server's certificate and key, the contenders' CA.
process.env.H2_BENCH_CA = certs.ca;
process.env.H2_BENCH_CERT = certs.cert;
process.env.H2_BENCH_KEY = certs.key;

const startH2Server = () =>
  startSampleHost(process.execPath, [...execArgv, here("h2-server.ts"), String(SERVER_PROCESSES)]);
const serverStats = (server: SampleHost) => server.ask<H2ServerStats>({}, 30_000);

/** --profile: one contender in this process, so `node --cpu-prof` sees only it. */
async function profile(): Promise<void> {
  const ms = Math.min(60_000, Number(flag("profile")) || 5000);
  const name = onlyFilter?.[0] ?? "reqivo h2";
  const server = await startH2Server();
  const { port } = await serverStats(server);
  const contender = createH2Contender(name, port, certs.ca);
  if (contender === undefined) throw new Error(`no contender named ${name}`);
  const allocations = flag("allocations");
  try {
    for (const s of scenarios) {
      if (allocations !== undefined) {
        await allocationProfile(contender, s, Math.min(200_000, Number(allocations) || 20_000));
        continue;
      }
      await contender.sample(s, 1000, MAX_REQUESTS); // warm-up
      collect();
      const cpu = process.cpuUsage();
      const { requests, elapsedMs } = await contender.sample(s, ms, MAX_REQUESTS);
      const used = process.cpuUsage(cpu);
      console.log(
        `${s.id}: ${name} ${fmt((requests * 1000) / elapsedMs)} req/s, ` +
          `${((used.user + used.system) / requests).toFixed(1)} µs CPU per request`,
      );
    }
  } finally {
    await contender.close();
    await server.close();
  }
}

async function measure(): Promise<void> {
  console.log(
    `HTTP/2 benchmark: ${RUNS} run(s) of ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up), ` +
      `node:http2 TLS server (${SERVER_PROCESSES} process(es)) and each contender in a process of its own, loopback; ${turnText(TURN)}.`,
  );
  const runs: RunResult[] = [];
  const loads: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = loadavg()[0]!.toFixed(1);
    runs.push(await oneRun(RUNS > 1 ? `run ${run + 1}: ` : ""));
    loads.push(`${start}→${loadavg()[0]!.toFixed(1)}`);
  }
  const tables = scenarios.map((s) => {
    const chart = writeChart(`http2-${s.id}`, {
      title: s.title,
      unit: "requests/s",
      rows: names.map((n) => ({
        name: n,
        values: runs.map((r) => r.get(s.id)?.get(n)?.reqPerSec ?? Number.NaN),
      })),
    });
    return `### ${s.title}\n\n${chart}${table(s, runs)}\n`;
  });
  const method =
    `${RUNS} independent run(s) × ${ROUNDS} rounds of ${fmt(DURATION)} ms after a warm-up round; ` +
    `${turnText(TURN)}; ` +
    "each cell is the median of the runs' medians (over rounds), with the min–max across runs when there are several. " +
    `Ratios are medians of per-round ratios. Server: node:http2 createSecureServer (allowHTTP1) in ${SERVER_PROCESSES} process(es), ` +
    "pre-built bodies, ECDSA P-256 certificate from a CA generated at start; each contender in a Node process of its own, order rotated each round; " +
    "100 requests in flight. CPU µs/req: user + system time of the contender's process. " +
    "Server CPU%: the server processes' CPU time during the contender's samples over their wall time, summed and for the busiest process " +
    `(one connection is served by one process; near 100% there, the server may set the pace). Load average (1 min) start→end of each run: ${loads.join(", ")}.`;
  const markdown = [
    "## HTTP/2 (client-http2.bench.ts)",
    "",
    machineLine(`${SERVER_PROCESSES} server process(es).`),
    "",
    method,
    "",
    "### Reqivo over HTTP/2 and over HTTP/1.1 (same TLS server)",
    "",
    sideBySide(runs),
    "",
    ...tables,
  ].join("\n");
  console.log(`\n${markdown}`);
  writeSection(markdown);
  const h2 = (id: string) => figure(runs, id, "reqivo h2", (f) => f.vsUndici);
  recordHeadlines(
    [
      {
        id: "http2",
        order: 80,
        scenario: "HTTP/2 over TLS, GET 16 B / 64 KiB, 10 connections, 100 in flight",
        reqivo: `${fmt(figure(runs, "get-tiny-10c", "reqivo h2", (f) => f.reqPerSec))} / ${fmt(
          figure(runs, "get-64k-10c", "reqivo h2", (f) => f.reqPerSec),
        )} req/s`,
        ratios: `${fmtRatio(h2("get-tiny-10c"))} / ${fmtRatio(h2("get-64k-10c"))} undici \`allowH2\``,
        target: "–",
      },
    ],
    { rounds: ROUNDS },
  );
}

/** One run: new server and contender processes, every scenario's rounds. */
async function oneRun(prefix: string): Promise<RunResult> {
  const server = await startH2Server();
  const { port } = await serverStats(server);
  const hosts: SampleHost[] = [];
  try {
    const child = here("h2-contender-child.ts");
    const childArgs = childExecArgv(TURN);
    hosts.push(
      ...(await Promise.all(
        names.map((n) => startSampleHost(process.execPath, [...childArgs, child, String(port), n])),
      )),
    );
    const result: RunResult = new Map();
    for (const s of scenarios) {
      const got = new Map<string, Rounds>(
        hosts.map((h) => [
          h.name,
          { rates: [], cpu: [], serverTotal: [], serverBusiest: [], h2Used: 0, h1Used: 0 },
        ]),
      );
      for (let round = -1; round < ROUNDS; round++) {
        for (const host of rotated(hosts, round)) {
          const request: H2SampleRequest = {
            scenario: s.id,
            durationMs: DURATION,
            maxRequests: MAX_REQUESTS,
          };
          // The warm-up round is unmeasured already.
          if (round >= 0) await askTurn(host, request, TURN, 60_000);
          const before = await serverStats(server);
          const started = performance.now();
          const reply = await host.ask<SampleReply>(request, DURATION + 60_000);
          const wallMicros = (performance.now() - started) * 1000;
          const after = await serverStats(server);
          if (round < 0) continue;
          const r = got.get(host.name)!;
          r.rates.push((reply.requests * 1000) / reply.elapsedMs);
          r.cpu.push(reply.cpuMicros / reply.requests);
          r.serverTotal.push(((after.cpuMicros - before.cpuMicros) / wallMicros) * 100);
          r.serverBusiest.push(
            Math.max(
              ...after.perProcessCpuMicros.map(
                (c, i) => ((c - before.perProcessCpuMicros[i]!) / wallMicros) * 100,
              ),
            ),
          );
          r.h2Used = after.h2Used;
          r.h1Used = after.h1Used;
        }
        process.stdout.write(round < 0 ? `${prefix}${s.id}: warm-up ` : `${round + 1} `);
      }
      process.stdout.write("\n");
      const undici = got.get(UNDICI)?.rates ?? [];
      const node = got.get(NODE)?.rates ?? [];
      const raw = got.get(RAW)?.rates ?? [];
      const figures = new Map<string, RunFigures>();
      for (const [name, r] of got) {
        figures.set(name, {
          reqPerSec: median(r.rates),
          cpuMicrosPerReq: median(r.cpu),
          vsUndici: median(roundRatios(r.rates, undici)),
          vsNode: median(roundRatios(r.rates, node)),
          ofRaw: median(roundRatios(r.rates, raw)),
          serverTotal: median(r.serverTotal),
          serverBusiest: median(r.serverBusiest),
          h2Used: r.h2Used,
          h1Used: r.h1Used,
        });
      }
      result.set(s.id, figures);
      if (RUNS > 1) console.log(`\n### ${prefix}${s.title}\n\n${table(s, [result])}\n`);
    }
    return result;
  } finally {
    await Promise.all(hosts.map((h) => h.close()));
    await server.close();
  }
}

/** The median across runs of one figure (NaN when not measured). */
function figure(
  runs: readonly RunResult[],
  id: string,
  name: string,
  pick: (f: RunFigures) => number,
): number {
  const values = runs
    .map((r) => r.get(id)?.get(name))
    .filter((f): f is RunFigures => f !== undefined)
    .map(pick)
    .filter(Number.isFinite);
  return median(values);
}

/** "1,234 (1,100–1,300)": the median across runs and their spread; just the median for one run. */
function cell(
  runs: readonly RunResult[],
  id: string,
  name: string,
  pick: (f: RunFigures) => number,
  format: (n: number) => string,
): string {
  const values = runs
    .map((r) => r.get(id)?.get(name))
    .filter((f): f is RunFigures => f !== undefined)
    .map(pick)
    .filter(Number.isFinite);
  if (values.length === 0) return "–";
  const m = format(median(values));
  if (values.length === 1) return m;
  return `${m} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
}

const ratioText = (n: number) => `${n.toFixed(2)}×`;
const percent = (n: number) => `${n.toFixed(0)}%`;

function table(s: H2Scenario, runs: readonly RunResult[]): string {
  const rows = [...names].sort(
    (a, b) => figure(runs, s.id, b, (f) => f.reqPerSec) - figure(runs, s.id, a, (f) => f.reqPerSec),
  );
  const lines = [
    `| contender | req/s | CPU µs/req | vs ${UNDICI} | vs ${NODE} | of raw ceiling | server CPU% (sum / busiest process) | connections used (h2 / h1) |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const n of rows) {
    const c = (pick: (f: RunFigures) => number, format: (v: number) => string) =>
      cell(runs, s.id, n, pick, format);
    const last = runs.at(-1)?.get(s.id)?.get(n);
    lines.push(
      `| ${n} | ${c(
        (f) => f.reqPerSec,
        (v) => fmt(v),
      )} | ${c(
        (f) => f.cpuMicrosPerReq,
        (v) => v.toFixed(1),
      )} | ${c((f) => f.vsUndici, ratioText)} | ${c((f) => f.vsNode, ratioText)} | ${c(
        (f) => f.ofRaw * 100,
        percent,
      )} | ${c((f) => f.serverTotal, percent)} / ${c((f) => f.serverBusiest, percent)} | ${
        last === undefined ? "–" : `${last.h2Used} / ${last.h1Used}`
      } |`,
    );
  }
  lines.push("", ceilingLine(s, runs, rows));
  // The raw ceiling is meant to load the server: only the contenders are flagged.
  const busy = rows.filter(
    (n) => n !== RAW && figure(runs, s.id, n, (f) => f.serverBusiest) >= SERVER_BUSY_PERCENT,
  );
  if (busy.length > 0)
    lines.push(
      "",
      `**Server busy:** a server process was at ${SERVER_BUSY_PERCENT}% CPU or more during the samples of ${busy.join(
        ", ",
      )}: there the server, not the client, may set the pace.`,
    );
  return lines.join("\n");
}

/**
 * The ceiling check: the raw h2 ceiling ÷ the fastest contender (1 ÷ its
 * "of raw ceiling"), flagged below CEILING_FACTOR: then the server or the
 * machine, not the clients, may set the pace.
 */
function ceilingLine(s: H2Scenario, runs: readonly RunResult[], rows: readonly string[]): string {
  const fastest = rows.find((n) => n !== RAW);
  if (!rows.includes(RAW) || fastest === undefined) return "Raw h2 ceiling not measured.";
  const times = 1 / figure(runs, s.id, fastest, (f) => f.ofRaw);
  const text = `Raw h2 ceiling ÷ fastest contender (${fastest}): ${ratioText(times)}`;
  return times >= CEILING_FACTOR
    ? `${text}.`
    : `**${text}, below ${CEILING_FACTOR}×:** the server or the machine may be what limits the fastest contenders here.`;
}

/** Reqivo h2 next to Reqivo h1, scenario by scenario. */
function sideBySide(runs: readonly RunResult[]): string {
  const lines = [
    "| scenario | reqivo h2 req/s | reqivo h1 req/s | h2 ÷ h1 (req/s) | h2 CPU µs/req | h1 CPU µs/req |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const s of scenarios) {
    const c = (name: string, pick: (f: RunFigures) => number, format: (v: number) => string) =>
      cell(runs, s.id, name, pick, format);
    const ratios = runs
      .map(
        (r) =>
          (r.get(s.id)?.get("reqivo h2")?.reqPerSec ?? Number.NaN) /
          (r.get(s.id)?.get("reqivo h1")?.reqPerSec ?? Number.NaN),
      )
      .filter(Number.isFinite);
    lines.push(
      `| ${s.id} | ${c(
        "reqivo h2",
        (f) => f.reqPerSec,
        (v) => fmt(v),
      )} | ${c(
        "reqivo h1",
        (f) => f.reqPerSec,
        (v) => fmt(v),
      )} | ${ratios.length === 0 ? "–" : ratioText(median(ratios))} | ${c(
        "reqivo h2",
        (f) => f.cpuMicrosPerReq,
        (v) => v.toFixed(1),
      )} | ${c(
        "reqivo h1",
        (f) => f.cpuMicrosPerReq,
        (v) => v.toFixed(1),
      )} |`,
    );
  }
  return lines.join("\n");
}

// Last, so every constant above is initialised before it runs.
if (flag("profile") !== undefined || flag("allocations") !== undefined) await profile();
else await measure();

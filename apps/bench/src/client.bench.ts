// Reqivo's Session against other Node HTTP clients, on loopback, with a
// canned-response server in its own process: native/canned-server.c (one
// epoll thread, built at start with the C compiler) or, with --server=node or
// no compiler, src/client/canned-server.ts (node:cluster workers). Both scan
// for the end of each request head, read the path, skip a POST body by its
// Content-Length and write pre-built bytes, so the server is not what limits
// the fastest client. Scenarios (src/client/scenarios.ts): GET
// 64 KiB and GET 16 B keep-alive, POST 128 KiB, each with 50 connections and
// 100 requests in flight; every contender reads the whole body and checks
// status and length.
//
// Each contender runs in a Node process of its own (client/sample-host.ts:
// a shared process let one contender's garbage land in another's sample).
// Contenders run interleaved: every round runs each of them once, in an order
// rotated by one per round, so drift of a shared machine hits all alike. A
// warm-up round is not counted, and each turn runs --rewarm ms of unmeasured
// requests before its sample, in children with V8's memory reducer off, so
// that what is measured is a client under steady load, not one just woken
// from idle (no forced gc() either: it and the reducer both shrink V8's young
// generation; results/2026-12-07-s13-method.md; the turn is client/turn.ts,
// shared by every client bench). Ratios
// are medians of per-round ratios.
// --runs=N repeats all of it N times from scratch (new server, new contender
// processes) and reports per figure the median across runs and the spread
// (min–max) (client/multi-run.ts); each run also checks that the raw ceiling
// is at least 2× the fastest contender, and says so when it is not. That check
// uses "raw ceiling (native)" (native/raw-ceiling.c, the same work as the Node
// "raw ceiling" on one epoll loop) when it ran, else the Node one: the Node one
// costs half as much CPU again per request (GET 16 B: 15 vs 10 µs), CPU the
// contenders' server needs on 2 cores (results/2026-12-07-native-server.md).
//
// Options (after `npx pnpm bench client.bench`):
//   --runs=N          independent runs (default 1; 3 or more for the README table)
//   --rounds=N        measured rounds per run (default 7)
//   --duration=MS     length of one sample (default 1000)
//   --server=native|node  the C canned server (default, when a C compiler is found)
//                     or the Node one (client/suite.ts cannedServerKind)
//   --server-processes=N  Node canned-server processes sharing the port (default 2)
//   --instructions[=N] after each run's rounds, count instructions per request of
//                     reqivo, undici request, undici dispatch, node:http and the raw
//                     ceiling on get-tiny and get-64k under Valgrind: warm-up requests,
//                     then 3 phases of N counted (default 2000)
//                     (scripts/instructions-contenders.mjs; minutes per run)
//   --instructions-warm-up=N  warm-up requests before the counted ones (default 3000)
//   --scenario=ID,…   only these scenarios (get-64k, get-tiny, post-128k)
//   --only=NAME,…     only these contenders (reqivo, undici request, …, raw ceiling);
//                     also the way to add an optional one (undici stream); "raw ceiling"
//                     brings "raw ceiling (native)" too (the ceiling check's)
//   --write           write results/<date>.md (which the client-*.bench.ts sections then
//                     append to), results/<date>-<scenario>.svg and results/<date>.json
//   --label=NAME      with --write: results/<date>-NAME.md (e.g. before/after a change)
//   --profile=MS      run Reqivo (or the --only ones) once for MS per scenario (node --cpu-prof)
//   --requests=N      with --profile: N requests per sample instead of MS (profiles of a fixed count)
//   --in-flight=N     requests in flight instead of the scenario's 100 (1: one at a time)
//   --idle=MS         pause this long after each sample (stands in for the other
//                     contenders' turns of a full run when only a few are chosen)
//   --rewarm=MS       before each measured sample, MS of unmeasured requests of the same
//                     scenario (default 2000): each child idles through the other
//                     contenders' turns (~10–30 s), and its first 0.5–1.75 s back cost up to
//                     3× the CPU per request of a steady loop (results/2026-12-07-s13-method.md)
//   --memory-reducer  leave V8's memory reducer on in the children: off by default, because
//                     it acts on a child idling through the others' turns, and a client back
//                     from ~30 s of idle then ran at 2–3× its steady CPU per request for more
//                     than 4 s (results/2026-12-07-s13-method.md); a loaded process never idles
//   --gc-before-sample  a forced gc() in each child before its turn, as until the thirteenth
//                     session: it shrinks V8's young generation, and the sample then runs
//                     with dozens of mark-sweeps (results/2026-12-07-s13-method.md); for
//                     reproducing older results only
//   --shared-process  all contenders in this one process (as before round 5), for an A/B;
//                     the same turn (--rewarm, --gc-before-sample), but the memory reducer
//                     is this process's own (on unless node runs with --no-memory-reducer)
//   --allocations=N   bytes allocated per request by Reqivo (or the --only ones) over N
//                     requests, by allocating function (V8's sampling heap profiler)
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { allocationProfile } from "./client/allocations.ts";
import type { SampleReply, SampleRequest } from "./client/contender-child.ts";
import {
  baselineContenders,
  type Contender,
  createContenders,
  nativeCeilings,
  rawCeiling,
} from "./client/contenders.ts";
import {
  addRun,
  CEILING_FACTOR,
  ceilingOf,
  type InstructionCounts,
  type MultiRunResult,
  type MultiRunScenario,
  methodLine,
  multiRunMarkdown,
  NATIVE_RAW,
} from "./client/multi-run.ts";
import {
  type ContenderResult,
  markdownTable,
  median,
  type ScenarioResult,
  svgChart,
} from "./client/report.ts";
import { startSampleHost } from "./client/sample-host.ts";
import { CONNECTIONS, SCENARIOS, type Scenario } from "./client/scenarios.ts";
import {
  type ChildServer,
  cannedServerDescription,
  cannedServerKind,
  collect,
  flag,
  fmt,
  fmtRatio,
  type Headline,
  numberFlag,
  RESULTS_DIR,
  recordHeadlines,
  resultsName,
  rotated,
  roundRatios,
  runForOutput,
  startCannedServer,
  verdict,
} from "./client/suite.ts";
import { beginTurn, childExecArgv, type Turn, turnFlags, turnText } from "./client/turn.ts";

const RUNS = numberFlag("runs", 1, 1, 20);
const ROUNDS = numberFlag("rounds", 7, 1, 50);
const DURATION = numberFlag("duration", 1000, 100, 10_000);
const SERVER_PROCESSES = numberFlag("server-processes", 2, 1, 8);
const IDLE_MS = numberFlag("idle", 0, 0, 60_000);
const TURN = turnFlags(2000);
// A bound on requests per sample besides the time, so no loop can run away.
const MAX_REQUESTS = 2_000_000;
const scenarioFilter = flag("scenario")?.split(",");
const onlyFilter = flag("only")?.split(",");
const profileMs = flag("profile");
const allocations = flag("allocations");
const instructionRequests =
  flag("instructions") === undefined ? undefined : numberFlag("instructions", 2000, 10, 1_000_000);
/** Measured phases of --instructions=N requests each. */
const INSTRUCTION_PHASES = 3;
// Warm-up requests before the counted phases (scripts/instructions-contenders.mjs
// says why the figure is the median of the phases).
const INSTRUCTION_WARM_UP = numberFlag("instructions-warm-up", 3000, 1, 1_000_000);
/** The scenarios and contenders counted under Valgrind with --instructions. */
const COUNTED_SCENARIOS = ["get-tiny", "get-64k"];
const COUNTED = ["reqivo", "undici request", "undici dispatch", "node:http", "raw ceiling"];

const inFlight = flag("in-flight") === undefined ? undefined : numberFlag("in-flight", 1, 1, 1000);
const scenarios = SCENARIOS.filter(
  (s) => scenarioFilter === undefined || scenarioFilter.includes(s.id),
).map((s) => (inFlight === undefined ? s : { ...s, inFlight }));

/** The contenders of this run (--only, else every one not optional), set up against `port`. */
async function chosenContenders(port: number, onlyReqivo: boolean): Promise<Contender[]> {
  const origin = `http://127.0.0.1:${port}`;
  const all = [
    ...createContenders(origin, CONNECTIONS),
    ...(await baselineContenders(origin, CONNECTIONS)),
    rawCeiling(port),
    ...nativeCeilings(port),
  ];
  const wanted = (c: Contender) =>
    onlyFilter !== undefined
      ? onlyFilter.includes(c.name) || (c.name === NATIVE_RAW && onlyFilter.includes("raw ceiling"))
      : onlyReqivo
        ? c.name === "reqivo"
        : c.optional !== true;
  for (const c of all) if (!wanted(c)) void c.close();
  return all.filter(wanted);
}

/** --shared-process's turn: the reducer is this process's, whatever --memory-reducer says. */
const SHARED_TURN: Turn = {
  ...TURN,
  memoryReducer: !process.execArgv.includes("--no-memory-reducer"),
};

const SERVER_KIND = cannedServerKind();
const startCanned = () => startCannedServer(SERVER_PROCESSES, SERVER_KIND);
const SERVER_DESCRIPTION = cannedServerDescription(SERVER_KIND, SERVER_PROCESSES);

if (profileMs !== undefined || allocations !== undefined || flag("shared-process") !== undefined) {
  // One process for every chosen contender (profiles, allocation counts, the old A/B).
  const server = await startCanned();
  const contenders = await chosenContenders(server.port, flag("shared-process") === undefined);
  try {
    if (profileMs !== undefined) await profile(contenders);
    else if (allocations !== undefined) {
      const requests = numberFlag("allocations", 20_000, 100, MAX_REQUESTS);
      for (const s of scenarios)
        for (const c of contenders) await allocationProfile(c, s, requests);
    } else {
      // The old way, kept for an A/B of the isolation itself: every contender in this process.
      const results = await compare(
        contenders.map(inProcess),
        `every contender in this one process; ${turnText(SHARED_TURN)}`,
        "",
      );
      if (flag("write") !== undefined) write([results], undefined);
    }
  } finally {
    for (const c of contenders) await c.close();
    server.stop();
  }
} else {
  // Measured runs: every contender in its own process (sample-host.ts), --runs times from scratch.
  const named = await chosenContenders(1, false);
  const names = named.map((c) => c.name);
  for (const c of named) await c.close();
  const all: MultiRunScenario[] = [];
  const perRun: ScenarioResult[][] = [];
  const loads: { start: number; end: number }[] = [];
  console.log(
    `client benchmark: ${RUNS} run(s) of ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up), ` +
      `${SERVER_DESCRIPTION} and each contender in a process of its own, loopback.` +
      `\nRatios are medians of per-round ratios within a run; absolute numbers vary between runs.`,
  );
  for (let run = 0; run < RUNS; run++) {
    const start = Number(loadavg()[0]!.toFixed(1));
    const server = await startCanned();
    let results: ScenarioResult[];
    let counts: InstructionCounts | undefined;
    try {
      results = await compare(
        await isolated(names, server.port),
        `run ${run + 1} of ${RUNS}`,
        RUNS > 1 ? `run ${run + 1}: ` : "",
      );
      counts = await countInstructions(server, names);
    } finally {
      server.stop();
    }
    loads.push({ start, end: Number(loadavg()[0]!.toFixed(1)) });
    perRun.push(results);
    addRun(all, results, counts);
  }
  const summary: MultiRunResult = {
    command: commandLine(),
    machine: machine(),
    loads,
    runs: RUNS,
    rounds: ROUNDS,
    durationMs: DURATION,
    turn: TURN,
    serverProcesses: SERVER_PROCESSES,
    server: SERVER_DESCRIPTION,
    instructions:
      instructionRequests === undefined
        ? null
        : {
            requests: instructionRequests * INSTRUCTION_PHASES,
            warmUp: INSTRUCTION_WARM_UP,
            phases: INSTRUCTION_PHASES,
          },
    scenarios: all,
  };
  console.log(
    `\n## Across ${RUNS} run(s)\n\n${methodLine(summary)}\n\n${multiRunMarkdown(summary)}`,
  );
  if (flag("write") !== undefined) write(perRun, summary);
}

/** The command that reproduces this run (as run-all.mjs is given it). */
function commandLine(): string {
  const args = process.argv
    .slice(2)
    .filter((a) => !a.startsWith("--date="))
    .map((a) => (a.includes(" ") ? `"${a}"` : a));
  return ["npx pnpm bench client.bench", ...args].join(" ");
}

function machine(): string {
  const model = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} × ${model}`;
}

/** --instructions: Valgrind counts for the counted contenders of this run, against its server. */
async function countInstructions(
  server: ChildServer,
  names: readonly string[],
): Promise<InstructionCounts | undefined> {
  if (instructionRequests === undefined) return undefined;
  const counted = COUNTED.filter((n) => names.includes(n));
  const ids = scenarios.map((s) => s.id).filter((id) => COUNTED_SCENARIOS.includes(id));
  if (counted.length === 0 || ids.length === 0) return undefined;
  console.log(`instructions per request (Valgrind): ${counted.join(", ")} on ${ids.join(", ")}`);
  const script = fileURLToPath(new URL("../scripts/instructions-contenders.mjs", import.meta.url));
  const out = await runForOutput(
    process.execPath,
    [
      script,
      `--port=${server.port}`,
      `--requests=${instructionRequests}`,
      `--warm-up=${INSTRUCTION_WARM_UP}`,
      `--phases=${INSTRUCTION_PHASES}`,
      `--scenario=${ids.join(",")}`,
      `--only=${counted.join(",")}`,
      "--json",
    ],
    3_600_000,
  );
  const last = out.trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(last) as InstructionCounts;
}

/** --profile: the chosen contenders in this process, so `node --cpu-prof` sees them. */
async function profile(contenders: readonly Contender[]): Promise<void> {
  // --requests=N bounds the warm-up and the measured sample to N requests
  // each (and lifts the time bound): profiles of two builds then cover the
  // same work.
  const fixed = flag("requests") === undefined ? undefined : Number(flag("requests"));
  const ms = fixed !== undefined ? 3_600_000 : Math.min(60_000, Number(profileMs) || 5000);
  const bound = fixed ?? MAX_REQUESTS;
  for (const s of scenarios) {
    for (const c of contenders) {
      await c.sample(s, fixed !== undefined ? ms : Math.min(ms, 1000), bound); // warm-up
      collect();
      const cpu = process.cpuUsage();
      const { requests, elapsedMs } = await c.sample(s, ms, bound);
      const used = process.cpuUsage(cpu);
      console.log(
        `${s.id}: ${c.name} ${Math.round((requests * 1000) / elapsedMs)} req/s, ` +
          `${((used.user + used.system) / requests).toFixed(1)} µs CPU per request ` +
          `(${(used.system / requests).toFixed(1)} µs system)`,
      );
    }
  }
}

/** One contender as the rounds drive it: in a process of its own, or in this one. */
interface Sampler {
  name: string;
  sample(s: Scenario): Promise<SampleReply>;
  close(): Promise<void>;
}

async function isolated(names: string[], port: number): Promise<Sampler[]> {
  const child = fileURLToPath(new URL("./client/contender-child.ts", import.meta.url));
  const execArgv = childExecArgv(TURN);
  const hosts = await Promise.all(
    names.map((n) => startSampleHost(process.execPath, [...execArgv, child, String(port), n])),
  );
  return hosts.map((host) => ({
    name: host.name,
    sample: (s) => {
      const request: SampleRequest = {
        scenario: s.id,
        inFlight: s.inFlight,
        durationMs: DURATION,
        maxRequests: MAX_REQUESTS,
        rewarmMs: TURN.rewarmMs,
        collectFirst: TURN.collectFirst,
      };
      return host.ask<SampleReply>(request, TURN.rewarmMs + DURATION + 60_000);
    },
    close: () => host.close(),
  }));
}

/**
 * --shared-process: the same turn in this process. Its memory reducer is this
 * process's own: on, unless node itself was started with --no-memory-reducer.
 */
function inProcess(contender: Contender): Sampler {
  return {
    name: contender.name,
    async sample(s) {
      await beginTurn(TURN, (ms) => contender.sample(s, ms, MAX_REQUESTS));
      const cpu = process.cpuUsage();
      const { requests, elapsedMs, helperCpuMicros } = await contender.sample(
        s,
        DURATION,
        MAX_REQUESTS,
      );
      const used = process.cpuUsage(cpu);
      return { requests, elapsedMs, cpuMicros: used.user + used.system + (helperCpuMicros ?? 0) };
    },
    close: async () => undefined, // closed with `contenders` at the end
  };
}

/** The interleaved rounds of one run: every scenario, warm-up round first. */
async function compare(
  samplers: Sampler[],
  where: string,
  prefix: string,
): Promise<ScenarioResult[]> {
  const names = samplers.map((c) => c.name);
  try {
    const results: ScenarioResult[] = [];
    console.log(`\n${where}: ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up)`);
    for (const s of scenarios) {
      const rates = new Map<string, number[]>(names.map((n) => [n, []]));
      const cpus = new Map<string, number[]>(names.map((n) => [n, []]));
      for (let round = -1; round < ROUNDS; round++) {
        for (const c of rotated(samplers, round)) {
          const { requests, elapsedMs, cpuMicros } = await c.sample(s);
          if (IDLE_MS > 0) await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
          if (round >= 0) {
            rates.get(c.name)!.push((requests * 1000) / elapsedMs);
            cpus.get(c.name)!.push(cpuMicros / requests);
          }
        }
        process.stdout.write(round < 0 ? `${prefix}${s.id}: warm-up ` : `${round + 1} `);
      }
      process.stdout.write("\n");
      const contenderResults: ContenderResult[] = names.map((name) => ({
        name,
        rates: rates.get(name)!,
        cpuPerRequest: cpus.get(name)!,
      }));
      const result = { id: s.id, title: s.title, contenders: contenderResults };
      results.push(result);
      const ceiling = ceilingOf(result);
      const check =
        ceiling.ratio === null
          ? ""
          : `\n${ceiling.raw} ÷ fastest contender (${ceiling.fastest}): ${ceiling.ratio.toFixed(2)}×${
              ceiling.ratio >= CEILING_FACTOR
                ? ""
                : ` — BELOW ${CEILING_FACTOR}×: the server or the machine may be what limits the fastest contenders`
            }${ceiling.nodeRatio === null ? "" : ` (Node raw ceiling: ${ceiling.nodeRatio.toFixed(2)}×)`}`;
      console.log(`\n### ${prefix}${s.title}\n\n${markdownTable(result)}\n${check}\n`);
    }
    return results;
  } finally {
    await Promise.all(samplers.map((c) => c.close()));
  }
}

/** Every run's rounds of one scenario side by side, as if one long run (charts, old headline rows). */
function pooled(perRun: readonly ScenarioResult[][]): ScenarioResult[] {
  return perRun[0]!.map((first) => ({
    ...first,
    contenders: first.contenders.map((c) => {
      const runs = perRun.map((r) => r.find((x) => x.id === first.id)?.contenders);
      const same = runs.map((cs) => cs?.find((x) => x.name === c.name));
      return {
        name: c.name,
        rates: same.flatMap((x) => x?.rates ?? []),
        cpuPerRequest: same.flatMap((x) => x?.cpuPerRequest ?? []),
      };
    }),
  }));
}

function write(perRun: readonly ScenarioResult[][], summary: MultiRunResult | undefined): void {
  const name = resultsName();
  const results = pooled(perRun);
  const charts = results.map((r) => {
    const svg = `${name}-${r.id}.svg`;
    writeFileSync(RESULTS_DIR + svg, svgChart(r));
    return `![${r.id}](./${svg})`;
  });
  const runs = perRun.flatMap((run, i) =>
    run.map(
      (r) => `### ${perRun.length > 1 ? `Run ${i + 1}: ` : ""}${r.title}\n\n${markdownTable(r)}\n`,
    ),
  );
  const text = [
    `# Client benchmark, ${name}`,
    "",
    `Command: \`${summary?.command ?? commandLine()}\` (every section below comes from this one command).`,
    summary === undefined
      ? `${machine()}; --shared-process: every contender in one Node process; ${turnText(SHARED_TURN)}.`
      : methodLine(summary),
    "The machine may be shared: compare ratios within this file, not absolute numbers across runs.",
    "Node fetch uses its default global dispatcher (no connection cap); every other contender is capped at 50 connections.",
    "",
    ...(summary === undefined
      ? []
      : [`## Keep-alive headline, across ${summary.runs} run(s)`, "", multiRunMarkdown(summary)]),
    `## Charts (every measured round of every run: bar at the median, whiskers min–max)`,
    "",
    ...charts.map((c) => `${c}\n`),
    `## Each run's rounds (req/s: median and min–max over rounds; ratios: medians of per-round ratios)`,
    "",
    ...runs,
  ].join("\n");
  writeFileSync(`${RESULTS_DIR}${name}.md`, text);
  // This file starts a run's results: its headlines replace any earlier ones of the same name.
  recordHeadlines(headlines(results), { fresh: true, rounds: ROUNDS, keepAlive: summary });
  console.log(`wrote ${RESULTS_DIR}${name}.md and ${results.length} SVG charts`);
}

/** README rows: Reqivo against undici `request`, Node `fetch` and the raw ceiling. */
function headlines(results: ScenarioResult[]): Headline[] {
  const rows: Headline[] = [];
  const order: Record<string, number> = { "get-64k": 10, "get-tiny": 20, "post-128k": 30 };
  const short: Record<string, string> = {
    "get-64k": "GET 64 KiB keep-alive (50 conns, 100 in flight)",
    "get-tiny": "GET 16 B keep-alive",
    "post-128k": "POST 128 KiB",
  };
  const bar: Record<string, string> = {
    "get-64k": "GET 64 KiB",
    "get-tiny": "GET 16 B",
    "post-128k": "POST 128 KiB",
  };
  for (const r of results) {
    const find = (n: string) => r.contenders.find((c) => c.name === n)?.rates ?? [];
    const reqivo = find("reqivo");
    if (reqivo.length === 0) continue;
    const undici = roundRatios(reqivo, find("undici request"));
    const nodeFetch = median(roundRatios(reqivo, find("node fetch")));
    const ceiling = median(roundRatios(reqivo, find("raw ceiling")));
    const vsUndici = median(undici);
    const ratios = `${fmtRatio(vsUndici)} undici \`request\`, ${fmtRatio(nodeFetch)} Node \`fetch\`, ${
      Number.isNaN(ceiling) ? "–" : `${(ceiling * 100).toFixed(0)}%`
    } of raw ceiling`;
    let target = "–";
    if (r.id === "get-64k")
      target = `≥ 1.1× undici: ${verdict(vsUndici >= 1.1)}; ≥ 3× Node fetch: ${verdict(nodeFetch >= 3)}`;
    if (r.id === "get-tiny") target = `≥ 70% of raw ceiling: ${verdict(ceiling >= 0.7)}`;
    rows.push({
      id: `client-${r.id}`,
      order: order[r.id] ?? 40,
      scenario: short[r.id] ?? r.title,
      reqivo: `${fmt(median(reqivo))} req/s`,
      ratios,
      target,
      charts: [
        {
          label: `${bar[r.id] ?? r.id} vs undici request`,
          values: undici,
          target: r.id === "get-64k" ? 1.1 : undefined,
        },
        ...(r.id === "get-tiny"
          ? [
              {
                label: `${bar[r.id]} of raw ceiling`,
                values: roundRatios(reqivo, find("raw ceiling")),
                target: 0.7,
              },
            ]
          : []),
      ],
    });
  }
  return rows;
}

// Reqivo's Session against other Node HTTP clients, on loopback, with a
// node:http keep-alive server in its own process (src/client/server.ts).
// Scenarios (src/client/scenarios.ts): GET 64 KiB and GET 16 B keep-alive,
// POST 128 KiB, each with 50 connections and 100 requests in flight; every
// contender reads the whole body and checks status and length.
//
// Each contender runs in a Node process of its own (client/sample-host.ts:
// a shared process let one contender's garbage land in another's sample).
// Contenders run interleaved: every round runs each of them once, in an order
// rotated by one per round, so drift of a shared machine hits all alike. A
// warm-up round is not counted. Ratios are medians of per-round ratios; only
// compare numbers from one run, never absolute numbers across runs.
//
// Options (after `npx pnpm bench client`):
//   --rounds=N        measured rounds (default 7)
//   --duration=MS     length of one sample (default 1000)
//   --scenario=ID,…   only these scenarios (get-64k, get-tiny, post-128k)
//   --only=NAME,…     only these contenders (reqivo, undici request, …, raw ceiling)
//   --write           write results/<date>.md (which the client-*.bench.ts sections then
//                     append to), results/<date>-<scenario>.svg and results/<date>.json
//   --label=NAME      with --write: results/<date>-NAME.md (e.g. before/after a change)
//   --profile=MS      run Reqivo (or the --only ones) once for MS per scenario (node --cpu-prof)
//   --requests=N      with --profile: N requests per sample instead of MS (profiles of a fixed count)
//   --in-flight=N     requests in flight instead of the scenario's 100 (1: one at a time)
//   --shared-process  all contenders in this one process (as before round 5), for an A/B
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
  rawCeiling,
} from "./client/contenders.ts";
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
  collect,
  flag,
  fmt,
  fmtRatio,
  type Headline,
  LOAD_AT_START,
  numberFlag,
  RESULTS_DIR,
  recordHeadlines,
  resultsName,
  rotated,
  roundRatios,
  startServer,
  verdict,
} from "./client/suite.ts";

const ROUNDS = Math.max(1, Math.min(50, Number(flag("rounds") ?? 7)));
const DURATION = Math.max(100, Math.min(10_000, Number(flag("duration") ?? 1000)));
// A bound on requests per sample besides the time, so no loop can run away.
const MAX_REQUESTS = 2_000_000;
const scenarioFilter = flag("scenario")?.split(",");
const onlyFilter = flag("only")?.split(",");
const profileMs = flag("profile");
const allocations = flag("allocations");

const inFlight = flag("in-flight") === undefined ? undefined : numberFlag("in-flight", 1, 1, 1000);
const scenarios = SCENARIOS.filter(
  (s) => scenarioFilter === undefined || scenarioFilter.includes(s.id),
).map((s) => (inFlight === undefined ? s : { ...s, inFlight }));
const server = await startServer("server.ts");
const origin = `http://127.0.0.1:${server.port}`;
let contenders: Contender[] = [
  ...createContenders(origin, CONNECTIONS),
  ...(await baselineContenders(origin, CONNECTIONS)),
  rawCeiling(server.port),
];
const unused = contenders.filter((c) => onlyFilter !== undefined && !onlyFilter.includes(c.name));
contenders = contenders.filter((c) => !unused.includes(c));
if ((profileMs !== undefined || allocations !== undefined) && onlyFilter === undefined)
  contenders = contenders.filter((c) => c.name === "reqivo");
for (const c of unused) await c.close();

try {
  if (profileMs !== undefined) await profile();
  else if (allocations !== undefined) {
    const requests = numberFlag("allocations", 20_000, 100, MAX_REQUESTS);
    for (const s of scenarios) for (const c of contenders) await allocationProfile(c, s, requests);
  } else if (flag("shared-process") !== undefined) {
    // The old way, kept for an A/B of the isolation itself: every contender in this process.
    await compare(contenders.map(inProcess), "every contender in this one process");
  } else {
    // Measured runs host every contender in its own process (sample-host.ts).
    const names = contenders.map((c) => c.name);
    const local = contenders;
    contenders = [];
    for (const c of local) await c.close();
    await compare(await isolated(names), "server and each contender in a process of its own");
  }
} finally {
  for (const c of contenders) await c.close();
  server.stop();
}

/** --profile: the chosen contenders in this process, so `node --cpu-prof` sees them. */
async function profile(): Promise<void> {
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

async function isolated(names: string[]): Promise<Sampler[]> {
  const child = fileURLToPath(new URL("./client/contender-child.ts", import.meta.url));
  const execArgv = process.execArgv.filter((a) => !a.startsWith("--cpu-prof"));
  const hosts = await Promise.all(
    names.map((n) =>
      startSampleHost(process.execPath, [...execArgv, child, String(server.port), n]),
    ),
  );
  return hosts.map((host) => ({
    name: host.name,
    sample: (s) => {
      const request: SampleRequest = {
        scenario: s.id,
        inFlight: s.inFlight,
        durationMs: DURATION,
        maxRequests: MAX_REQUESTS,
      };
      return host.ask<SampleReply>(request, DURATION + 60_000);
    },
    close: () => host.close(),
  }));
}

function inProcess(contender: Contender): Sampler {
  return {
    name: contender.name,
    async sample(s) {
      collect();
      const cpu = process.cpuUsage();
      const { requests, elapsedMs } = await contender.sample(s, DURATION, MAX_REQUESTS);
      const used = process.cpuUsage(cpu);
      return { requests, elapsedMs, cpuMicros: used.user + used.system };
    },
    close: async () => undefined, // closed with `contenders` at the end
  };
}

/** The interleaved rounds. */
async function compare(samplers: Sampler[], where: string): Promise<void> {
  const names = samplers.map((c) => c.name);
  try {
    const results: ScenarioResult[] = [];
    console.log(
      `client benchmark: ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up), ${where}, loopback.` +
        `\nRatios are medians of per-round ratios within this run; absolute numbers vary between runs.`,
    );
    for (const s of scenarios) {
      const rates = new Map<string, number[]>(names.map((n) => [n, []]));
      const cpus = new Map<string, number[]>(names.map((n) => [n, []]));
      for (let round = -1; round < ROUNDS; round++) {
        for (const c of rotated(samplers, round)) {
          const { requests, elapsedMs, cpuMicros } = await c.sample(s);
          if (round >= 0) {
            rates.get(c.name)!.push((requests * 1000) / elapsedMs);
            cpus.get(c.name)!.push(cpuMicros / requests);
          }
        }
        process.stdout.write(round < 0 ? `${s.id}: warm-up ` : `${round + 1} `);
      }
      process.stdout.write("\n");
      const contenderResults: ContenderResult[] = names.map((name) => ({
        name,
        rates: rates.get(name)!,
        cpuPerRequest: cpus.get(name)!,
      }));
      const result = { id: s.id, title: s.title, contenders: contenderResults };
      results.push(result);
      console.log(`\n### ${s.title}\n\n${markdownTable(result)}\n`);
    }
    if (flag("write") !== undefined) write(results);
  } finally {
    await Promise.all(samplers.map((c) => c.close()));
  }
}

function write(results: ScenarioResult[]): void {
  const label = flag("label");
  const name = resultsName();
  const sections = results.map((r) => {
    const svg = `${name}-${r.id}.svg`;
    writeFileSync(RESULTS_DIR + svg, svgChart(r));
    return `## ${r.title}\n\n![${r.id}](./${svg})\n\n${markdownTable(r)}\n`;
  });
  const best = (r: ScenarioResult) =>
    Math.round(median(r.contenders.find((c) => c.name === "reqivo")?.rates ?? [0]));
  const text = [
    `# Client benchmark, ${name}`,
    "",
    `Command: \`npx pnpm bench client --rounds=${ROUNDS} --write${label ? ` --label=${label}` : ""}\` (${ROUNDS} rounds of ${DURATION} ms after a warm-up round; every section below comes from this one command).`,
    `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, load average at start ${LOAD_AT_START} and at end ${loadavg()[0]!.toFixed(1)}, loopback, node:http server in its own process.`,
    "Contenders are interleaved (order rotated each round); ratios are medians of per-round ratios.",
    "The machine is shared: compare ratios within this file, not absolute numbers across runs.",
    `${flag("shared-process") === undefined ? "Every contender runs in a Node process of its own (no shared heap or garbage collector)" : "--shared-process: every contender in one Node process"}; CPU µs/req: user+system CPU time of that process per request (the server runs elsewhere); less sensitive to other load than req/s.`,
    "Node fetch uses its default global dispatcher (no connection cap); every other contender is capped at 50 connections.",
    "",
    ...sections,
    `Reqivo medians (req/s): ${results.map((r) => `${r.id} ${best(r)}`).join(", ")}.`,
    "",
  ].join("\n");
  writeFileSync(`${RESULTS_DIR}${name}.md`, text);
  // This file starts a run's results: its headlines replace any earlier ones of the same name.
  recordHeadlines(headlines(results), { fresh: true, rounds: ROUNDS });
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

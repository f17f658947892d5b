// Reqivo's Session against other Node HTTP clients, on loopback, with a
// node:http keep-alive server in its own process (src/client/server.ts).
// Scenarios (src/client/scenarios.ts): GET 64 KiB and GET 16 B keep-alive,
// POST 128 KiB, each with 50 connections and 100 requests in flight; every
// contender reads the whole body and checks status and length.
//
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
//   --write           write results/<date>.md and results/<date>-<scenario>.svg
//   --label=NAME      with --write: results/<date>-NAME.md (e.g. before/after a change)
//   --profile=MS      run Reqivo (or the --only ones) once for MS per scenario (node --cpu-prof)
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { type Contender, createContenders, rawCeiling } from "./client/contenders.ts";
import {
  type ContenderResult,
  markdownTable,
  median,
  type ScenarioResult,
  svgChart,
} from "./client/report.ts";
import { SCENARIOS } from "./client/scenarios.ts";

function flag(name: string): string | undefined {
  const prefix = `--${name}`;
  for (const arg of process.argv.slice(2)) {
    if (arg === prefix) return "";
    if (arg.startsWith(`${prefix}=`)) return arg.slice(prefix.length + 1);
  }
  return undefined;
}

const ROUNDS = Math.max(1, Math.min(50, Number(flag("rounds") ?? 7)));
const DURATION = Math.max(100, Math.min(10_000, Number(flag("duration") ?? 1000)));
// A bound on requests per sample besides the time, so no loop can run away.
const MAX_REQUESTS = 2_000_000;
const CONNECTIONS = 50;
// Other work on the machine skews every contender; recorded with the results.
const LOAD_AT_START = loadavg()[0]!.toFixed(1);
const scenarioFilter = flag("scenario")?.split(",");
const onlyFilter = flag("only")?.split(",");
const profileMs = flag("profile");

async function startServer(): Promise<{ port: number; stop(): void }> {
  const file = fileURLToPath(new URL("./client/server.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    [...process.execArgv.filter((a) => !a.startsWith("--cpu-prof")), file],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", (line: Buffer) => resolve(Number(line.toString().trim())));
  });
  return { port, stop: () => child.kill() };
}

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const scenarios = SCENARIOS.filter(
  (s) => scenarioFilter === undefined || scenarioFilter.includes(s.id),
);
const server = await startServer();
const origin = `http://127.0.0.1:${server.port}`;
let contenders: Contender[] = [...createContenders(origin, CONNECTIONS), rawCeiling(server.port)];
const unused = contenders.filter((c) => onlyFilter !== undefined && !onlyFilter.includes(c.name));
contenders = contenders.filter((c) => !unused.includes(c));
if (profileMs !== undefined && onlyFilter === undefined)
  contenders = contenders.filter((c) => c.name === "reqivo");
for (const c of unused) await c.close();

try {
  if (profileMs !== undefined) {
    const ms = Math.min(60_000, Number(profileMs) || 5000);
    for (const s of scenarios) {
      for (const c of contenders) {
        await c.sample(s, Math.min(ms, 1000), MAX_REQUESTS); // warm-up
        collect();
        const cpu = process.cpuUsage();
        const { requests, elapsedMs } = await c.sample(s, ms, MAX_REQUESTS);
        const used = process.cpuUsage(cpu);
        console.log(
          `${s.id}: ${c.name} ${Math.round((requests * 1000) / elapsedMs)} req/s, ` +
            `${((used.user + used.system) / requests).toFixed(1)} µs CPU per request ` +
            `(${(used.system / requests).toFixed(1)} µs system)`,
        );
      }
    }
  } else {
    const results: ScenarioResult[] = [];
    console.log(
      `client benchmark: ${ROUNDS} rounds of ${DURATION} ms (+1 warm-up), server in a child process, loopback.` +
        `\nRatios are medians of per-round ratios within this run; absolute numbers vary between runs.`,
    );
    for (const s of scenarios) {
      const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
      const cpus = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
      for (let round = -1; round < ROUNDS; round++) {
        const offset = ((round % contenders.length) + contenders.length) % contenders.length;
        const order = [...contenders.slice(offset), ...contenders.slice(0, offset)];
        for (const c of order) {
          collect();
          const cpu = process.cpuUsage();
          const { requests, elapsedMs } = await c.sample(s, DURATION, MAX_REQUESTS);
          const used = process.cpuUsage(cpu);
          if (round >= 0) {
            rates.get(c.name)!.push((requests * 1000) / elapsedMs);
            cpus.get(c.name)!.push((used.user + used.system) / requests);
          }
        }
        process.stdout.write(round < 0 ? `${s.id}: warm-up ` : `${round + 1} `);
      }
      process.stdout.write("\n");
      const contenderResults: ContenderResult[] = contenders.map((c) => ({
        name: c.name,
        rates: rates.get(c.name)!,
        cpuPerRequest: cpus.get(c.name)!,
      }));
      const result = { id: s.id, title: s.title, contenders: contenderResults };
      results.push(result);
      console.log(`\n### ${s.title}\n\n${markdownTable(result)}\n`);
    }
    if (flag("write") !== undefined) write(results);
  }
} finally {
  for (const c of contenders) await c.close();
  server.stop();
}

function write(results: ScenarioResult[]): void {
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const label = flag("label");
  const date = new Date().toISOString().slice(0, 10) + (label ? `-${label}` : "");
  const sections = results.map((r) => {
    const svg = `${date}-${r.id}.svg`;
    writeFileSync(dir + svg, svgChart(r));
    return `## ${r.title}\n\n![${r.id}](./${svg})\n\n${markdownTable(r)}\n`;
  });
  const best = (r: ScenarioResult) =>
    Math.round(median(r.contenders.find((c) => c.name === "reqivo")?.rates ?? [0]));
  const text = [
    `# Client benchmark, ${date}`,
    "",
    `Command: \`npx pnpm bench client --write${label ? ` --label=${label}` : ""}\` (${ROUNDS} rounds of ${DURATION} ms after a warm-up round).`,
    `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, load average at start ${LOAD_AT_START} and at end ${loadavg()[0]!.toFixed(1)}, loopback, node:http server in its own process.`,
    "Contenders are interleaved (order rotated each round); ratios are medians of per-round ratios.",
    "The machine is shared: compare ratios within this file, not absolute numbers across runs.",
    "CPU µs/req: user+system CPU time of the client process per request (the server runs elsewhere); less sensitive to other load than req/s.",
    "Node fetch uses its default global dispatcher (no connection cap); every other contender is capped at 50 connections.",
    "",
    ...sections,
    `Reqivo medians (req/s): ${results.map((r) => `${r.id} ${best(r)}`).join(", ")}.`,
    "",
  ].join("\n");
  writeFileSync(`${dir}${date}.md`, text);
  console.log(`wrote ${dir}${date}.md and ${results.length} SVG charts`);
}

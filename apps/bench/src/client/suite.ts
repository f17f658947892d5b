// Shared plumbing of the client*.bench.ts files: command-line flags, a
// loopback server in a child process, interleaved rounds, and, with --write,
// the results of one run: sections appended to results/<date>[-label].md,
// one SVG chart per scenario, and the README's headline rows in
// results/<date>[-label].json (see src/readme.ts).
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { type Chart, svgBarChart } from "./chart.ts";
import type { MultiRunResult } from "./multi-run.ts";
import { nativeTool } from "./native.ts";

export { fmt, fmtRatio, median, quartiles, ratio, roundRatios, spread } from "./stats.ts";

export function flag(name: string): string | undefined {
  const prefix = `--${name}`;
  for (const arg of process.argv.slice(2)) {
    if (arg === prefix) return "";
    if (arg.startsWith(`${prefix}=`)) return arg.slice(prefix.length + 1);
  }
  return undefined;
}

export function numberFlag(name: string, fallback: number, min: number, max: number): number {
  const given = flag(name);
  // A bare `--name` means the default: Number("") is 0, which the clamp made
  // `min` (bare `--instructions` counted phases of 10 requests, not 2,000).
  const value = given === undefined || given === "" ? fallback : Number(given);
  return Math.max(min, Math.min(max, Number.isFinite(value) ? value : fallback));
}

export interface ChildServer {
  port: number;
  /** Further lines the server printed after the port (e.g. a second port). */
  extra: string[];
  stop(): void;
}

/**
 * Starts `file` (next to this one) with tsx's loader in its own Node process,
 * with `args`; it prints its port(s).
 */
export function startServer(file: string, lines = 1, args: string[] = []): Promise<ChildServer> {
  const path = fileURLToPath(new URL(`./${file}`, import.meta.url));
  return startProcessServer(
    file,
    process.execPath,
    [...process.execArgv.filter((a) => !a.startsWith("--cpu-prof")), path, ...args],
    lines,
  );
}

/** Starts `command args`, which prints its port(s) on stdout and stops when its stdin ends. */
async function startProcessServer(
  label: string,
  command: string,
  args: string[],
  lines: number,
): Promise<ChildServer> {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  const got = await new Promise<string[]>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 30 s`)), 30_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${label} exited with ${code}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const all = text.split("\n").filter((l) => l.trim() !== "");
      if (all.length >= lines && text.endsWith("\n")) {
        clearTimeout(timer);
        resolve(all);
      }
    });
  });
  return { port: Number(got[0]), extra: got.slice(1), stop: () => child.kill() };
}

/** Which canned-response server the keep-alive benches use (their `--server=native|node`). */
export type CannedServerKind = "native" | "node";

export interface CannedServer extends ChildServer {
  kind: CannedServerKind;
  /** For the results: the native server, or the Node one and its process count. */
  description: string;
}

/**
 * The `--server` choice of client.bench.ts and client-runtimes.bench.ts:
 * "native" (the default) unless `--server=node`, or no C compiler is found:
 * then it says so in one line and the Node server stands in. `requested`
 * replaces the flag (client-runtimes.bench.ts, whose --server also takes `http`).
 */
export function cannedServerKind(requested = flag("server")): CannedServerKind {
  if (requested !== undefined && requested !== "native" && requested !== "node")
    throw new Error(`--server=${requested}: native or node`);
  if (requested === "node") return "node";
  if (nativeTool("canned-server") === null) {
    console.log("no C compiler found (cc, gcc, clang): the Node canned server, not the native one");
    return "node";
  }
  return "native";
}

/**
 * The canned-response server of the keep-alive benches: native/canned-server.c
 * on one epoll thread, or canned-server.ts as `processes` node:cluster workers
 * sharing one port (`--server-processes=N`, Node server only). Both answer the
 * same bytes (scripts/check-native-server.mjs checks it).
 */
export async function startCannedServer(
  processes: number,
  kind: CannedServerKind,
): Promise<CannedServer> {
  if (kind === "native") {
    const binary = nativeTool("canned-server");
    if (binary === null) throw new Error("native canned server: no C compiler");
    const server = await startProcessServer("native canned server", binary, [], 1);
    return { ...server, kind, description: cannedServerDescription(kind, processes) };
  }
  const server = await startServer("canned-server.ts", 1, [String(processes)]);
  return { ...server, kind, description: cannedServerDescription(kind, processes) };
}

/** How the results name the server: "native canned server (…)" or "Node canned server (N processes)". */
export function cannedServerDescription(kind: CannedServerKind, processes: number): string {
  return kind === "native"
    ? "native canned server (C, one epoll thread)"
    : `Node canned server (${processes} process${processes === 1 ? "" : "es"})`;
}

/** The path of a tool installed in the repository's node_modules/.bin (deno, bun). */
export function bin(name: string): string {
  return fileURLToPath(new URL(`../../../../node_modules/.bin/${name}`, import.meta.url));
}

/**
 * Runs a benchmark child to its end and resolves with what it printed on
 * stdout (stderr passes through); rejects when it exits non-zero. Killed
 * after `timeoutMs`, so a stuck child cannot hang the suite.
 */
export function runForOutput(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}`));
    });
  });
}

/** `deno 2.9.6` / `1.4.5`: the first line of `<runtime> --version`, without the build details. */
export function runtimeVersion(runtime: "deno" | "bun"): string {
  return execFileSync(bin(runtime), ["--version"])
    .toString()
    .split("\n")[0]!
    .trim()
    .split(" (")[0]!;
}

/** Each round runs every contender once, the order rotated by one per round. */
export function rotated<T>(items: readonly T[], round: number): T[] {
  const n = items.length;
  const offset = ((round % n) + n) % n;
  return [...items.slice(offset), ...items.slice(0, offset)];
}

export const LOAD_AT_START = loadavg()[0]!.toFixed(1);

export function machineLine(extra: string): string {
  return (
    `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ` +
    `load average at start ${LOAD_AT_START} and at end ${loadavg()[0]!.toFixed(1)}, loopback; ${extra}`
  );
}

/** results/ next to src/. */
export const RESULTS_DIR = fileURLToPath(new URL("../../results/", import.meta.url));

/**
 * The base name of this run's results files: `<date>[-label]`. run-all.mjs
 * passes `--date` to every benchmark of one run, so a run that crosses
 * midnight (UTC) still writes one file.
 */
export function resultsName(): string {
  const date = flag("date") || new Date().toISOString().slice(0, 10);
  const label = flag("label");
  return date + (label ? `-${label}` : "");
}

/**
 * With `--write`, appends `markdown` to results/<date>[-label].md (the file
 * client.bench.ts writes first in a `npx pnpm bench client --write` run), or
 * starts that file when it does not exist yet.
 */
export function writeSection(markdown: string): void {
  if (flag("write") === undefined) return;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const name = resultsName();
  const file = `${RESULTS_DIR}${name}.md`;
  if (existsSync(file)) appendFileSync(file, `\n${markdown}\n`);
  else writeFileSync(file, `# Client benchmark, ${name}\n\n${markdown}\n`);
  console.log(`appended to ${file}`);
}

/**
 * With `--write`, writes `chart` to results/<date>[-label]-<id>.svg and
 * returns the Markdown that shows it (with a blank line after); without
 * `--write`, returns "".
 */
export function writeChart(id: string, chart: Chart): string {
  if (flag("write") === undefined) return "";
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${resultsName()}-${id}.svg`;
  writeFileSync(RESULTS_DIR + file, svgBarChart(chart));
  return `![${id}](./${file})\n\n`;
}

/** One row of the README's results table (src/readme.ts builds it from these). */
export interface Headline {
  /** Stable key: a rerun of one section replaces its rows. */
  id: string;
  /** Position in the README table. */
  order: number;
  scenario: string;
  /** Reqivo's figure, formatted ("12,345 req/s"). */
  reqivo: string;
  /** The comparisons, formatted ("1.12× undici `request`, 5.0× Node `fetch`"). */
  ratios: string;
  /** The target and whether it held in this run, or "–". */
  target: string;
  /** Bars for the README chart: per-round ratios of Reqivo over a reference contender. */
  charts?: { label: string; values: number[]; target?: number }[];
}

/** What results/<date>[-label].json holds: the README rows and facts about the run. */
export interface RunSummary {
  headlines: Headline[];
  /** Runtime versions seen (node, deno, bun) and the machine's CPU count (cpus). */
  versions: Record<string, string>;
  /** Load averages (1 min) at the start and end of each section. */
  loads: number[];
  /** Measured rounds per section (the sections' --rounds). */
  rounds: number[];
  /** client.bench.ts's keep-alive figures across its --runs (the README table). */
  keepAlive?: MultiRunResult;
}

/**
 * With `--write`, records headline rows in results/<date>[-label].json (rows
 * with the same id are replaced; `fresh` starts the file over), with this
 * process's Node version and load averages, for src/readme.ts.
 */
export function recordHeadlines(
  rows: readonly Headline[],
  extra: {
    fresh?: boolean;
    versions?: Record<string, string>;
    rounds?: number;
    keepAlive?: MultiRunResult;
  } = {},
): void {
  if (flag("write") === undefined) return;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${resultsName()}.json`;
  const summary: RunSummary =
    !extra.fresh && existsSync(file)
      ? (JSON.parse(readFileSync(file, "utf8")) as RunSummary)
      : { headlines: [], versions: {}, loads: [], rounds: [] };
  const ids = new Set(rows.map((r) => r.id));
  summary.headlines = [...summary.headlines.filter((r) => !ids.has(r.id)), ...rows].sort(
    (a, b) => a.order - b.order,
  );
  Object.assign(
    summary.versions,
    { node: process.version, cpus: String(cpus().length) },
    extra.versions,
  );
  summary.loads.push(Number(LOAD_AT_START), Number(loadavg()[0]!.toFixed(1)));
  if (extra.rounds !== undefined) summary.rounds.push(extra.rounds);
  if (extra.keepAlive !== undefined) summary.keepAlive = extra.keepAlive;
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
}

/** "holds" / "not held" for a target check. */
export function verdict(held: boolean): string {
  return held ? "holds" : "not held";
}

export function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

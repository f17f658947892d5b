// Shared plumbing of the client-*.bench.ts files: command-line flags, a
// loopback server in a child process, interleaved rounds, and appending a
// section to the results file that client.bench.ts wrote in the same run.
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

export function flag(name: string): string | undefined {
  const prefix = `--${name}`;
  for (const arg of process.argv.slice(2)) {
    if (arg === prefix) return "";
    if (arg.startsWith(`${prefix}=`)) return arg.slice(prefix.length + 1);
  }
  return undefined;
}

export function numberFlag(name: string, fallback: number, min: number, max: number): number {
  const value = Number(flag(name) ?? fallback);
  return Math.max(min, Math.min(max, Number.isFinite(value) ? value : fallback));
}

export interface ChildServer {
  port: number;
  /** Further lines the server printed after the port (e.g. a second port). */
  extra: string[];
  stop(): void;
}

/** Starts `file` (next to this one) with tsx's loader in its own Node process; it prints its port(s). */
export async function startServer(file: string, lines = 1): Promise<ChildServer> {
  const path = fileURLToPath(new URL(`./${file}`, import.meta.url));
  const child = spawn(
    process.execPath,
    [...process.execArgv.filter((a) => !a.startsWith("--cpu-prof")), path],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const got = await new Promise<string[]>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`${file} did not start in 30 s`)), 30_000);
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${file} exited with ${code}`)));
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

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median of per-round ratios a[i] / b[i] (rounds ran back to back, so drift cancels). */
export function ratio(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(a[i]! / b[i]!);
  return median(out);
}

export function fmt(value: number, digits = 0): string {
  if (Number.isNaN(value)) return "–";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function fmtRatio(value: number): string {
  return Number.isNaN(value) ? "–" : `${value.toFixed(2)}×`;
}

export function spread(values: readonly number[]): string {
  const m = median(values);
  if (values.length === 0 || m === 0) return "–";
  return `±${(((Math.max(...values) - Math.min(...values)) / 2 / m) * 100).toFixed(1)}%`;
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

/**
 * With `--write`, appends `markdown` to results/<date>[-label].md (the file
 * client.bench.ts writes first in a `npx pnpm bench client --write` run), or
 * starts that file when it does not exist yet.
 */
export function writeSection(markdown: string): void {
  if (flag("write") === undefined) return;
  const dir = fileURLToPath(new URL("../../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const label = flag("label");
  const date = new Date().toISOString().slice(0, 10) + (label ? `-${label}` : "");
  const file = `${dir}${date}.md`;
  if (existsSync(file)) appendFileSync(file, `\n${markdown}\n`);
  else writeFileSync(file, `# Client benchmark, ${date}\n\n${markdown}\n`);
  console.log(`appended to ${file}`);
}

export function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

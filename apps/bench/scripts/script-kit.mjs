// What the scripts that run client.bench.ts contenders outside the bench share:
// their flags, and bundling a TypeScript child to plain JavaScript with the
// esbuild that tsx brings (so no loader thread runs in the measured process).
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** A path relative to this folder (scripts/). */
export const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The value of `--name=value` ("" for a bare `--name`, undefined when absent). */
export function flag(name) {
  for (const arg of process.argv.slice(2)) {
    if (arg === `--${name}`) return "";
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/**
 * The whole number given as `--name=N`, clamped to `min`–`max`; `fallback`
 * when the flag is absent or not a number.
 */
export function numberFlag(name, fallback, min = 1, max = Number.MAX_SAFE_INTEGER) {
  const given = flag(name);
  // A bare `--name` means the default (Number("") would be 0), as in src/client/suite.ts.
  const value = given === undefined || given === "" ? fallback : Number(given);
  return Math.max(min, Math.min(max, Number.isFinite(value) ? Math.floor(value) : fallback));
}

/** Where the scripts keep their bundles and traces (under node_modules, made on first use). */
export const cacheDir = here("../node_modules/.cache/reqivo-bench/");

/** The tsx loader's path (for `--import` in children that run TypeScript). */
export const tsxLoader = createRequire(import.meta.url).resolve("tsx");

/**
 * Bundles `src/client/<name>.ts`: our TypeScript in, packages (Reqivo's dist,
 * undici, …) left as imports. The bundle lives under node_modules so those
 * imports resolve as from src/, one per run of the calling script (two runs at
 * once cannot swap each other's). Resolves with its path; delete it when done.
 * With `inline`, Reqivo's built packages are bundled in too (a snapshot of
 * the current build, run from anywhere); `outfile` names the bundle.
 */
export async function bundleChild(name, { inline = false, outfile = undefined } = {}) {
  const esbuild = createRequire(tsxLoader)("esbuild");
  mkdirSync(cacheDir, { recursive: true });
  const bundle = outfile ?? `${cacheDir}${name}-${process.pid}.mjs`;
  await esbuild.build({
    entryPoints: [here(`../src/client/${name}.ts`)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // inline: Reqivo's built packages go into the bundle (a snapshot of this build).
    ...(inline ? { external: ["ws", "undici"] } : { packages: "external" }),
    outfile: bundle,
    logLevel: "error",
  });
  return bundle;
}

/** Runs `command args`, resolves with [exit code, stdout, stderr]. */
export function run(command, args, stdin = "ignore") {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [stdin, "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.stderr.on("data", (c) => {
      err += c;
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve([code, out, err]));
  });
}

/** V8 flags that fix the young generation at `mib` MiB per semi-space (none for 0: V8's own sizing). */
export const semiSpaceFlags = (mib) =>
  mib === 0 ? [] : [`--min-semi-space-size=${mib}`, `--max-semi-space-size=${mib}`];

/**
 * Runs this Node with `nodeArgs` under callgrind, one dump file per mark: a
 * mark (os.getPriority()) writes the counts so far to `<dumps>.<n>` and starts
 * from zero. Node runs --single-threaded (compiler and GC work counted where
 * it happens), plus `extraFlags` and COUNT_NODE_FLAGS from the environment.
 * Resolves with [exit code, stdout, stderr].
 */
export function callgrindNode(dumps, extraFlags, nodeArgs) {
  mkdirSync(dirname(dumps), { recursive: true }); // a fresh checkout has no cache dir yet
  return run("valgrind", [
    "--tool=callgrind",
    "--dump-before=uv_os_getpriority",
    `--callgrind-out-file=${dumps}`,
    process.execPath,
    "--single-threaded",
    ...extraFlags,
    ...(process.env.COUNT_NODE_FLAGS ?? "").split(" ").filter(Boolean),
    ...nodeArgs,
  ]);
}

/** The instructions callgrind counted in dump `<dumps>.<n>`. */
export function dumpInstructions(dumps, n) {
  const text = readFileSync(`${dumps}.${n}`, "utf8");
  const match = /^summary:\s+(\d+)/m.exec(text) ?? /^totals:\s+(\d+)/m.exec(text);
  if (match === null) throw new Error(`no instruction count in ${dumps}.${n}`);
  return Number(match[1]);
}

/** Deletes `dumps` and its numbered dumps up to `last`. */
export function removeDumps(dumps, last) {
  for (let i = 0; i <= last; i++) rmSync(i === 0 ? dumps : `${dumps}.${i}`, { force: true });
}

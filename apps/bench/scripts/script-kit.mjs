// What the scripts that run client.bench.ts contenders outside the bench share:
// their flags, and bundling a TypeScript child to plain JavaScript with the
// esbuild that tsx brings (so no loader thread runs in the measured process).
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
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

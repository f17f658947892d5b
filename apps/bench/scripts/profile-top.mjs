#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per
// function and per file, top entries first.
//   node scripts/profile-top.mjs CPU.….cpuprofile [top=30] [filter]
// A function in a bundled packages/*/dist/*.js gets the source file it came
// from (esbuild's `// src/…` comment above it) after its dist line, so
// `… protocol/dist/index.js:4226 (src/http2/hpack/encoder.ts)`. With a
// filter (a substring, e.g. `http2/`), a last table lists only the functions
// whose label contains it, by self time.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [file, topArg, filter] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: profile-top.mjs <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

/** Per bundled dist file: the lines of esbuild's `// src/…` markers, in order. */
const markers = new Map();
function sourceOf(url, line) {
  if (!/\/packages\/[^/]+\/dist\/[^/]+\.js$/.test(url)) return "";
  let found = markers.get(url);
  if (found === undefined) {
    found = [];
    try {
      const text = readFileSync(url.startsWith("file:") ? fileURLToPath(url) : url, "utf8");
      text.split("\n").forEach((l, i) => {
        const m = /^\/\/ (src\/\S+)$/.exec(l);
        if (m !== null) found.push([i + 1, m[1]]);
      });
    } catch {}
    markers.set(url, found);
  }
  let source = "";
  for (const [at, path] of found) {
    if (at > line) break;
    source = path;
  }
  return source === "" ? "" : ` (${source})`;
}
const selfTicks = new Map();
for (const id of profile.samples) selfTicks.set(id, (selfTicks.get(id) ?? 0) + 1);
const total = profile.samples.length;
const fnSelf = new Map();
const fileSelf = new Map();
for (const [id, ticks] of selfTicks) {
  const { callFrame } = byId.get(id);
  const url = callFrame.url
    .replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, "")
    .replace(/^file:\/\/.*\/packages\//, "");
  const fn = `${callFrame.functionName || "(anonymous)"} ${url}:${callFrame.lineNumber + 1}${sourceOf(
    callFrame.url,
    callFrame.lineNumber + 1,
  )}`;
  fnSelf.set(fn, (fnSelf.get(fn) ?? 0) + ticks);
  const key = url === "" ? callFrame.functionName : url;
  fileSelf.set(key, (fileSelf.get(key) ?? 0) + ticks);
}
// Inclusive time: each sample counts once for every distinct function on its stack.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = (n) => {
  const url = n.callFrame.url
    .replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, "")
    .replace(/^file:\/\/.*\/packages\//, "");
  return `${n.callFrame.functionName || "(anonymous)"} ${url}:${n.callFrame.lineNumber + 1}${sourceOf(
    n.callFrame.url,
    n.callFrame.lineNumber + 1,
  )}`;
};
const inclusive = new Map();
for (const [id, ticks] of selfTicks) {
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) seen.add(label(byId.get(at)));
  for (const fn of seen) inclusive.set(fn, (inclusive.get(fn) ?? 0) + ticks);
}
const pct = (t) => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`${total} samples`);
console.log("\nself time by function:");
for (const [fn, t] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(t)}  ${fn}`);
console.log("\ninclusive time by function:");
for (const [fn, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(t)}  ${fn}`);
console.log("\nself time by file:");
for (const [f, t] of [...fileSelf].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log(`${pct(t)}  ${f}`);
if (filter !== undefined) {
  const busy = total - (fnSelf.get("(idle) :0") ?? 0);
  console.log(
    `\nself time of functions matching "${filter}" (% of all samples / of non-idle ones):`,
  );
  for (const [fn, t] of [...fnSelf]
    .filter(([fn]) => fn.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`${pct(t)} ${((t / busy) * 100).toFixed(1).padStart(5)}%  ${fn}`);
}

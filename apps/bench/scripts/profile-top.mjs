#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per
// function and per file, top entries first.
//   node scripts/profile-top.mjs CPU.….cpuprofile [top=30]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: profile-top.mjs <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
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
  const fn = `${callFrame.functionName || "(anonymous)"} ${url}:${callFrame.lineNumber + 1}`;
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
  return `${n.callFrame.functionName || "(anonymous)"} ${url}:${n.callFrame.lineNumber + 1}`;
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

#!/usr/bin/env node
// Names JavaScriptCore's JIT frames in a `perf record -g` profile of Bun from
// the jitdump JSC writes (`perf inject --jit` skips it: JSC names the file
// jit-<tid>-<pid>.dump, perf wants jit-<pid>.dump), and prints, for the main
// thread, the samples by kind and by nearest JavaScript function (a
// function's share counts the native work it called: allocation slow paths,
// host functions, string copies).
//   cd /tmp/jd && BUN_JSC_useJITDump=1 BUN_JSC_jitDumpDirectory=/tmp/jd \
//     perf record -k 1 -F 4000 -g -o /tmp/x.data -- bun src/client/runtime-child.ts <port> reqivo --profile=5000
//   node scripts/perf-jitdump.mjs /tmp/x.data /tmp/jd/jit-*.dump [--from=1.5] [--top=30]
// --from: seconds after the first sample to start at (skips start-up and the warm-up).
// results/2026-12-07-bun-main-thread.md used it (and named native entry
// points by profiling one-line scripts that do one thing in a loop).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const option = (name, fallback) =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const [data, dump] = args.filter((a) => !a.startsWith("--"));
if (data === undefined || dump === undefined) {
  console.error("usage: perf-jitdump.mjs <perf.data> <jit-….dump> [--from=s] [--top=n]");
  process.exit(2);
}
const from = option("from", 1.5);
const top = option("top", 30);

/** JIT_CODE_LOAD records: [load time ns, start, end, name], grouped by 4 KiB page. */
function loadJitdump(path) {
  const bytes = readFileSync(path);
  const byPage = new Map();
  let at = bytes.readUInt32LE(8); // header size
  while (at + 16 <= bytes.length) {
    const id = bytes.readUInt32LE(at);
    const size = bytes.readUInt32LE(at + 4);
    if (size === 0) break;
    if (id === 0) {
      const time = bytes.readBigUInt64LE(at + 8);
      const start = bytes.readBigUInt64LE(at + 32);
      const length = bytes.readBigUInt64LE(at + 40);
      const nameEnd = bytes.indexOf(0, at + 56);
      const load = [time, start, start + length, bytes.toString("utf8", at + 56, nameEnd)];
      for (let page = start >> 12n; page <= (start + length - 1n) >> 12n; page++) {
        const list = byPage.get(page) ?? [];
        list.push(load);
        byPage.set(page, list);
      }
    }
    at += size;
  }
  return (address, time) => {
    let best;
    for (const load of byPage.get(address >> 12n) ?? []) {
      if (
        load[1] <= address &&
        address < load[2] &&
        load[0] <= time &&
        (!best || load[0] > best[0])
      )
        best = load;
    }
    return best?.[3];
  };
}

const resolve = loadJitdump(dump);
const script = execFileSync("perf", ["script", "-i", data, "-F", "pid,tid,time,ip,sym,dso"], {
  maxBuffer: 1 << 30,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "ignore"],
});
const samples = [];
let current;
let first;
for (const line of script.split("\n")) {
  const head = /^\s*(\d+)\/(\d+)\s+([\d.]+):/.exec(line);
  if (head !== null) {
    const time = Number(head[3]);
    first ??= time;
    current = head[1] === head[2] && time - first >= from ? { time, frames: [] } : undefined;
    if (current !== undefined) samples.push(current);
    continue;
  }
  const frame = /^\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)$/.exec(line);
  if (frame === null || current === undefined) continue;
  let [, address, symbol, dso] = frame;
  if (dso === "[unknown]" || dso.endsWith(".map")) {
    const name = resolve(BigInt(`0x${address}`), BigInt(Math.round(current.time * 1e9)));
    if (name !== undefined) [symbol, dso] = [name, "JIT"];
  }
  current.frames.push({ symbol: symbol.replace(/\+0x[0-9a-f]+$/, ""), dso: dso.split("/").pop() });
}

const isFunction = (symbol) => /^JSC-(FTL|DFG|Baseline|LLInt): /.test(symbol);
const functionName = (symbol) =>
  symbol.replace(/^JSC-[A-Za-z]+: /, "").replace(/#[A-Za-z0-9]{6}$/, "") || "(anonymous)";
const kinds = new Map();
const nearest = new Map();
const add = (map, key, native) => {
  const entry = map.get(key) ?? { all: 0, native: 0 };
  entry.all++;
  if (native) entry.native++;
  map.set(key, entry);
};
for (const { frames } of samples) {
  if (frames.length === 0) continue;
  const leaf = frames[0];
  const underJs = frames.some((f) => f.dso === "JIT");
  add(kinds, leaf.dso === "JIT" ? "JIT code" : `${leaf.dso} (${underJs ? "under JS" : "no JS"})`);
  const fn = frames.find((f) => f.dso === "JIT" && isFunction(f.symbol));
  if (fn !== undefined)
    add(nearest, functionName(fn.symbol), leaf.dso !== "JIT" || !isFunction(leaf.symbol));
}
const share = (n) => `${((100 * n) / samples.length).toFixed(2).padStart(6)} %`;
console.log(`${samples.length} main-thread samples from ${from} s`);
console.log("\nby kind (leaf)");
for (const [kind, { all }] of [...kinds].sort((a, b) => b[1].all - a[1].all))
  console.log(`${share(all)}  ${kind}`);
console.log("\nby nearest JavaScript function: all / of which native or thunks");
for (const [name, { all, native }] of [...nearest]
  .sort((a, b) => b[1].all - a[1].all)
  .slice(0, top))
  console.log(`${share(all)} ${share(native)}  ${name}`);

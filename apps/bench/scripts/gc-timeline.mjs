#!/usr/bin/env node
// Lines up a streamed download's memory with the collections that freed it:
// reads the output of one 1 GiB child run with V8's --trace-gc and
// REQIVO_STREAM_TIMELINE=1 (src/client/stream-child.ts; both streams in one
// file) and prints one line per sample or collection, in time order, from the
// start of the measured download:
//   REQIVO_STREAM_TIMELINE=1 deno run -A --no-check --v8-flags=--expose-gc,--trace-gc \
//     src/client/stream-child.ts "reqivo (deno transport)" http://127.0.0.1:PORT/stream/1073741824 1073741824 \
//     > run.txt 2>&1
//   node scripts/gc-timeline.mjs run.txt
// The two clocks start at different moments (V8's at the isolate's creation,
// the samples' at performance.now()'s origin: 0.6 s apart on a loaded
// machine), so the samples are shifted to put the start of the download at
// the child's last gc() before it (the last collection traced as "testing").
// Used in results/2026-12-07-deno-rss.md.
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (file === undefined) {
  console.error(
    "usage: node scripts/gc-timeline.mjs <child output with --trace-gc and the timeline>",
  );
  process.exit(2);
}
/** [ms, text] per collection, and per memory sample (in the samples' clock). */
const collections = [];
const samples = [];
let start = 0;
for (const line of readFileSync(file, "utf8").split("\n")) {
  // "[pid:isolate]   123 ms: Scavenge 11.5 (16.6) -> 8.2 (16.6) MB, … (average mu = …) allocation failure;"
  const gc =
    /\s(\d+) ms: ([A-Za-z -]+?) ([\d.]+) \(([\d.]+)\) -> ([\d.]+) .*?mu = [\d.]+\) (.*)$/.exec(
      line,
    );
  if (gc !== null) {
    const [, ms, kind, before, total, after, reason] = gc;
    collections.push([
      Number(ms),
      `GC ${kind} heap ${before} -> ${after} MB (of ${total}): ${reason.trim()}`,
    ]);
    continue;
  }
  const sample = /^T (\d+) (.*)$/.exec(line);
  if (sample !== null) samples.push([Number(sample[1]), sample[2]]);
  const begin = /START (\d+)/.exec(line);
  if (begin !== null) start = Number(begin[1]);
}
const forced = collections.filter(([, text]) => text.includes("testing"));
const startInV8 = forced.length === 0 ? start : forced[forced.length - 1][0];
const events = [
  ...collections,
  ...samples.map(([ms, text]) => [ms - start + startInV8, text]),
].sort((a, b) => a[0] - b[0]);
// Times from the start of the measured download.
for (const [ms, text] of events) if (ms >= startInV8) console.log(`${ms - startInV8} ${text}`);

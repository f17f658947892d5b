#!/usr/bin/env node
// Per-message counts of the WebSocket echo (client-websocket.bench.ts) for
// Reqivo and the `ws` client, figures that other load on the machine barely
// moves (wall and CPU time move by 10-30%):
//   node scripts/ws-per-message.mjs [--size=16] [--messages=2000] [--phases=3] [--warm-up=3000]
//     (COUNT_NODE_FLAGS="--a-v8-flag …" adds flags to the Node under callgrind)
//     [--only=reqivo,ws,floor] [--semi-space-mib=N] [--tool=counts,strace,callgrind,heap,cpu-prof]
// callgrind: user-space instructions per message (median of the phases), in
//   the style of instructions-contenders.mjs (Node --single-threaded; marks
//   split the dumps, so start-up and warm-up are not counted).
// strace: syscalls per message by name, between the first and last mark.
// counts: promises created and heap bytes allocated per message (young
//   generation fixed at 64 MiB so that no scavenge falls inside a phase).
// heap: the allocation sites of one phase (sampled), bytes per message.
// cpu-prof: a V8 CPU profile of the whole child run, for profile-top.mjs.
// The ws echo server (src/client/ws-server.ts) runs in its own process at full speed.
// To compare two builds, snapshot each (--snapshot, below) and count them
// with --bundles in one run: the same build counted against servers in
// different conditions moved by up to 1,600 instructions per message,
// side by side by ±10 (results/2026-12-07-ws-small.md).
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import {
  bundleChild,
  cacheDir,
  callgrindNode,
  dumpInstructions,
  flag,
  here,
  numberFlag,
  removeDumps,
  run,
  semiSpaceFlags,
  tsxLoader,
} from "./script-kit.mjs";

const size = numberFlag("size", 16);
const messages = numberFlag("messages", 2000);
const phases = numberFlag("phases", 3);
const warmUp = numberFlag("warm-up", 3000);
const only = (flag("only") || "reqivo,ws").split(",");
const tools = (flag("tool") || "counts,strace,callgrind").split(",");
// --semi-space-mib=N fixes V8's young generation for callgrind (N MiB per
// semi-space), so that how often it collects depends on the bytes allocated
// alone and not on V8's resizing, which moved the figure by ±400 from run to run.
const semiSpace = numberFlag("semi-space-mib", 0, 0, 1024);
const heapFlags = semiSpaceFlags(semiSpace);

const server = spawn(
  process.execPath,
  ["--import", pathToFileURL(tsxLoader).href, here("../src/client/ws-server.ts")],
  { stdio: ["pipe", "pipe", "inherit"] },
);
const port = await new Promise((resolve, reject) => {
  server.once("exit", (code) => reject(new Error(`ws server exited with ${code}`)));
  server.stdout.once("data", (c) => resolve(Number(String(c).trim())));
});
// --snapshot=FILE writes the child with the built @reqivo packages inlined
// (a snapshot of this build) and exits; --bundles=A,B,… counts those
// snapshots' instructions side by side against one server (callgrind,
// reqivo), so that two builds are compared in the same conditions.
if (flag("snapshot")) {
  await bundleChild("ws-count-child", { inline: true, outfile: flag("snapshot") });
  server.stdin.end();
  process.exit(0);
}
const snapshots = flag("bundles") ? flag("bundles").split(",") : undefined;
const bundle = await bundleChild("ws-count-child");
const childArgs = (name, file = bundle) => [
  file,
  String(port),
  name,
  String(size),
  String(warmUp),
  String(messages),
  String(phases),
];

/** Instructions per message of `name` run from `file` under callgrind, as a line of text. */
async function callgrind(name, file, tag = 0) {
  const dumps = `${cacheDir}callgrind-ws-${process.pid}-${name}-${tag}`;
  const [code, , err] = await callgrindNode(dumps, heapFlags, childArgs(name, file));
  try {
    if (code !== 0) throw new Error(`${name}: valgrind exited ${code}\n${err.slice(-2000)}`);
    const perPhase = Array.from({ length: phases }, (_, p) => {
      return dumpInstructions(dumps, p + 2) / messages;
    });
    return `${fmt(median(perPhase))} instructions/message (median of ${phases} × ${messages} after ${warmUp} warm-up; phases: ${perPhase.map(fmt).join(", ")})`;
  } finally {
    removeDumps(dumps, phases + 2);
  }
}
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString("en-US");

try {
  for (const name of snapshots === undefined ? only : []) {
    if (tools.includes("counts")) {
      const [code, out, err] = await run(process.execPath, [
        "--min-semi-space-size=64",
        "--max-semi-space-size=64",
        ...childArgs(name),
        "counts",
      ]);
      if (code !== 0) throw new Error(`${name}: counts child exited ${code}\n${err}`);
      process.stdout.write(out);
    }
    if (tools.includes("heap")) {
      const [code, out, err] = await run(process.execPath, [...childArgs(name), "heap"]);
      if (code !== 0) throw new Error(`${name}: heap child exited ${code}\n${err}`);
      process.stdout.write(out);
    }
    if (tools.includes("cpu-prof")) {
      // The whole run is profiled (warm-up included); the profile stays for profile-top.mjs.
      const dir = `${cacheDir}ws-cpu-prof-${process.pid}`;
      const [code, , err] = await run(process.execPath, [
        "--cpu-prof",
        `--cpu-prof-dir=${dir}`,
        ...childArgs(name),
      ]);
      if (code !== 0) throw new Error(`${name}: cpu-prof child exited ${code}\n${err}`);
      console.log(`${name} ${size} B: CPU profile in ${dir} (node scripts/profile-top.mjs <file>)`);
    }
    if (tools.includes("strace")) {
      const trace = `${cacheDir}strace-${process.pid}-${name}`;
      const [code, , err] = await run("strace", [
        "-f",
        "-qq",
        "-o",
        trace,
        process.execPath,
        ...childArgs(name),
      ]);
      if (code !== 0) throw new Error(`${name}: strace exited ${code}\n${err.slice(-2000)}`);
      const lines = readFileSync(trace, "utf8").split("\n");
      rmSync(trace, { force: true });
      const marks = lines.flatMap((l, i) => (/\bgetpriority\(/.test(l) ? [i] : []));
      const counts = new Map();
      for (const line of lines.slice(marks[0] + 1, marks[marks.length - 1])) {
        const call = /^\d+\s+(?:<\.\.\. )?(\w+)/.exec(line)?.[1];
        if (call === undefined || line.includes("resumed>")) continue;
        counts.set(call, (counts.get(call) ?? 0) + 1);
      }
      const total = phases * messages;
      const calls = [...counts].sort((a, b) => b[1] - a[1]).filter(([c]) => c !== "getpriority");
      const sum = calls.reduce((s, [, n]) => s + n, 0);
      console.log(
        `${name} ${size} B: ${(sum / total).toFixed(2)} syscalls/message (${calls
          .map(([c, n]) => `${c} ${(n / total).toFixed(2)}`)
          .join(", ")})`,
      );
    }
    if (tools.includes("callgrind") && snapshots === undefined) {
      console.log(`${name} ${size} B: ${await callgrind(name, bundle)}`);
    }
  }
  if (snapshots !== undefined) {
    // Each snapshot with each contender of --only (a `name@file` entry: that contender alone).
    const runs = snapshots.flatMap((entry) =>
      entry.includes("@") ? [entry.split("@")] : only.map((name) => [name, entry]),
    );
    const counts = await Promise.all(runs.map(([name, file], i) => callgrind(name, file, i)));
    for (const [i, [name, file]] of runs.entries())
      console.log(`${name} ${size} B, ${file}: ${counts[i]}`);
  }
} finally {
  server.stdin.end();
  rmSync(bundle, { force: true });
}

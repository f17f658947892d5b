#!/usr/bin/env node
// User-space instructions of @reqivo/protocol's WebSocket core alone, per
// 16 B binary message, no sockets: `send` (frame and mask one message) and
// `read` (receiveData of one 18-byte server frame and the nextEvent calls
// that deliver it). Counted by callgrind between marks, after a warm-up, so
// the figure moves by a few instructions from run to run at most.
//   node scripts/ws-frame-costs.mjs [--dist=A/index.js,B/index.js] [--ops=20000] [--size=16]
// --dist: builds of the protocol package to compare (copy a dist/ aside
// before changing the code); default the workspace's current build. Node runs
// with --predictable --random-seed=1 --hash-seed=1 (unless COUNT_NODE_FLAGS
// says otherwise): without them the same build moved by up to 300 from run to run.
// (Run as a child: ws-frame-costs.mjs --child <dist> <send|read> <ops> <size>.)
import { readFileSync, rmSync } from "node:fs";
import { getPriority } from "node:os";
import { pathToFileURL } from "node:url";
import { cacheDir, callgrindNode, flag, semiSpaceFlags } from "./script-kit.mjs";

if (process.argv[2] === "--child") {
  const [dist, which, opsText, sizeText] = process.argv.slice(3);
  const { WebSocketConnection } = await import(pathToFileURL(dist).href);
  const ops = Number(opsText);
  const size = Number(sizeText);
  const payload = new Uint8Array(size).fill(0x77);
  const ws = new WebSocketConnection({ role: "client" });
  const frame = Uint8Array.from([0x82, size, ...payload]);
  const message = { type: "binary", data: payload };
  let sink = 0;
  const phase = (count) => {
    if (which === "send") {
      for (let i = 0; i < count; i++) sink += ws.send(message).length;
      getPriority(); // mark
      return;
    }
    // Off-heap chunks, as the transports hand them, made once and cycled (the
    // core never writes into a chunk): nothing but the core's own garbage
    // lives across a scavenge in the measured phase.
    const backing = new Uint8Array(64 * frame.length);
    const chunks = [];
    for (let i = 0; i < 64; i++) {
      const chunk = new Uint8Array(backing.buffer, i * frame.length, frame.length);
      chunk.set(frame);
      chunks.push(chunk);
    }
    getPriority(); // mark
    for (let i = 0; i < count; i++) {
      ws.receiveData(chunks[i & 63]);
      sink += ws.nextEvent().data.length;
      ws.nextEvent(); // NEED_DATA
    }
    getPriority(); // mark
  };
  phase(50_000); // warm-up
  getPriority(); // mark
  phase(ops);
  if (sink === 0) throw new Error("nothing done");
  process.exit(0);
}

const ops = Number(flag("ops") ?? 20_000);
const size = Number(flag("size") ?? 16);
if (!(size > 0 && size < 126)) throw new Error("--size: 1 to 125 bytes");
const dists = (
  flag("dist") ?? new URL("../../../packages/protocol/dist/index.js", import.meta.url).pathname
).split(",");
const self = new URL(import.meta.url).pathname;
const PREDICTABLE =
  process.env.COUNT_NODE_FLAGS === undefined
    ? ["--predictable", "--random-seed=1", "--hash-seed=1", ...semiSpaceFlags(16)]
    : [];
// The measured dump: send marks warm-up end (1), an empty one (2), then the
// measured phase (3); read marks after its chunks (1), warm-up (2), an empty
// one (3), its chunks (4), then the measured phase (5).
const measured = { send: 3, read: 5 };
const jobs = dists.flatMap((dist) => ["send", "read"].map((which) => [dist, which]));
const lines = await Promise.all(
  jobs.map(async ([dist, which], i) => {
    const dumps = `${cacheDir}callgrind-ws-frame-${process.pid}-${i}`;
    const [code, , err] = await callgrindNode(dumps, PREDICTABLE, [
      self,
      "--child",
      dist,
      which,
      String(ops),
      String(size),
    ]);
    try {
      if (code !== 0) throw new Error(`${dist} ${which}: exited ${code}\n${err.slice(-2000)}`);
      const text = readFileSync(`${dumps}.${measured[which]}`, "utf8");
      const total = Number(/^summary:\s+(\d+)/m.exec(text)?.[1]);
      return `${which} ${size} B, ${dist}: ${Math.round(total / ops).toLocaleString("en-US")} instructions/message`;
    } finally {
      for (let d = 0; d <= 6; d++) rmSync(d === 0 ? dumps : `${dumps}.${d}`, { force: true });
    }
  }),
);
for (const line of lines) console.log(line);

#!/usr/bin/env node
// N request/response cycles of @reqivo/protocol's ClientConnection, no
// sockets, no TypeScript loader: the driver scripts/instructions.sh counts
// instructions of (Valgrind), so that nothing but the protocol's work differs
// between two runs.
//   node scripts/protocol-cycle.mjs <tiny-get|small-0> <cycles> [path/to/protocol/dist/index.js]
// tiny-get: the client's tiny GET (the head a Session sends, node:http's
// answer: src/client/tiny-get-wire.json, as in http-parse.bench.ts); small-0: one request field, a
// seven-field response with an empty body.
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [scenario, cyclesText, dist] = process.argv.slice(2);
const { ClientConnection, NEED_DATA } = await import(
  dist === undefined ? "@reqivo/protocol" : pathToFileURL(dist).href
);
const cycles = Number(cyclesText);
const END = { type: "end" };
const tiny = JSON.parse(
  readFileSync(new URL("../src/client/tiny-get-wire.json", import.meta.url), "utf8"),
);
const SCENARIOS = {
  "tiny-get": {
    request: { type: "request", method: tiny.method, target: tiny.target, headers: tiny.headers },
    response: tiny.response,
  },
  "small-0": {
    request: { type: "request", method: "GET", target: "/", headers: [["host", "bench.local"]] },
    response:
      "HTTP/1.1 200 OK\r\nDate: Sat, 21 Nov 2026 12:00:00 GMT\r\nServer: reqivo-bench/1.0\r\n" +
      "Content-Type: application/json; charset=utf-8\r\nCache-Control: no-cache, no-store\r\n" +
      "Connection: keep-alive\r\nX-Request-Id: 4f1c2b7a-9e0d-4c1b-8a8e-2f6d3c9b1a7e\r\n" +
      "Content-Length: 0\r\n\r\n",
  },
};
const chosen = SCENARIOS[scenario];
if (chosen === undefined || !(cycles > 0)) {
  console.error("usage: protocol-cycle.mjs <tiny-get|small-0> <cycles> [dist/index.js]");
  process.exit(2);
}
// 1000 back-to-back copies, fed as views (Buffers, as a Node socket gives them).
const one = Buffer.from(chosen.response, "latin1");
const batch = Buffer.alloc(one.length * 1000);
for (let i = 0; i < 1000; i++) one.copy(batch, i * one.length);
const views = Array.from({ length: 1000 }, (_, i) =>
  batch.subarray(i * one.length, (i + 1) * one.length),
);
const conn = new ClientConnection();
let ends = 0;
for (let i = 0; i < cycles; i++) {
  conn.send(chosen.request);
  conn.send(END);
  conn.receiveData(views[i % 1000]);
  for (let j = 0; j < 10; j++) {
    const ev = conn.nextEvent();
    if (ev === NEED_DATA) throw new Error("incomplete response");
    if (ev.type === "end") {
      ends++;
      break;
    }
  }
  conn.startNextCycle();
}
if (ends !== cycles) throw new Error(`${ends} responses ended, want ${cycles}`);

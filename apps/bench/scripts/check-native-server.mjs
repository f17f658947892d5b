#!/usr/bin/env node
// Checks that the native canned server (native/canned-server.c) answers the
// exact bytes the Node one (src/client/canned-server.ts) is written to: the
// four kinds of request, requests split over several writes (a POST body in
// pieces), pipelined heads answered in order (more than its 64 queued answers
// at once, and 64 KiB answers the socket cannot take in one write), and a bad
// POST. Exits non-zero on the first mismatch; skips (exit 0, with a line)
// when no C compiler is found.
//
//   node scripts/check-native-server.mjs [--server=native|node]
// (--server=node runs the same checks against the Node server, which shows the
// expected bytes are the Node server's.)
import { spawn } from "node:child_process";
import * as net from "node:net";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import { flag, here, tsxLoader } from "./script-kit.mjs";

const kind = flag("server") ?? "native";
const { nativeTool } = await tsImport("../src/client/native.ts", import.meta.url);

let command;
let args;
if (kind === "native") {
  const binary = nativeTool("canned-server");
  if (binary === null) {
    console.log("check-native-server: skipped, no C compiler found (cc, gcc, clang)");
    process.exit(0);
  }
  command = binary;
  args = [];
} else {
  command = process.execPath;
  args = ["--import", pathToFileURL(tsxLoader).href, here("../src/client/canned-server.ts"), "1"];
}

// The answers, written out here rather than taken from either server.
const answer = (status, type, body) =>
  Buffer.concat([
    Buffer.from(
      `HTTP/1.1 ${status}\r\ncontent-type: ${type}\r\ncontent-length: ${body.length}\r\n` +
        "keep-alive: timeout=120\r\n\r\n",
      "latin1",
    ),
    body,
  ]);
const SIXTEEN = Buffer.from("0123456789abcdef");
const TINY = answer("200 OK", "text/plain", SIXTEEN);
const BIG = answer("200 OK", "application/octet-stream", Buffer.alloc(65536, "a"));
const ECHO_OK = answer("200 OK", "text/plain", SIXTEEN);
const ECHO_BAD = answer("400 Bad Request", "text/plain", SIXTEEN);
const NOT_FOUND = answer("404 Not Found", "text/plain", Buffer.alloc(0));

const get = (path) => Buffer.from(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`, "latin1");
const postHead = (length, name = "content-length") =>
  Buffer.from(
    `POST /echo-length HTTP/1.1\r\nhost: 127.0.0.1\r\nx-expect-length: ${length}\r\n${name}: ${length}\r\n\r\n`,
    "latin1",
  );
const UPLOAD = Buffer.alloc(128 * 1024, 0x62);
const post = (length = UPLOAD.length) =>
  Buffer.concat([postHead(length), Buffer.alloc(length, 0x62)]);

const server = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
const port = await new Promise((resolve, reject) => {
  let text = "";
  server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  server.stdout.on("data", (c) => {
    text += c;
    if (text.includes("\n")) resolve(Number(text.trim()));
  });
});

/**
 * Writes `pieces` on one connection (a pause between them, so they arrive as
 * separate reads), then reads until `expected.length` bytes came and 100 ms
 * passed with no more (or the server closed). `closes`: the server must end
 * the connection after answering.
 */
async function exchange(name, pieces, expected, { closes = false, readDelayMs = 0 } = {}) {
  const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  if (readDelayMs > 0) socket.pause();
  const chunks = [];
  let ended = false;
  socket.on("data", (c) => chunks.push(c));
  socket.on("end", () => {
    ended = true;
  });
  socket.on("error", () => {
    ended = true;
  });
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, 20));
    socket.write(piece);
  }
  if (readDelayMs > 0) {
    // Answers pile up on the server while nothing is read: its writes go partial.
    await new Promise((r) => setTimeout(r, readDelayMs));
    socket.resume();
  }
  const deadline = Date.now() + 10_000;
  let last = -1;
  for (;;) {
    const got = chunks.reduce((n, c) => n + c.length, 0);
    if ((got >= expected.length && got === last && (!closes || ended)) || Date.now() > deadline)
      break;
    last = got;
    await new Promise((r) => setTimeout(r, 100));
  }
  socket.destroy();
  const got = Buffer.concat(chunks);
  const problems = [];
  if (!got.equals(expected)) {
    let at = 0;
    while (at < got.length && at < expected.length && got[at] === expected[at]) at++;
    problems.push(
      `${got.length} bytes back, want ${expected.length}; first difference at byte ${at}: ` +
        `${JSON.stringify(got.subarray(at, at + 40).toString("latin1"))} vs ` +
        `${JSON.stringify(expected.subarray(at, at + 40).toString("latin1"))}`,
    );
  }
  if (closes && !ended) problems.push("the server did not close the connection");
  if (!closes && ended) problems.push("the server closed the connection");
  console.log(
    `${problems.length === 0 ? "ok  " : "FAIL"} ${name}${problems.map((p) => `\n     ${p}`).join("")}`,
  );
  return problems.length === 0;
}

const repeat = (n, b) => Buffer.concat(Array.from({ length: n }, () => b));
const results = [
  await exchange("GET /tiny", [get("/tiny")], TINY),
  await exchange("GET /64k", [get("/64k")], BIG),
  await exchange("GET /missing: 404", [get("/missing")], NOT_FOUND),
  await exchange("POST /echo-length 128 KiB", [post()], ECHO_OK),
  await exchange(
    "POST 128 KiB, head and body split over 6 writes, then GET /tiny",
    [
      postHead(UPLOAD.length).subarray(0, 20),
      postHead(UPLOAD.length).subarray(20),
      UPLOAD.subarray(0, 1),
      UPLOAD.subarray(1, 50_000),
      UPLOAD.subarray(50_000, 131_000),
      Buffer.concat([UPLOAD.subarray(131_000), get("/tiny")]),
    ],
    Buffer.concat([ECHO_OK, TINY]),
  ),
  await exchange(
    "POST with Content-Length 10 (not 128 KiB): 400, connection kept",
    [post(10), get("/tiny")],
    Buffer.concat([ECHO_BAD, TINY]),
  ),
  await exchange(
    "Content-Length in another case",
    [Buffer.concat([postHead(UPLOAD.length, "Content-Length"), UPLOAD])],
    ECHO_OK,
  ),
  await exchange(
    "pipelined in one write: tiny, 64k, POST, missing, tiny",
    [Buffer.concat([get("/tiny"), get("/64k"), post(), get("/missing"), get("/tiny")])],
    Buffer.concat([TINY, BIG, ECHO_OK, NOT_FOUND, TINY]),
  ),
  await exchange(
    "pipelined head split mid-line across writes",
    [Buffer.concat([get("/tiny"), get("/64k").subarray(0, 7)]), get("/64k").subarray(7)],
    Buffer.concat([TINY, BIG]),
  ),
  await exchange("200 pipelined GET /tiny", [repeat(200, get("/tiny"))], repeat(200, TINY)),
  await exchange(
    "100 pipelined GET /64k, not read for 300 ms (partial writes)",
    [repeat(100, get("/64k"))],
    repeat(100, BIG),
    { readDelayMs: 300 },
  ),
  await exchange(
    "POST without Content-Length: 400, then closed",
    [postHead(0, "x-none")],
    ECHO_BAD,
    {
      closes: true,
    },
  ),
];
server.stdin.end();
const failed = results.filter((ok) => !ok).length;
console.log(
  failed === 0
    ? `check-native-server (${kind}): all ${results.length} checks passed`
    : `check-native-server (${kind}): ${failed} of ${results.length} checks FAILED`,
);
process.exit(failed === 0 ? 0 : 1);

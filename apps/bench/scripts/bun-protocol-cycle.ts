// The protocol's part of a keep-alive GET 64 KiB on Bun, alone: a request
// head out, the native canned server's response in (a chunk of its own per
// cycle, as from a socket), the head looked up as the client does
// (Keep-Alive, Content-Encoding), the body read to its end. Prints ns per
// cycle after a warm-up; run it a few times, alternating builds.
//   bun scripts/bun-protocol-cycle.ts [cycles]
import { ClientConnection, Headers, NEED_DATA } from "@reqivo/protocol";

const head =
  "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 65536\r\nkeep-alive: timeout=120\r\n\r\n";
const wire = new TextEncoder().encode(head + "a".repeat(65536));
const chunks = Array.from({ length: 64 }, () => wire.slice());
const client = new ClientConnection();
let keepAlive: string | null = "";

function cycle(i: number): void {
  client.send({
    type: "request",
    method: "GET",
    target: "/64k",
    headers: [
      ["host", "127.0.0.1:1"],
      ["accept-encoding", "gzip"],
    ],
    contentLength: 0,
  });
  client.send({ type: "end" });
  client.receiveData(chunks[i & 63]!);
  let event = client.nextEvent();
  if (event === NEED_DATA || event.type !== "response") throw new Error("no response head");
  const headers = new Headers(event.headers);
  const value = headers.get("keep-alive");
  if (value !== keepAlive) keepAlive = value;
  headers.get("content-encoding");
  for (;;) {
    event = client.nextEvent();
    if (event === NEED_DATA) throw new Error("body incomplete");
    if (event.type === "end") break;
  }
  client.startNextCycle();
}

const cycles = Number(process.argv[2] ?? 300_000);
for (let i = 0; i < 100_000; i++) cycle(i);
const start = performance.now();
for (let i = 0; i < cycles; i++) cycle(i);
console.log(`${(((performance.now() - start) * 1e6) / cycles).toFixed(0)} ns per cycle`);

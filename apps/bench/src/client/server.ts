// Loopback node:http server for client.bench.ts, run in its own process so its
// work does not share the client's event loop. Prints its port on stdout.
//   GET  /64k   64 KiB body
//   GET  /tiny  16-byte body
//   POST /echo-length  reads the whole request body, answers 16 bytes
//                      (200 when the body had the length in `x-expect-length`, else 400)
// No Date header, so every response is byte-for-byte the same (the raw
// ceiling counts bytes without parsing them).
import * as http from "node:http";

const BODY_64K = Buffer.alloc(64 * 1024, 0x61);
const BODY_TINY = Buffer.from("0123456789abcdef");
const HEADERS_64K = { "content-type": "application/octet-stream", "content-length": "65536" };
const HEADERS_TINY = { "content-type": "text/plain", "content-length": "16" };

const server = http.createServer((req, res) => {
  res.sendDate = false;
  if (req.method === "GET" && req.url === "/64k") {
    res.writeHead(200, HEADERS_64K);
    res.end(BODY_64K);
    return;
  }
  if (req.method === "GET" && req.url === "/tiny") {
    res.writeHead(200, HEADERS_TINY);
    res.end(BODY_TINY);
    return;
  }
  if (req.method === "POST" && req.url === "/echo-length") {
    const expected = Number(req.headers["x-expect-length"]);
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    req.on("end", () => {
      res.writeHead(received === expected ? 200 : 400, HEADERS_TINY);
      res.end(BODY_TINY);
    });
    return;
  }
  res.writeHead(404, { "content-length": "0" });
  res.end();
});
// Long idle limits: contenders wait for each other between samples, and a
// reconnect would be charged to whoever runs next.
server.keepAliveTimeout = 120_000;
server.on("connection", (socket) => socket.setNoDelay(true));
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${address.port}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

// Loopback node:http server for client.bench.ts, run in its own process so its
// work does not share the client's event loop. Prints its port on stdout.
//   GET  /64k   64 KiB body
//   GET  /tiny  16-byte body
//   POST /echo-length  reads the whole request body, answers 16 bytes
//                      (200 when the body had the length in `x-expect-length`, else 400)
//   GET  /chunked-10m  10 MiB, Transfer-Encoding: chunked, 64 KiB chunks
//   GET  /stream/N     N bytes with Content-Length, written in 64 KiB pieces
//                      (N up to 4 GiB); neither holds more than one piece: the
//                      same buffer is written again whenever the socket drains
// No Date header, so every response is byte-for-byte the same (the raw
// ceiling counts bytes without parsing them).
import * as http from "node:http";

const BODY_64K = Buffer.alloc(64 * 1024, 0x61);
const BODY_TINY = Buffer.from("0123456789abcdef");
const HEADERS_64K = { "content-type": "application/octet-stream", "content-length": "65536" };
const HEADERS_TINY = { "content-type": "text/plain", "content-length": "16" };

const PIECE = Buffer.alloc(64 * 1024, 0x63);

/** Writes `total` bytes of PIECE, waiting for `drain` whenever the socket is full. */
function pump(res: http.ServerResponse, total: number): void {
  let left = total;
  const next = (): void => {
    while (left > 0) {
      const piece = left >= PIECE.length ? PIECE : PIECE.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) {
        res.once("drain", next);
        return;
      }
    }
    res.end();
  };
  res.on("close", () => {
    left = 0;
  });
  next();
}

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
  if (req.method === "GET" && req.url === "/chunked-10m") {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    pump(res, 10 * 1024 * 1024);
    return;
  }
  if (req.method === "GET" && req.url !== undefined && req.url.startsWith("/stream/")) {
    const total = Number(req.url.slice("/stream/".length));
    if (!Number.isSafeInteger(total) || total < 0 || total > 4 * 1024 ** 3) {
      res.writeHead(400, { "content-length": "0" });
      res.end();
      return;
    }
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": String(total),
    });
    pump(res, total);
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

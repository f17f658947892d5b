// Loopback server for client-origins.bench.ts, in its own process: many
// origins, each answering every request with a 16-byte body and
// `connection: close`, so every request a client makes opens a new TCP (and
// TLS) connection.
//   ORIGINS_COUNT plain HTTP ports and as many HTTPS ports (default 20 each),
//   the certificate and key from ORIGINS_CERT / ORIGINS_KEY (PEM).
//   One more plain port answers GET /stats with the counters so far (JSON):
//   connections accepted, TLS handshakes completed and how many of those
//   resumed a session. The stats port keeps its connections alive.
// Prints three lines: the stats port, the HTTP ports and the HTTPS ports
// (comma-separated).
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";

const COUNT = Math.max(1, Math.min(200, Number(process.env.ORIGINS_COUNT ?? 20) || 20));
const cert = process.env.ORIGINS_CERT;
const key = process.env.ORIGINS_KEY;
if (cert === undefined || key === undefined) throw new Error("ORIGINS_CERT and ORIGINS_KEY");

const BODY = Buffer.from("0123456789abcdef");
const HEADERS = { "content-type": "text/plain", "content-length": "16", connection: "close" };
const stats = { connections: 0, tls: 0, resumed: 0 };

function handle(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.sendDate = false;
  res.writeHead(200, HEADERS);
  res.end(BODY);
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

const httpPorts: number[] = [];
const httpsPorts: number[] = [];
for (let i = 0; i < COUNT; i++) {
  const plain = http.createServer({ noDelay: true }, handle);
  plain.on("connection", () => {
    stats.connections++;
  });
  httpPorts.push(await listen(plain));

  const secure = https.createServer({ cert, key, noDelay: true }, handle);
  secure.on("connection", () => {
    stats.connections++;
  });
  secure.on("secureConnection", (socket: TLSSocket) => {
    stats.tls++;
    if (socket.isSessionReused()) stats.resumed++;
  });
  httpsPorts.push(await listen(secure));
}

const statsServer = http.createServer((_req, res) => {
  const body = JSON.stringify(stats);
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
  });
  res.end(body);
});
const statsPort = await listen(statsServer);

process.stdout.write(`${statsPort}\n${httpPorts.join(",")}\n${httpsPorts.join(",")}\n`);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

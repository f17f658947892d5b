// A node:http2 server for the Deno and Bun HTTP/2 cases (http2.cases.ts), run
// by real Node in a child process so the client meets the reference server
// whatever the runtime under test implements of node:http2.
//
// `node http2-server.mjs <tls|h2c|http1> [settings]`: TLS with ALPN h2,
// cleartext h2c (prior knowledge), or node:https offering no h2; `settings`
// is the HTTP/2 SETTINGS as JSON (node:http2's names). The key and certificate
// come in REQIVO_KEY / REQIVO_CERT. On 127.0.0.1, it prints `{"port":N}`,
// then answers each line on stdin: `stats` prints a JSON line of what it saw,
// `finish` ends the held /slow answers. When stdin ends it closes everything
// and exits, so a test that dies leaves no server behind.
import { createServer as createH2cServer, createSecureServer } from "node:http2";
import { createServer as createHttpsServer } from "node:https";
import { createInterface } from "node:readline";
import { gzipSync } from "node:zlib";

const mode = process.argv[2];
const settings = JSON.parse(process.argv[3] ?? "{}");
const NO_ERROR = 0;
const INTERNAL_ERROR = 2;
const REFUSED_STREAM = 7;
let refusedOnce = false;
const tls = { key: process.env.REQIVO_KEY, cert: process.env.REQIVO_CERT };

let connections = 0;
let sessions = 0;
let peakStreams = 0;
/** RST_STREAM codes of streams that were reset (by either side), in order. */
const resets = [];
/** Ends of /slow answers held until `finish`. */
const held = [];
const sockets = new Set();
const h2Sessions = new Set();

/**
 * `/echo` sends the body back; `/duplex` echoes each piece upper-cased as it
 * comes, then "!"; `/slow` writes a piece and waits for `finish`; `/big` writes
 * 100 kB and never ends; `/never` never answers; `/drop` writes a little, then
 * destroys its session; `/broken` writes a little, then resets its stream with
 * INTERNAL_ERROR; `/delay/…` answers after 20 ms. `/goaway-after` answers, then
 * closes its session (GOAWAY, this stream processed); `/goaway-before` the
 * first time sends GOAWAY with last stream 0 and refuses the stream.
 * `/start` redirects to `/login`, which sets a cookie and redirects to `/home`,
 * whose gzipped answer tells the cookie; `/trailers` ends with a trailer.
 */
async function handle(req, res) {
  if (req.url === "/duplex") {
    res.writeHead(200);
    req.on("data", (piece) => res.write(piece.toString().toUpperCase()));
    req.on("end", () => res.end("!"));
    return;
  }
  const parts = [];
  for await (const part of req) parts.push(part);
  const body = Buffer.concat(parts);
  res.setHeader("x-seen", `${req.httpVersion} ${req.method} ${body.length}`);
  if (req.url === "/echo") return res.end(body);
  if (req.url === "/slow") {
    res.write("first piece");
    held.push(() => res.end());
    return;
  }
  if (req.url === "/big") return res.write(new Uint8Array(100_000));
  if (req.url === "/never") return;
  if (req.url === "/drop") {
    res.write("a little");
    return setTimeout(() => req.stream.session?.destroy(), 20);
  }
  if (req.url === "/broken") {
    res.write("partial");
    return setTimeout(() => req.stream.close(INTERNAL_ERROR), 20);
  }
  if (req.url === "/goaway-after") {
    res.end("answered");
    return req.stream.session.close();
  }
  if (req.url === "/goaway-before" && !refusedOnce) {
    refusedOnce = true;
    req.stream.session.goaway(NO_ERROR, 0);
    req.stream.close(REFUSED_STREAM);
    return req.stream.session.close();
  }
  if (req.url === "/start") return res.writeHead(302, { location: "/login" }).end();
  if (req.url === "/login")
    return res.writeHead(303, { location: "/home", "set-cookie": "sid=abc; Path=/" }).end();
  if (req.url === "/home") {
    const told = `cookie=${req.headers.cookie} ae=${req.headers["accept-encoding"]}`;
    return res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync(told));
  }
  if (req.url === "/trailers") {
    res.writeHead(200);
    res.addTrailers({ "x-checksum": "c0ffee" });
    return res.end("body");
  }
  if (req.url.startsWith("/delay/")) return setTimeout(() => res.end(`r ${req.url}`), 20);
  res.end(`v${req.httpVersion} ${req.url}`);
}

const server =
  mode === "tls"
    ? createSecureServer({ ...tls, settings }, handle)
    : mode === "h2c"
      ? createH2cServer({ settings }, handle)
      : createHttpsServer(tls, handle);

server.on("connection", (socket) => {
  connections++;
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
});
// The TLS servers see the TLS socket here; the plain one counted above already.
server.on("secureConnection", (socket) => {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
});
server.on("session", (session) => {
  sessions++;
  h2Sessions.add(session);
  let open = 0;
  session.on("close", () => h2Sessions.delete(session));
  session.on("stream", (stream) => {
    peakStreams = Math.max(peakStreams, ++open);
    stream.on("close", () => {
      open--;
      // A reset stream's code (the client's CANCEL is 8); one that ended normally says 0.
      if (stream.rstCode !== 0) resets.push(stream.rstCode);
    });
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line === "stats") {
    const stats = { connections, sessions, openSessions: h2Sessions.size, peakStreams, resets };
    process.stdout.write(`${JSON.stringify(stats)}\n`);
  } else if (line === "finish") {
    for (const end of held.splice(0)) end();
  }
});
lines.on("close", () => {
  for (const session of h2Sessions) session.destroy();
  for (const socket of sockets) socket.destroy();
  server.close(() => process.exit(0));
  // Bounded: whatever still holds the loop, the process ends.
  setTimeout(() => process.exit(0), 2000).unref();
});

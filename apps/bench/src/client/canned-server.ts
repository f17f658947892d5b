// A canned-response HTTP/1.1 server for the keep-alive scenarios of
// client.bench.ts, in its own process(es). node:http parses every header,
// builds objects and a Date per response: on loopback that made the server
// the bottleneck, so a fast client could not pull ahead of a slow one. This
// one does no more than a server must to stay in step with the requests:
//   - per connection, it scans the incoming bytes for the end of each
//     request head (`\r\n\r\n`);
//   - reads the request line's path only (not the method, not the version);
//   - for /echo-length, finds the Content-Length header (the only header it
//     looks at) and skips that many body bytes;
//   - writes a pre-built response: same bytes every time, no Date.
//     GET  /tiny         16-byte body
//     GET  /64k          64 KiB body
//     POST /echo-length  16-byte body; 200 when Content-Length was 128 KiB
//                        (the scenario's upload), else 400
//     anything else      404, empty body
// No chunked bodies, no pipelining check, no limits beyond a 64 KiB head.
//
//   canned-server.ts [processes]   prints its port on stdout; stdin's end stops it
// With processes > 1 (node:cluster) the workers share the port and the
// kernel's connections are dealt out among them.
import cluster from "node:cluster";
import * as net from "node:net";

const UPLOAD_BYTES = 128 * 1024;
const MAX_HEAD = 64 * 1024;

function response(status: string, type: string, body: Buffer): Buffer {
  const head =
    `HTTP/1.1 ${status}\r\ncontent-type: ${type}\r\ncontent-length: ${body.length}\r\n` +
    "keep-alive: timeout=120\r\n\r\n";
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

const TINY = Buffer.from("0123456789abcdef");
const RESPONSES = new Map<string, Buffer>([
  ["/tiny", response("200 OK", "text/plain", TINY)],
  ["/64k", response("200 OK", "application/octet-stream", Buffer.alloc(64 * 1024, 0x61))],
]);
const ECHO_OK = response("200 OK", "text/plain", TINY);
const ECHO_BAD = response("400 Bad Request", "text/plain", TINY);
const NOT_FOUND = response("404 Not Found", "text/plain", Buffer.alloc(0));
const HEAD_END = Buffer.from("\r\n\r\n", "latin1");
const CONTENT_LENGTH = "\r\ncontent-length:";

/** Content-Length of a head (latin1 text), or -1: the one header this server reads. */
function contentLength(head: string): number {
  const at = head.toLowerCase().indexOf(CONTENT_LENGTH);
  if (at === -1) return -1;
  const from = at + CONTENT_LENGTH.length;
  const eol = head.indexOf("\r\n", from);
  const value = Number(head.slice(from, eol === -1 ? head.length : eol).trim());
  return Number.isSafeInteger(value) && value >= 0 ? value : -1;
}

function serve(socket: net.Socket): void {
  socket.setNoDelay(true);
  /** A head's start that arrived without its end (rare: heads are small). */
  let partial: Buffer | null = null;
  /** Body bytes still to skip, and the answer to write once they are in. */
  let bodyLeft = 0;
  let afterBody: Buffer = ECHO_OK;
  socket.on("data", (input: Buffer) => {
    let chunk = input;
    let at = 0;
    if (partial !== null) {
      chunk = Buffer.concat([partial, input]);
      partial = null;
    }
    while (at < chunk.length) {
      if (bodyLeft > 0) {
        const take = Math.min(bodyLeft, chunk.length - at);
        bodyLeft -= take;
        at += take;
        if (bodyLeft === 0) socket.write(afterBody);
        continue;
      }
      const end = chunk.indexOf(HEAD_END, at);
      if (end === -1) {
        if (chunk.length - at > MAX_HEAD) socket.destroy();
        else partial = Buffer.from(chunk.subarray(at));
        return;
      }
      // The path: between the request line's first and second space.
      const space = chunk.indexOf(0x20, at);
      const space2 = space === -1 || space > end ? -1 : chunk.indexOf(0x20, space + 1);
      const path = space2 === -1 || space2 > end ? "" : chunk.toString("latin1", space + 1, space2);
      const head = end + HEAD_END.length;
      if (path === "/echo-length") {
        const length = contentLength(chunk.toString("latin1", at, end));
        at = head;
        if (length === -1) {
          socket.end(ECHO_BAD);
          return;
        }
        afterBody = length === UPLOAD_BYTES ? ECHO_OK : ECHO_BAD;
        bodyLeft = length;
        if (length === 0) socket.write(afterBody);
        continue;
      }
      at = head;
      socket.write(RESPONSES.get(path) ?? NOT_FOUND);
    }
  });
  socket.on("error", () => socket.destroy());
}

/** Listens on 127.0.0.1 (port 0: a free one, shared by cluster workers) and resolves with the port. */
function listen(): Promise<number> {
  const server = net.createServer(serve);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)),
  );
}

const processes = Math.max(1, Math.min(8, Number(process.argv[2] ?? 1) || 1));
if (cluster.isPrimary) {
  let port: number;
  if (processes === 1) port = await listen();
  else {
    // Workers run the same file (and loader) with the same arguments.
    const ports = await Promise.all(
      Array.from(
        { length: processes },
        () =>
          new Promise<number>((resolve, reject) => {
            const worker = cluster.fork();
            worker.once("message", (m: { port: number }) => resolve(m.port));
            worker.once("exit", (code) => reject(new Error(`canned worker exited with ${code}`)));
          }),
      ),
    );
    port = ports[0]!;
  }
  process.stdout.write(`${port}\n`);
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
} else {
  const port = await listen();
  process.send?.({ port });
  // The primary gone (its stdin closed, or killed): stop too.
  process.on("disconnect", () => process.exit(0));
}

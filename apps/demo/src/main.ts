// `npx pnpm demo`: Reqivo's Sans-I/O HTTP/1.1 core driving a real socket against a
// local node:http server — keep-alive reuse, a chunked stream with trailers, a
// 103 Early Hints interim response, a streamed upload, and a refused header
// injection. Everything runs on 127.0.0.1.
import { connect, type Socket } from "node:net";
import {
  ClientConnection,
  type ClientReceiveEvent,
  LocalProtocolError,
  NEED_DATA,
  type RequestEvent,
} from "@reqivo/protocol";
import { startDemoServer } from "./server.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

/** Minimal pull reader over a node:net socket, for the demo only (the transports do this properly). */
function reader(socket: Socket): () => Promise<Uint8Array | null> {
  const queue: (Uint8Array | null)[] = [];
  let wake: (() => void) | undefined;
  socket.on("data", (d: Buffer) => {
    queue.push(new Uint8Array(d.buffer, d.byteOffset, d.length));
    wake?.();
  });
  socket.on("end", () => {
    queue.push(null);
    wake?.();
  });
  return async () => {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    return queue.shift() ?? null;
  };
}

async function exchange(
  conn: ClientConnection,
  socket: Socket,
  read: () => Promise<Uint8Array | null>,
  request: RequestEvent,
  body?: string[],
): Promise<void> {
  socket.write(conn.send(request));
  for (const piece of body ?? [])
    socket.write(conn.send({ type: "data", data: encoder.encode(piece) }));
  socket.write(conn.send({ type: "end" }));
  console.log(bold(`→ ${request.method} ${request.target}`));
  for (;;) {
    const ev = conn.nextEvent();
    if (ev === NEED_DATA) {
      conn.receiveData(await read());
      continue;
    }
    show(ev);
    if (ev.type === "end") break;
  }
  console.log(`  connection reusable: ${conn.reusable}\n`);
  if (conn.reusable) conn.startNextCycle();
}

function show(ev: ClientReceiveEvent): void {
  switch (ev.type) {
    case "informational":
      console.log(
        `  interim ${ev.status} ${ev.reason}: ${ev.headers.map(([n, v]) => `${n}: ${v}`).join("; ")}`,
      );
      break;
    case "response":
      console.log(`  ← HTTP/${ev.version} ${ev.status} ${ev.reason}`);
      for (const [name, value] of ev.headers) console.log(`    ${name}: ${value}`);
      break;
    case "data":
      console.log(`  data (${ev.data.length} B): ${JSON.stringify(decoder.decode(ev.data))}`);
      break;
    case "end":
      console.log(`  end, trailers: ${JSON.stringify(ev.trailers)}`);
      break;
    default:
      console.log(`  ${ev.type}`);
  }
}

const server = await startDemoServer();
const socket = connect({ host: "127.0.0.1", port: server.port, noDelay: true });
await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
const read = reader(socket);
const conn = new ClientConnection();
const host: [string, string] = ["host", `127.0.0.1:${server.port}`];
console.log(
  bold(`Reqivo protocol core on one keep-alive connection to 127.0.0.1:${server.port}\n`),
);

await exchange(conn, socket, read, {
  type: "request",
  method: "GET",
  target: "/hello",
  headers: [host],
});
await exchange(conn, socket, read, {
  type: "request",
  method: "GET",
  target: "/stream",
  headers: [host, ["te", "trailers"]],
});
await exchange(conn, socket, read, {
  type: "request",
  method: "GET",
  target: "/early-hints",
  headers: [host],
});
await exchange(
  conn,
  socket,
  read,
  {
    type: "request",
    method: "POST",
    target: "/echo",
    headers: [host, ["content-type", "text/plain"]],
    contentLength: null,
  },
  ["streamed ", "in ", "three pieces"],
);

console.log(bold("→ a header value carrying CRLF (header injection)"));
try {
  conn.send({
    type: "request",
    method: "GET",
    target: "/",
    headers: [host, ["x-evil", "a\r\nInjected: 1"]],
  });
} catch (error) {
  if (!(error instanceof LocalProtocolError)) throw error;
  console.log(`  refused before any byte was written: ${error.code} (${error.message})`);
}

socket.end();
await server.close();

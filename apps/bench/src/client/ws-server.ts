// Loopback `ws` echo server for client-websocket.bench.ts, in its own process:
// every message goes back as it came (text as text, binary as binary). No
// permessage-deflate. Prints its port on stdout.
import { WebSocketServer } from "ws";

const server = new WebSocketServer({
  host: "127.0.0.1",
  port: 0,
  perMessageDeflate: false,
  maxPayload: 8 * 1024 * 1024,
});
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on("listening", () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${address.port}\n`);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

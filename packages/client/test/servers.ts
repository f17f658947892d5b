// Servers the client tests talk to, all on 127.0.0.1 with OS-chosen ports:
// node:http for well-behaved HTTP, and a raw TCP server scripted per test for
// hostile behaviour (resets, stalls, drips, lies, unsolicited bytes).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from "node:net";

export interface Running {
  url: string;
  port: number;
  /** Sockets the server has accepted so far. */
  accepted: number;
  /** Sockets currently open on the server side. */
  open(): number;
  close(): Promise<void>;
}

/**
 * The Running view of a server (listening or about to): sockets counted from
 * its "connection" events; `close` gets the open ones to end.
 */
export function running(
  server: Server | TcpServer,
  url: string,
  port: number,
  close: (sockets: Set<Socket>) => Promise<void>,
): Running {
  const sockets = new Set<Socket>();
  let accepted = 0;
  server.on("connection", (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return {
    url,
    port,
    get accepted() {
      return accepted;
    },
    open: () => sockets.size,
    close: () => close(sockets),
  };
}

async function listen(server: Server | TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

export async function httpServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Running> {
  const server = createServer(handler);
  server.keepAliveTimeout = 10_000;
  const port = await listen(server);
  return running(
    server,
    `http://127.0.0.1:${port}`,
    port,
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
}

/** A TCP server whose behaviour per connection is a script. */
export async function rawServer(
  onSocket: (socket: Socket, index: number) => void,
): Promise<Running> {
  const server = createTcpServer();
  // Registered first: the count includes the socket its script is given.
  const tracked = running(server, "", 0, (sockets) => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  server.on("connection", (socket) => {
    socket.on("error", () => undefined);
    onSocket(socket, tracked.accepted);
    // A paused socket never sees the client's FIN: keep reading so closes are noticed.
    if (socket.listenerCount("data") === 0) socket.resume();
  });
  const port = await listen(server);
  return Object.assign(tracked, { url: `http://127.0.0.1:${port}`, port });
}

/** Calls `onRequest` with each complete request head (raw text) the socket receives. */
export function onRequests(socket: Socket, onRequest: (head: string, index: number) => void): void {
  let buffered = "";
  let index = 0;
  socket.on("data", (data: Buffer) => {
    buffered += data.toString("latin1");
    for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
      const head = buffered.slice(0, end + 4);
      buffered = buffered.slice(end + 4);
      onRequest(head, index++);
    }
  });
}

/** Sockets and timers the process holds (none may leak across a test). */
export function openHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPWrap")
    .length;
}

export async function eventually(check: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

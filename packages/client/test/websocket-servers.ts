// Servers for the WebSocket client tests, all on 127.0.0.1: the `ws` package
// as a well-behaved peer, and a raw TCP server that answers the upgrade by hand
// and then plays a script (hostile frames, silence, floods).
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { computeAcceptKey } from "@reqivo/protocol";
import { type ServerOptions, WebSocketServer } from "ws";
import { type Running, rawServer } from "./servers.ts";

export interface WsRunning {
  url: string;
  wss: WebSocketServer;
  /** TCP connections open on the server side. */
  open(): number;
  close(): Promise<void>;
}

/** A `ws` server on an http server (so non-upgrade requests can be answered too). */
export async function wsServer(
  options: Omit<ServerOptions, "server" | "port"> = {},
  onHttp?: Parameters<typeof createServer>[1],
): Promise<WsRunning> {
  const server: Server = createServer(onHttp ?? ((_req, res) => res.writeHead(426).end()));
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const wss = new WebSocketServer({ ...options, server });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    wss,
    open: () => sockets.size,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An echo server: every message goes back as it came (text stays text). */
export function echo(wss: WebSocketServer): void {
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
}

/** One unmasked server frame. */
export function frame(
  opcode: number,
  payload: Uint8Array | string = new Uint8Array(0),
  options: { fin?: boolean; rsv1?: boolean } = {},
): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
  const b0 = (options.fin === false ? 0 : 0x80) | (options.rsv1 ? 0x40 : 0) | opcode;
  let head: Buffer;
  if (body.length < 126) head = Buffer.from([b0, body.length]);
  else if (body.length < 65536) {
    head = Buffer.alloc(4);
    head[0] = b0;
    head[1] = 126;
    head.writeUInt16BE(body.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(body.length), 2);
  }
  return Buffer.concat([head, body]);
}

/** Reads the masked frames a client sends (enough for control frames and small messages). */
export function clientFrames(socket: Socket, onFrame: (opcode: number, payload: Buffer) => void) {
  let buffered = Buffer.alloc(0);
  socket.on("data", (data: Buffer) => {
    buffered = Buffer.concat([buffered, data]);
    for (;;) {
      if (buffered.length < 2) return;
      let length = buffered[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        at = 10;
      }
      if (buffered.length < at + 4 + length) return;
      const mask = buffered.subarray(at, at + 4);
      const payload = Buffer.from(buffered.subarray(at + 4, at + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      const opcode = buffered[0]! & 0x0f;
      buffered = buffered.subarray(at + 4 + length);
      onFrame(opcode, payload);
    }
  });
}

/**
 * A raw server that answers the upgrade itself: `respond` gets the request
 * head and the computed accept key and returns the answer head (or null to
 * never answer); `then` scripts the socket afterwards.
 */
export function rawWsServer(
  respond: (head: string, accept: string) => string | null,
  then: (socket: Socket) => void = () => undefined,
): Promise<Running> {
  return rawServer((socket) => {
    let buffered = "";
    const onData = (data: Buffer) => {
      buffered += data.toString("latin1");
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      const head = buffered.slice(0, end);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? "";
      const answer = respond(head, computeAcceptKey(key));
      if (answer === null) return;
      socket.write(Buffer.from(answer, "latin1"));
      then(socket);
    };
    socket.on("data", onData);
  });
}

/** A valid 101 head for `accept`, with extra header lines. */
export function switching(accept: string, ...extra: string[]): string {
  return [
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Accept: ${accept}`,
    ...extra,
    "",
    "",
  ].join("\r\n");
}

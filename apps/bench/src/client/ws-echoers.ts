// The WebSocket echo contenders of client-websocket.bench.ts (one binary
// message in flight on one connection), shared with the per-message counts
// of scripts/ws-per-message.mjs.
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import { Session } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-node";
import { WebSocket as UndiciWebSocket } from "undici";
import WebSocket from "ws";

export interface Echoer {
  name: string;
  /** Sends `message` and resolves with the length of the echo. */
  echo(message: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

/** Turns "message" callbacks into one awaited echo at a time. */
function waiter() {
  let pending: ((n: number) => void) | undefined;
  return {
    next: () =>
      new Promise<number>((resolve) => {
        pending = resolve;
      }),
    got(n: number) {
      const p = pending;
      pending = undefined;
      p?.(n);
    },
  };
}

/** Reqivo's `session.websocket`, compression off. */
export async function reqivoEchoer(url: string): Promise<Echoer> {
  const session = new Session({ transport: createTransport() });
  const ws = await session.websocket(url, { compress: false, maxMessageSize: 8 * 1024 * 1024 });
  const w = waiter();
  ws.on("message", (data: string | Uint8Array) => w.got(data.length));
  return {
    name: "reqivo",
    async echo(message) {
      const back = w.next();
      await ws.send(message);
      return back;
    },
    async close() {
      await ws.close(1000);
      await session.close();
    },
  };
}

/** The `ws` package's client. */
export async function wsEchoer(url: string): Promise<Echoer> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const w = waiter();
  ws.on("message", (data: Buffer) => w.got(data.length));
  return {
    name: "ws",
    echo(message) {
      const back = w.next();
      ws.send(message);
      return back;
    },
    async close() {
      ws.close(1000);
      await new Promise((resolve) => ws.once("close", resolve));
    },
  };
}

/** undici's WebSocket. */
export async function undiciEchoer(url: string): Promise<Echoer> {
  const ws = new UndiciWebSocket(url);
  ws.binaryType = "arraybuffer";
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error("undici WebSocket failed")), {
      once: true,
    });
  });
  const w = waiter();
  ws.addEventListener("message", (event) => w.got((event.data as ArrayBuffer).byteLength));
  return {
    name: "undici WebSocket",
    echo(message) {
      const back = w.next();
      ws.send(message);
      return back;
    },
    async close() {
      const closed = new Promise((resolve) =>
        ws.addEventListener("close", resolve, { once: true }),
      );
      ws.close(1000);
      await closed;
    },
  };
}

/** Bytes of a server frame's header (no mask) for a payload of `size` bytes. */
function serverHeaderLength(size: number): number {
  return size < 126 ? 2 : size < 65_536 ? 4 : 10;
}

/**
 * The floor of any WebSocket client on node:net: no WebSocket code at all.
 * One socket reading through `onread` into one reused buffer, a masked frame
 * built once per message and written again as is (a real client must draw a
 * fresh mask for every frame, RFC 6455 §5.3), and an echo counted done when
 * its bytes have arrived (the `ws` server answers each message with one
 * unfragmented frame). What a client spends above this is its own work: the
 * bench reports it so that the distance to `ws` can be read against what
 * node:net itself leaves.
 */
export async function netFloorEchoer(url: string): Promise<Echoer> {
  const { hostname, port } = new URL(url);
  let head = "";
  let opened: ((error?: Error) => void) | undefined;
  /** Bytes of the echo awaited (header and payload), and its payload's. */
  let expected = 0;
  let expectedPayload = 0;
  let arrived = 0;
  const w = waiter();
  const socket = net.connect({
    host: hostname,
    port: Number(port),
    noDelay: true,
    onread: {
      buffer: new Uint8Array(256 * 1024),
      callback(count: number, buffer: Uint8Array) {
        if (opened !== undefined) {
          head += Buffer.from(buffer.buffer, buffer.byteOffset, count).toString("latin1");
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) return true;
          const open = opened;
          opened = undefined;
          open(head.startsWith("HTTP/1.1 101") ? undefined : new Error(head.split("\r\n")[0]));
          arrived = head.length - end - 4; // frame bytes that came with the 101
          return true;
        }
        arrived += count;
        if (expected > 0 && arrived >= expected) {
          arrived -= expected;
          expected = 0;
          w.got(expectedPayload);
        }
        return true;
      },
    },
  });
  await new Promise<void>((resolve, reject) => {
    opened = (error) => (error === undefined ? resolve() : reject(error));
    socket.once("error", reject);
    socket.write(
      `GET ${new URL(url).pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${Buffer.from(randomBytes(16)).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
  const frames = new WeakMap<Uint8Array, Uint8Array>();
  return {
    name: "node:net floor",
    echo(message) {
      let frame = frames.get(message);
      if (frame === undefined) {
        frame = maskedFrame(message);
        frames.set(message, frame);
      }
      const back = w.next();
      expectedPayload = message.byteLength;
      expected = serverHeaderLength(expectedPayload) + expectedPayload;
      socket.write(frame);
      return back;
    },
    async close() {
      socket.destroy();
    },
  };
}

/** One binary frame of `payload`, masked with a random key (client to server). */
function maskedFrame(payload: Uint8Array): Uint8Array {
  const size = payload.byteLength;
  const lengthBytes = size < 126 ? 0 : size < 65_536 ? 2 : 8;
  const frame = new Uint8Array(2 + lengthBytes + 4 + size);
  const view = new DataView(frame.buffer);
  frame[0] = 0x82;
  if (lengthBytes === 0) frame[1] = 0x80 | size;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    view.setUint16(2, size);
  } else {
    frame[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(size));
  }
  const at = 2 + lengthBytes;
  const mask = randomBytes(4);
  frame.set(mask, at);
  for (let i = 0; i < size; i++) frame[at + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

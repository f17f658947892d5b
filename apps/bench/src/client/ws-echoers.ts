// The WebSocket echo contenders of client-websocket.bench.ts (one binary
// message in flight on one connection), shared with the per-message counts
// of scripts/ws-per-message.mjs.
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

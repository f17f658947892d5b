// The WebSocket differential: server-to-client frames (unmasked) fed to
// @reqivo/protocol's WebSocketConnection (client role) and to the `ws`
// package's Receiver in client mode, the reader behind Node's most used
// WebSocket client. Same messages, same close, same close code on an error;
// and Reqivo's verdict must not depend on how the bytes are split.
import { createRequire } from "node:module";
import { NEED_DATA, RemoteProtocolError, WebSocketConnection } from "@reqivo/protocol";
import { CrashError } from "./check.ts";
import { latin1 } from "./http-case.ts";

/** The part of ws's Receiver (a Writable) used here; ws ships no types of its own. */
interface WsReceiver {
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: "ping" | "pong", listener: (data: Buffer) => void): void;
  on(event: "conclude", listener: (code: number, reason: Buffer) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  _write(chunk: Buffer, encoding: string, callback: (error?: Error) => void): void;
  /** Bytes received but not yet parsed into a frame (internal, stable across ws 8). */
  _bufferedBytes: number;
  /** The parser state; 0 (GET_INFO) between frames (internal, stable across ws 8). */
  _state: number;
}
const { Receiver } = createRequire(import.meta.url)("ws") as {
  Receiver: new (options: {
    isServer: boolean;
    maxPayload: number;
    binaryType: string;
  }) => WsReceiver;
};

export interface WsCase {
  bytes: Uint8Array;
  /** maxMessageSize for Reqivo, maxPayload for ws. */
  maxMessage: number;
}

export interface WsVerdict {
  /** `text …`, `binary …`, `ping …`, `pong …`, `close <code> <reason>`. */
  events: string[];
  /** The close code the reader failed the connection with, if it did. */
  closeCode: number | undefined;
  /** ws only: the stream ended inside a frame the Receiver is still waiting to complete. */
  waiting?: boolean;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function runReqivoWs(c: WsCase, chunks: readonly Uint8Array[] = [c.bytes]): WsVerdict {
  const ws = new WebSocketConnection({
    role: "client",
    maxMessageSize: c.maxMessage,
    random: (b) => b.fill(7),
  });
  const events: string[] = [];
  const budget = 4 * c.bytes.length + 1000;
  try {
    for (const chunk of chunks) {
      ws.receiveData(chunk);
      for (let ev = ws.nextEvent(); ev !== NEED_DATA; ev = ws.nextEvent()) {
        if (events.length > budget)
          throw new CrashError(`more than ${budget} events from ${c.bytes.length} bytes`);
        if (ev.type === "text") events.push(`text ${JSON.stringify(ev.data)}`);
        else if (ev.type === "close") {
          events.push(`close ${ev.code ?? 1005} ${JSON.stringify(ev.reason)}`);
          return { events, closeCode: undefined };
        } else events.push(`${ev.type} ${latin1(ev.data as Uint8Array)}`);
      }
    }
  } catch (error) {
    if (error instanceof CrashError) throw error;
    if (!(error instanceof RemoteProtocolError))
      throw new CrashError(`not a RemoteProtocolError: ${String(error)}`);
    return { events, closeCode: error.closeCode };
  }
  return { events, closeCode: undefined };
}

export function runWsReceiver(c: WsCase): WsVerdict {
  const receiver = new Receiver({
    isServer: false,
    maxPayload: c.maxMessage,
    binaryType: "nodebuffer",
  });
  const events: string[] = [];
  let closed = false;
  receiver.on("message", (data, isBinary) =>
    events.push(isBinary ? `binary ${latin1(data)}` : `text ${JSON.stringify(utf8.decode(data))}`),
  );
  receiver.on("ping", (data) => events.push(`ping ${latin1(data)}`));
  receiver.on("pong", (data) => events.push(`pong ${latin1(data)}`));
  receiver.on("conclude", (code, reason) => {
    events.push(`close ${code} ${JSON.stringify(utf8.decode(reason))}`);
    closed = true;
  });
  receiver.on("error", () => {}); // the error also reaches the write callback, read below
  let failure: (Error & Record<symbol, unknown>) | undefined;
  // _write is the Writable hook; calling it directly keeps everything synchronous.
  receiver._write(
    Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength),
    "buffer",
    (error) => {
      failure = error as typeof failure;
    },
  );
  if (failure !== undefined && !closed) {
    const status = Object.getOwnPropertySymbols(failure).find(
      (s) => s.description === "status-code",
    );
    return { events, closeCode: status === undefined ? undefined : (failure[status] as number) };
  }
  return {
    events,
    closeCode: undefined,
    waiting: receiver._bufferedBytes > 0 || receiver._state !== 0,
  };
}

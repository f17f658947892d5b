// A hostile WebSocket peer on top of hostile.ts: the HTTP upgrade done by hand
// on the raw socket (so the 101 can be wrong on purpose), server frames built
// byte by byte (so lengths, bits and payloads can lie), and the client's masked
// frames parsed back so a case can see which close code the client sent.
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type { HostileSocket } from "./hostile.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** The Sec-WebSocket-Accept value for a Sec-WebSocket-Key. */
export function acceptFor(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

export interface FrameOptions {
  fin?: boolean;
  rsv1?: boolean;
  /** Announce this length instead of the payload's (a bigint for 64-bit lies). */
  length?: number | bigint;
}

/** One unmasked (server) frame. */
export function frame(
  opcode: number,
  payload: Uint8Array | string = "",
  o: FrameOptions = {},
): Uint8Array {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const length = BigInt(o.length ?? body.length);
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | (o.rsv1 ? 0x40 : 0) | opcode];
  if (length < 126n) head.push(Number(length));
  else if (length < 65536n) head.push(126, Number(length >> 8n), Number(length & 255n));
  else {
    head.push(127);
    for (let shift = 56n; shift >= 0n; shift -= 8n) head.push(Number((length >> shift) & 255n));
  }
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** A close frame with a code and reason. */
export function closeFrame(code: number, reason = ""): Uint8Array {
  const r = Buffer.from(reason, "utf8");
  const payload = new Uint8Array(2 + r.length);
  payload[0] = code >> 8;
  payload[1] = code & 255;
  payload.set(r, 2);
  return frame(0x8, payload);
}

/** A frame the client sent, unmasked. */
export interface ClientFrame {
  opcode: number;
  fin: boolean;
  payload: Uint8Array;
  /** Close frames: the code (1005 when empty) and reason. */
  code?: number;
  reason?: string;
}

export interface RawWebSocket {
  readonly conn: HostileSocket;
  /** The upgrade request's head (latin1). */
  readonly head: string;
  /** The extensions header the client offered ("" for none). */
  readonly offeredExtensions: string;
  write(bytes: Uint8Array | string): void;
  /** Every frame received from the client so far. */
  readonly frames: ClientFrame[];
  /** Called for every frame the client sends. */
  onFrame(fn: (f: ClientFrame) => void): void;
}

export interface UpgradeOptions {
  /** The Sec-WebSocket-Accept to send (default: the right one). */
  accept?: (key: string) => string;
  /** Sec-WebSocket-Protocol to answer with. */
  protocol?: string;
  /** Sec-WebSocket-Extensions to answer with; a function gets the client's offer. */
  extensions?: string | ((offer: string) => string);
  /** Do not answer at all (the handshake stalls). */
  silent?: boolean;
}

/** Parses masked client frames out of a byte stream (bounded: at most 100,000 frames kept). */
function frameReader(onFrame: (f: ClientFrame) => void): (data: Uint8Array) => void {
  let buffered: Buffer = Buffer.alloc(0);
  return (data) => {
    buffered = Buffer.concat([buffered, Buffer.from(data)]);
    for (;;) {
      if (buffered.length < 2) return;
      const b0 = buffered[0]!;
      const b1 = buffered[1]!;
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) return;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const total = offset + (masked ? 4 : 0) + length;
      if (buffered.length < total) return;
      const mask = masked ? buffered.subarray(offset, offset + 4) : undefined;
      const payload = Uint8Array.from(buffered.subarray(total - length, total));
      if (mask !== undefined) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      buffered = buffered.subarray(total);
      const f: ClientFrame = { opcode: b0 & 0x0f, fin: (b0 & 0x80) !== 0, payload };
      if (f.opcode === 0x8) {
        f.code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
        f.reason = Buffer.from(payload.subarray(2)).toString("utf8");
      }
      onFrame(f);
    }
  };
}

/**
 * Answers the upgrade request on `conn` by hand, then calls `onOpen` with a raw
 * WebSocket peer. The client's frames are parsed; nothing is answered unless
 * the case does it.
 */
export function upgrade(
  conn: HostileSocket,
  options: UpgradeOptions,
  onOpen: (ws: RawWebSocket) => void = () => undefined,
): void {
  let head = "";
  let open: RawWebSocket | undefined;
  const frames: ClientFrame[] = [];
  const listeners: ((f: ClientFrame) => void)[] = [];
  const read = frameReader((f) => {
    if (frames.length < 100_000) frames.push(f);
    for (const fn of listeners) fn(f);
  });
  conn.socket.on("data", (data: Buffer) => {
    if (open !== undefined) return read(data);
    head += data.toString("latin1");
    const end = head.indexOf("\r\n\r\n");
    if (end === -1) return;
    const rest = Buffer.from(head.slice(end + 4), "latin1");
    head = head.slice(0, end + 4);
    if (options.silent) return;
    const key = /\r\nsec-websocket-key:\s*([^\r]*)/i.exec(head)?.[1]?.trim() ?? "";
    const offered = /\r\nsec-websocket-extensions:\s*([^\r]*)/i.exec(head)?.[1]?.trim() ?? "";
    const extensions =
      typeof options.extensions === "function" ? options.extensions(offered) : options.extensions;
    conn.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${(options.accept ?? acceptFor)(key)}\r\n` +
        (options.protocol === undefined ? "" : `Sec-WebSocket-Protocol: ${options.protocol}\r\n`) +
        (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : "") +
        "\r\n",
    );
    open = {
      conn,
      head,
      offeredExtensions: offered,
      write: (bytes) => conn.write(bytes),
      frames,
      onFrame: (fn) => listeners.push(fn),
    };
    onOpen(open);
    if (rest.length > 0) read(rest);
  });
}

/** permessage-deflate accepted, echoing the client's no-context-takeover request if it made one. */
export const acceptDeflate = (offer: string): string =>
  offer.includes("permessage-deflate")
    ? `permessage-deflate${offer.includes("server_no_context_takeover") ? "; server_no_context_takeover" : ""}`
    : "";

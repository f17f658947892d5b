/**
 * The RFC 6455 connection state machine, Sans-I/O: bytes in through
 * `receiveData`, events out of `nextEvent`, bytes out of `send`. It never
 * writes on its own: answering a ping or echoing a close is the caller's send.
 */

import { LocalProtocolError, RemoteProtocolError } from "../errors.ts";
import { NEED_DATA, type NeedData } from "../need-data.ts";
import { ByteQueue } from "./byte-queue.ts";
import { CloseCode, isValidCloseCode, MAX_CLOSE_REASON_BYTES } from "./close.ts";
import type { PerMessageDeflateCodec } from "./deflate.ts";
import type { WebSocketEvent, WebSocketSendEvent, WebSocketSendMessage } from "./events.ts";
import { MAX_CONTROL_PAYLOAD, Opcode, writeFrame } from "./frame.ts";
import { applyMask } from "./mask.ts";
import { defaultRandomSource, MaskKeyPool, type RandomSource } from "./random.ts";
import { createStreamingDecoder, decodeUtf8Strict, encodeUtf8, Utf8Validator } from "./utf8.ts";

/** Default limit on a message (and on a frame): 64 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

/**
 * Options for {@link WebSocketConnection}.
 *
 * @example
 * ```ts
 * import type { WebSocketConnectionOptions } from "@reqivo/protocol";
 * const options: WebSocketConnectionOptions = { role: "client", maxMessageSize: 1 << 20 };
 * ```
 */
export interface WebSocketConnectionOptions {
  /** `client` masks what it sends and refuses masked frames; `server` the reverse. */
  role: "client" | "server";
  /** Largest message accepted, after decompression (close code 1009 beyond). Default 64 MiB. */
  maxMessageSize?: number;
  /** Largest single frame accepted (close code 1009 beyond). Default `maxMessageSize`. */
  maxFrameSize?: number;
  /**
   * Deliver data as it arrives instead of buffering whole messages: each
   * text/binary event carries a piece and `fin` (true on the last piece).
   * Compressed messages are still delivered whole.
   */
  streamMessages?: boolean;
  /**
   * Remember the latest ping so {@link WebSocketConnection.takeAutoPong} can
   * answer it. One slot: a ping flood replaces it, never grows it.
   */
  autoPong?: boolean;
  /** The permessage-deflate codec, when the handshake agreed on it. */
  perMessageDeflate?: PerMessageDeflateCodec;
  /** Randomness for masking keys. Default `crypto.getRandomValues`. */
  random?: RandomSource;
  /**
   * Decodes a whole text message, or returns `null` when it is not valid
   * UTF-8 (a leading U+FEFF must be kept). Default: a fatal `TextDecoder`.
   * A runtime with a faster native validator can inject it here.
   */
  decodeUtf8?: (bytes: Uint8Array) => string | null;
}

const EMPTY: Uint8Array = new Uint8Array(0);
const DEFLATE_TAIL = [0x00, 0x00, 0xff, 0xff];

function violation(code: string, message: string, closeCode: number = CloseCode.PROTOCOL_ERROR) {
  return new RemoteProtocolError(code, message, { closeCode });
}

function concat(pieces: readonly Uint8Array[], length: number, extra = 0): Uint8Array {
  if (pieces.length === 1 && extra === 0) return pieces[0]!;
  const out = new Uint8Array(length + extra);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/**
 * One WebSocket connection (RFC 6455), after the opening handshake.
 *
 * Feed the bytes after the 101 head (the HTTP core's `trailing`) and every
 * later chunk to `receiveData`; a chunk is owned by the connection from then
 * on (events may be views into it). A protocol violation by the peer makes
 * `nextEvent()` throw a `RemoteProtocolError` whose `closeCode` is what to
 * send in `send({ type: "close", code })`, which still works afterwards.
 *
 * @example
 * ```ts
 * import { NEED_DATA, WebSocketConnection } from "@reqivo/protocol";
 * const ws = new WebSocketConnection({ role: "client" });
 * const out = ws.send({ type: "text", data: "hi" });   // masked frame: write it
 * ws.receiveData(new Uint8Array([0x81, 0x02, 0x68, 0x69]));
 * for (let ev = ws.nextEvent(); ev !== NEED_DATA; ev = ws.nextEvent()) {
 *   if (ev.type === "ping") ws.send({ type: "pong", data: ev.data });
 *   if (ev.type === "text") console.log(ev.data); // "hi"
 * }
 * ```
 */
export class WebSocketConnection {
  /** `client` or `server`. */
  readonly role: "client" | "server";
  readonly #masks: MaskKeyPool | undefined;
  readonly #maxMessage: number;
  readonly #maxFrame: number;
  readonly #stream: boolean;
  readonly #autoPong: boolean;
  readonly #codec: PerMessageDeflateCodec | undefined;
  readonly #decodeUtf8: (bytes: Uint8Array) => string | null;

  readonly #queue = new ByteQueue();
  #eof = false;
  #ended = false; // a close event (received or 1006) was delivered: read no more
  #error: RemoteProtocolError | undefined;
  #closeSent = false;
  #closeReceived = false;
  #pendingPong: Uint8Array | null = null;

  // The frame being read.
  #inFrame = false;
  #fin = false;
  #opcode = 0;
  #remaining = 0;
  #masked = false;
  #m0 = 0;
  #m1 = 0;
  #m2 = 0;
  #m3 = 0;
  #maskPhase = 0;
  #header: Uint8Array | undefined; // scratch for a header split across chunks

  // The message being assembled (opcode 0: none).
  #msgOpcode = 0;
  #msgCompressed = false;
  #msgPieces: Uint8Array[] = [];
  #msgLength = 0;
  readonly #utf8 = new Utf8Validator();
  #utf8Active = false;
  #decoder: TextDecoder | undefined;

  // The fragmented message being sent (opcode 0: none).
  #sendOpcode = 0;

  constructor(options: WebSocketConnectionOptions) {
    if (options.role !== "client" && options.role !== "server") {
      throw new LocalProtocolError("INVALID_OPTION", "role must be client or server");
    }
    this.role = options.role;
    this.#masks =
      options.role === "client"
        ? new MaskKeyPool(options.random ?? defaultRandomSource)
        : undefined;
    this.#maxMessage = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#maxFrame = options.maxFrameSize ?? this.#maxMessage;
    this.#stream = options.streamMessages === true;
    this.#autoPong = options.autoPong === true;
    this.#codec = options.perMessageDeflate;
    this.#decodeUtf8 = options.decodeUtf8 ?? decodeUtf8Strict;
  }

  /**
   * `open`; `closing` once a close frame went one way (or the peer broke the
   * protocol); `closed` once both directions are done or the stream ended.
   */
  get state(): "open" | "closing" | "closed" {
    if (this.#closeSent && (this.#closeReceived || this.#error !== undefined)) return "closed";
    if (this.#ended && !this.#closeReceived) return "closed";
    if (this.#closeSent || this.#closeReceived || this.#error !== undefined) return "closing";
    return "open";
  }

  /**
   * Hands bytes from the peer to the connection; `null` means the peer ended
   * the stream. Bytes after the peer's close frame or a protocol error are
   * dropped.
   */
  receiveData(data: Uint8Array | null): void {
    if (data === null) {
      this.#eof = true;
      return;
    }
    if (this.#ended || this.#error !== undefined) return;
    if (this.#eof) throw new LocalProtocolError("DATA_AFTER_EOF", "receiveData after null");
    this.#queue.push(data);
  }

  /**
   * The next whole event, or `NEED_DATA`. Throws `RemoteProtocolError` (with
   * `closeCode`) when the peer broke the protocol, and again on every later
   * call.
   */
  nextEvent(): WebSocketEvent | NeedData {
    if (this.#error !== undefined) throw this.#error;
    if (this.#ended) return NEED_DATA;
    try {
      return this.#next();
    } catch (error) {
      if (error instanceof RemoteProtocolError) {
        this.#error = error;
        this.#queue.clear();
        this.#msgPieces = [];
        this.#pendingPong = null;
      }
      throw error;
    }
  }

  /**
   * With `autoPong`, the pong frame answering the latest unanswered ping, or
   * `null`. Pull it when the transport can take more bytes: pings that came
   * in meanwhile collapse into one answer (RFC 6455 §5.5.3 allows it).
   *
   * @example
   * ```ts
   * import { WebSocketConnection } from "@reqivo/protocol";
   * const ws = new WebSocketConnection({ role: "client", autoPong: true });
   * ws.receiveData(new Uint8Array([0x89, 0x00]));
   * ws.nextEvent();     // { type: "ping", data: Uint8Array [] }
   * ws.takeAutoPong();  // the masked pong frame to write
   * ```
   */
  takeAutoPong(): Uint8Array | null {
    const payload = this.#pendingPong;
    this.#pendingPong = null;
    if (payload === null || this.#closeSent || this.#closeReceived || this.#ended) return null;
    return writeFrame(Opcode.PONG, payload, true, false, this.#masks);
  }

  /**
   * Serialises one event into frame bytes for the transport. Throws
   * `LocalProtocolError` (nothing produced) for an invalid event or one the
   * state forbids: after our close only nothing, after the peer's close or a
   * protocol error only our close.
   */
  send(event: WebSocketSendEvent): Uint8Array {
    switch (event.type) {
      case "text":
      case "binary":
        return this.#sendMessage(event);
      case "ping":
      case "pong": {
        this.#assertCanSend();
        const data = event.data ?? EMPTY;
        const payload = typeof data === "string" ? encodeUtf8(data) : data;
        if (!(payload instanceof Uint8Array) || payload.length > MAX_CONTROL_PAYLOAD) {
          throw new LocalProtocolError(
            "INVALID_CONTROL_PAYLOAD",
            `${event.type} payload must be at most ${MAX_CONTROL_PAYLOAD} bytes`,
          );
        }
        const opcode = event.type === "ping" ? Opcode.PING : Opcode.PONG;
        return writeFrame(opcode, payload, true, false, this.#masks);
      }
      case "close":
        return this.#sendClose(event.code, event.reason);
      default:
        throw new LocalProtocolError(
          "INVALID_EVENT",
          `cannot send ${JSON.stringify((event as { type?: unknown }).type)}`,
        );
    }
  }

  #assertCanSend(): void {
    if (this.#closeSent) throw new LocalProtocolError("CLOSE_SENT", "close already sent");
    if (this.#error !== undefined) {
      throw new LocalProtocolError("CONNECTION_FAILED", "the peer broke the protocol: send close");
    }
    if (this.#closeReceived) {
      throw new LocalProtocolError("CLOSE_RECEIVED", "the peer closed: send close");
    }
    if (this.#ended) throw new LocalProtocolError("CONNECTION_CLOSED", "the stream ended");
  }

  #sendMessage(event: WebSocketSendMessage): Uint8Array {
    this.#assertCanSend();
    const opcode = event.type === "text" ? Opcode.TEXT : Opcode.BINARY;
    let payload: Uint8Array;
    if (event.type === "text") {
      if (typeof event.data !== "string") {
        throw new LocalProtocolError("INVALID_DATA", "text data must be a string");
      }
      payload = encodeUtf8(event.data);
    } else {
      if (!(event.data instanceof Uint8Array)) {
        throw new LocalProtocolError("INVALID_DATA", "binary data must be a Uint8Array");
      }
      payload = event.data;
    }
    let frameOpcode: number = opcode;
    if (this.#sendOpcode !== 0) {
      if (this.#sendOpcode !== opcode) {
        throw new LocalProtocolError("MESSAGE_IN_PROGRESS", "finish the fragmented message first");
      }
      frameOpcode = Opcode.CONTINUATION;
    }
    const fin = event.fin !== false;
    const whole = fin && this.#sendOpcode === 0;
    let rsv1 = false;
    if (this.#codec !== undefined && whole && event.compress !== false) {
      payload = this.#compress(payload);
      rsv1 = true;
    }
    this.#sendOpcode = fin ? 0 : opcode;
    return writeFrame(frameOpcode, payload, fin, rsv1, this.#masks);
  }

  #compress(data: Uint8Array): Uint8Array {
    const out = this.#codec!.compress(data);
    const n = out.length;
    // RFC 7692 §7.2.1: drop the 00 00 ff ff that the sync flush ends with.
    const trimmed =
      n >= 4 && out[n - 4] === 0 && out[n - 3] === 0 && out[n - 2] === 0xff && out[n - 1] === 0xff
        ? out.subarray(0, n - 4)
        : out;
    return trimmed.length === 0 ? new Uint8Array([0]) : trimmed;
  }

  #sendClose(code: number | undefined, reason: string | undefined): Uint8Array {
    if (this.#closeSent) throw new LocalProtocolError("CLOSE_SENT", "close already sent");
    if (this.#ended && !this.#closeReceived) {
      throw new LocalProtocolError("CONNECTION_CLOSED", "the stream ended");
    }
    let payload: Uint8Array = EMPTY;
    if (code === undefined) {
      if (reason !== undefined && reason !== "") {
        throw new LocalProtocolError("INVALID_CLOSE", "a close reason needs a code");
      }
    } else {
      if (!isValidCloseCode(code)) {
        throw new LocalProtocolError("INVALID_CLOSE_CODE", `close code ${code} may not be sent`);
      }
      const reasonBytes = encodeUtf8(reason ?? "");
      if (reasonBytes.length > MAX_CLOSE_REASON_BYTES) {
        throw new LocalProtocolError("INVALID_CLOSE", "close reason longer than 123 bytes");
      }
      payload = new Uint8Array(2 + reasonBytes.length);
      payload[0] = code >>> 8;
      payload[1] = code & 0xff;
      payload.set(reasonBytes, 2);
    }
    this.#closeSent = true;
    this.#pendingPong = null;
    this.#sendOpcode = 0;
    return writeFrame(Opcode.CLOSE, payload, true, false, this.#masks);
  }

  // ---- reading ----

  #next(): WebSocketEvent | NeedData {
    for (;;) {
      if (!this.#inFrame) {
        if (this.#queue.length === 0) return this.#starved();
        const small = this.#smallMessage();
        if (small !== null) return small;
        if (!this.#readHeader()) return this.#starved();
      }
      if (this.#opcode >= Opcode.CLOSE) {
        // Control payloads are tiny (≤125): wait for the whole of it, but
        // judge a close frame's code and reason on the bytes already in.
        if (this.#queue.length < this.#remaining) {
          if (this.#opcode === Opcode.CLOSE) this.#checkClosePrefix();
          return this.#starved();
        }
        let payload = this.#remaining === 0 ? EMPTY : this.#queue.take(this.#remaining);
        if (this.#masked) payload = this.#unmask(payload);
        this.#inFrame = false;
        return this.#control(payload);
      }
      const event = this.#stream && !this.#msgCompressed ? this.#streamData() : this.#bufferData();
      if (event !== null) return event;
      if (this.#inFrame) return this.#starved();
    }
  }

  #starved(): WebSocketEvent | NeedData {
    if (!this.#eof) return NEED_DATA;
    // The stream ended without a close frame (mid-frame or between frames).
    this.#ended = true;
    this.#queue.clear();
    this.#msgPieces = [];
    return { type: "close", code: CloseCode.ABNORMAL, reason: "" };
  }

  /**
   * The commonest frame a client reads, taken whole: an unmasked text or
   * binary message in one frame, uncompressed, under 126 bytes, all in the
   * front chunk, no message in progress, buffered mode. It passes every check
   * of {@link #readHeader} by its first two bytes and the limits, so no frame
   * state is kept for it. `null` for any other frame (the general path reads
   * it). Reading a 16 B frame, 1,249 → 901 user-space instructions (`node
   * scripts/ws-frame-costs.mjs` in apps/bench, results/2026-12-07-ws-margin.md).
   */
  #smallMessage(): WebSocketEvent | null {
    const queue = this.#queue;
    const left = queue.frontLeft;
    if (left < 3 || this.#stream || this.#msgOpcode !== 0 || this.#masks === undefined) return null;
    const front = queue.front();
    const at = queue.frontOffset;
    const b0 = front[at]!;
    const length = front[at + 1]!; // mask bit clear and 7-bit length: under 126
    if (
      (b0 !== 0x82 && b0 !== 0x81) ||
      length === 0 ||
      length >= 126 ||
      left < 2 + length ||
      length > this.#maxFrame ||
      length > this.#maxMessage
    ) {
      return null;
    }
    queue.skip(2);
    const data = queue.takeSome(length);
    return this.#messageEvent(b0 & 0x0f, data);
  }

  /**
   * Parses the next frame header; false when more bytes are needed. Each
   * check runs as soon as the bytes it reads are in (the first byte alone, the
   * length before the masking key), so a frame is refused for its first
   * offending byte, also when the stream ends right after it.
   */
  #readHeader(): boolean {
    const queue = this.#queue;
    const available = queue.length;
    if (available === 0) return false;
    if (available === 1) {
      const b0 = queue.peek(0);
      this.#checkFirstByte(b0, b0 & 0x0f, (b0 & 0x80) !== 0);
      return false;
    }
    let h: Uint8Array;
    let at: number;
    const front = queue.front();
    const offset = queue.frontOffset;
    if (front.length - offset >= 14 || front.length - offset >= available) {
      h = front;
      at = offset;
    } else {
      h = this.#header ??= new Uint8Array(14);
      at = 0;
      const n = Math.min(14, available);
      for (let i = 0; i < n; i++) h[i] = queue.peek(i);
    }
    const b0 = h[at]!;
    const b1 = h[at + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    this.#checkFirstByte(b0, opcode, fin);
    this.#checkSecondByte(opcode, length, masked);
    const extended = length === 126 ? 2 : length === 127 ? 8 : 0;
    const headerLength = 2 + extended + (masked ? 4 : 0);
    if (available < 2 + extended) return false;
    if (length === 126) {
      length = (h[at + 2]! << 8) | h[at + 3]!;
    } else if (length === 127) {
      const high = ((h[at + 2]! << 24) | (h[at + 3]! << 16) | (h[at + 4]! << 8) | h[at + 5]!) >>> 0;
      const low = ((h[at + 6]! << 24) | (h[at + 7]! << 16) | (h[at + 8]! << 8) | h[at + 9]!) >>> 0;
      // RFC 6455 §5.2: the most significant bit must be 0. Refused, never wrapped.
      if (high >= 0x80000000)
        throw violation("INVALID_FRAME_LENGTH", "64-bit length has its top bit set");
      length = high * 0x100000000 + low;
    }
    if (opcode < Opcode.CLOSE) {
      if (length > this.#maxFrame) {
        throw violation("FRAME_TOO_BIG", `frame of ${length} bytes`, CloseCode.MESSAGE_TOO_BIG);
      }
      const total = (opcode === Opcode.CONTINUATION ? this.#msgLength : 0) + length;
      if (total > this.#maxMessage) {
        throw violation("MESSAGE_TOO_BIG", `message of ${total}+ bytes`, CloseCode.MESSAGE_TOO_BIG);
      }
    }
    if (available < headerLength) return false;
    if (masked) {
      const m = at + 2 + extended;
      this.#m0 = h[m]!;
      this.#m1 = h[m + 1]!;
      this.#m2 = h[m + 2]!;
      this.#m3 = h[m + 3]!;
      this.#maskPhase = 0;
    }
    queue.skip(headerLength);
    this.#inFrame = true;
    this.#fin = fin;
    this.#opcode = opcode;
    this.#masked = masked;
    this.#remaining = length;
    if (opcode === Opcode.TEXT || opcode === Opcode.BINARY) {
      this.#msgOpcode = opcode;
      this.#msgCompressed = (b0 & 0x40) !== 0;
      this.#msgLength = length;
      this.#utf8Active = false;
    } else if (opcode === Opcode.CONTINUATION) {
      this.#msgLength += length;
    }
    return true;
  }

  /** The checks a frame's first byte allows (FIN, RSV bits, opcode), before its length is in. */
  #checkFirstByte(b0: number, opcode: number, fin: boolean): void {
    const rsv = b0 & 0x70;
    if (opcode > Opcode.BINARY && opcode < Opcode.CLOSE) {
      throw violation("RESERVED_OPCODE", `reserved opcode ${opcode}`);
    }
    if (opcode > Opcode.PONG) throw violation("RESERVED_OPCODE", `reserved opcode ${opcode}`);
    if (rsv !== 0) {
      // Only permessage-deflate claims a bit: RSV1, on a message's first frame.
      const allowed =
        rsv === 0x40 &&
        this.#codec !== undefined &&
        (opcode === Opcode.TEXT || opcode === Opcode.BINARY);
      if (!allowed) throw violation("RESERVED_BITS", `reserved bits 0x${rsv.toString(16)} set`);
    }
    if (opcode >= Opcode.CLOSE) {
      if (!fin) throw violation("FRAGMENTED_CONTROL_FRAME", "control frames cannot be fragmented");
    } else if (opcode === Opcode.CONTINUATION) {
      if (this.#msgOpcode === 0)
        throw violation("UNEXPECTED_CONTINUATION", "no message to continue");
    } else if (this.#msgOpcode !== 0) {
      throw violation("EXPECTED_CONTINUATION", "new message inside a fragmented one");
    }
  }

  /** The checks the second byte allows (MASK bit, 7-bit length), before the extended length. */
  #checkSecondByte(opcode: number, length: number, masked: boolean): void {
    if (opcode >= Opcode.CLOSE) {
      if (length > MAX_CONTROL_PAYLOAD) {
        throw violation("CONTROL_FRAME_TOO_LONG", "control frame payload over 125 bytes");
      }
      if (opcode === Opcode.CLOSE && length === 1) {
        throw violation("INVALID_CLOSE_PAYLOAD", "close payload of 1 byte");
      }
    }
    if (masked !== (this.role === "server")) {
      throw violation(
        masked ? "MASKED_FRAME" : "UNMASKED_FRAME",
        masked ? "server frames must not be masked" : "client frames must be masked",
      );
    }
  }

  /** Copies and unmasks a piece (never modifies the caller's chunk). */
  #unmask(piece: Uint8Array): Uint8Array {
    const copy = piece.slice();
    applyMask(copy, 0, copy.length, this.#m0, this.#m1, this.#m2, this.#m3, this.#maskPhase);
    this.#maskPhase = (this.#maskPhase + copy.length) & 3;
    return copy;
  }

  /** Refuses an unfinished close payload whose code or reason is already invalid. */
  #checkClosePrefix(): void {
    const queue = this.#queue;
    const n = queue.length;
    if (n < 2) return;
    const payload = new Uint8Array(n);
    for (let i = 0; i < n; i++) payload[i] = queue.peek(i);
    if (this.#masked) applyMask(payload, 0, n, this.#m0, this.#m1, this.#m2, this.#m3, 0);
    const code = (payload[0]! << 8) | payload[1]!;
    if (!isValidCloseCode(code)) throw violation("INVALID_CLOSE_CODE", `close code ${code}`);
    // A validator of its own: a text message may be in progress around the close.
    if (!new Utf8Validator().push(payload, 2)) {
      throw violation("INVALID_UTF8", "close reason is not UTF-8", CloseCode.INVALID_PAYLOAD);
    }
  }

  #control(payload: Uint8Array): WebSocketEvent {
    if (this.#opcode === Opcode.PING) {
      if (this.#autoPong) this.#pendingPong = payload.slice();
      return { type: "ping", data: payload };
    }
    if (this.#opcode === Opcode.PONG) return { type: "pong", data: payload };
    let code: number = CloseCode.NO_STATUS;
    let reason = "";
    if (payload.length >= 2) {
      code = (payload[0]! << 8) | payload[1]!;
      if (!isValidCloseCode(code)) throw violation("INVALID_CLOSE_CODE", `close code ${code}`);
      const text = decodeUtf8Strict(payload.subarray(2));
      if (text === null) {
        throw violation("INVALID_UTF8", "close reason is not UTF-8", CloseCode.INVALID_PAYLOAD);
      }
      reason = text;
    }
    this.#closeReceived = true;
    this.#ended = true;
    this.#queue.clear();
    this.#msgPieces = [];
    this.#pendingPong = null;
    return { type: "close", code, reason };
  }

  /** Buffered mode: collect payload; an event only when a message completes. */
  #bufferData(): WebSocketEvent | null {
    const queue = this.#queue;
    if (
      this.#fin &&
      this.#msgPieces.length === 0 &&
      !this.#msgCompressed &&
      this.#remaining > 0 &&
      queue.frontLeft >= this.#remaining
    ) {
      // The whole message in one piece (one frame, its payload in one chunk):
      // the piece is the message, without a pieces array to allocate and grow.
      // Reading a 16 B frame, 1,581 → 1,249 user-space instructions (`node
      // scripts/ws-frame-costs.mjs` in apps/bench, results/2026-12-07-ws-margin.md).
      let data = queue.takeSome(this.#remaining);
      this.#remaining = 0;
      this.#inFrame = false;
      if (this.#masked) data = this.#unmask(data);
      const opcode = this.#msgOpcode;
      this.#msgOpcode = 0;
      return this.#messageEvent(opcode, data);
    }
    const text = this.#msgOpcode === Opcode.TEXT && !this.#msgCompressed;
    while (this.#remaining > 0 && queue.length > 0) {
      let piece = queue.takeSome(this.#remaining);
      this.#remaining -= piece.length;
      if (this.#masked) piece = this.#unmask(piece);
      this.#msgPieces.push(piece);
      // Text that arrives ahead of its message end is checked now, so an
      // invalid byte fails the connection at once (fail fast, RFC 6455 §8.1).
      if (text && (this.#utf8Active || !(this.#fin && this.#remaining === 0))) {
        if (!this.#utf8Active) {
          this.#utf8.reset();
          this.#utf8Active = true;
        }
        if (!this.#utf8.push(piece)) throw this.#invalidUtf8();
      }
    }
    if (this.#remaining > 0) return null;
    this.#inFrame = false;
    return this.#fin ? this.#finishMessage() : null;
  }

  #finishMessage(): WebSocketEvent {
    const opcode = this.#msgOpcode;
    let data = concat(this.#msgPieces, this.#msgLength, this.#msgCompressed ? 4 : 0);
    this.#msgOpcode = 0;
    this.#msgPieces = [];
    if (this.#msgCompressed) {
      data.set(DEFLATE_TAIL, this.#msgLength);
      data = this.#inflate(data);
    }
    // Pieces checked as they came (a fragmented text) must end on a whole character.
    if (opcode === Opcode.TEXT && this.#utf8Active && !this.#utf8.complete)
      throw this.#invalidUtf8();
    return this.#messageEvent(opcode, data);
  }

  /** The event of a whole message's (uncompressed) payload; text is checked and decoded. */
  #messageEvent(opcode: number, data: Uint8Array): WebSocketEvent {
    if (opcode === Opcode.BINARY) return { type: "binary", data };
    const text = this.#decodeUtf8(data);
    if (text === null) throw this.#invalidUtf8();
    return { type: "text", data: text };
  }

  #inflate(data: Uint8Array): Uint8Array {
    let out: Uint8Array | null;
    try {
      out = this.#codec!.decompress(data, this.#maxMessage);
    } catch (cause) {
      throw new RemoteProtocolError("INFLATE_FAILED", "compressed message is corrupt", {
        cause,
        closeCode: CloseCode.INVALID_PAYLOAD,
      });
    }
    if (out === null || out.length > this.#maxMessage) {
      throw violation(
        "MESSAGE_TOO_BIG",
        `inflated message exceeds ${this.#maxMessage} bytes`,
        CloseCode.MESSAGE_TOO_BIG,
      );
    }
    return out;
  }

  /** Streaming mode: every piece of payload becomes an event as it arrives. */
  #streamData(): WebSocketEvent | null {
    let piece: Uint8Array = EMPTY;
    if (this.#remaining > 0) {
      if (this.#queue.length === 0) return null;
      piece = this.#queue.takeSome(this.#remaining);
      this.#remaining -= piece.length;
      if (this.#masked) piece = this.#unmask(piece);
    }
    if (this.#remaining === 0) this.#inFrame = false;
    const last = this.#fin && this.#remaining === 0;
    if (piece.length === 0 && !last) return null;
    const opcode = this.#msgOpcode;
    if (last) this.#msgOpcode = 0;
    if (opcode === Opcode.BINARY) return { type: "binary", data: piece, fin: last };
    if (!this.#utf8Active) {
      this.#utf8.reset();
      this.#utf8Active = true;
      this.#decoder ??= createStreamingDecoder();
    }
    if (!this.#utf8.push(piece) || (last && !this.#utf8.complete)) throw this.#invalidUtf8();
    const data = this.#decoder!.decode(piece, { stream: !last });
    if (last) this.#utf8Active = false;
    return { type: "text", data, fin: last };
  }

  #invalidUtf8(): RemoteProtocolError {
    return violation("INVALID_UTF8", "text is not valid UTF-8", CloseCode.INVALID_PAYLOAD);
  }
}

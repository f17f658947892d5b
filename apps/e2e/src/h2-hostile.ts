// A hostile HTTP/2 server on 127.0.0.1 (cleartext with prior knowledge, or TLS
// with ALPN h2) that plays one named attack per connection. It reads the client's preface and frames
// with the protocol's FrameReader and HPACK decoder, and writes its own frames
// with the protocol's FrameWriter and HpackEncoder, or by hand where a frame
// must lie. Every flood is bounded in count and waits for the socket to drain;
// every timer belongs to its socket and is cleared when the socket closes, so
// a failed test leaves nothing running.
import * as net from "node:net";
import * as tls from "node:tls";
import { concatBytes } from "../../../packages/protocol/src/bytes.ts";
import type { HeaderPair } from "../../../packages/protocol/src/http/headers.ts";
import {
  CLIENT_PREFACE,
  FLAG,
  HTTP2_ERROR,
  MAX_STREAM_ID,
  SETTING,
} from "../../../packages/protocol/src/http2/frames/constants.ts";
import { HeaderBlockJoiner } from "../../../packages/protocol/src/http2/frames/header-block.ts";
import { FrameReader } from "../../../packages/protocol/src/http2/frames/reader.ts";
import type { Http2Frame } from "../../../packages/protocol/src/http2/frames/types.ts";
import { FrameWriter } from "../../../packages/protocol/src/http2/frames/writer.ts";
import { HpackDecoder } from "../../../packages/protocol/src/http2/hpack/decoder.ts";
import { HpackEncoder } from "../../../packages/protocol/src/http2/hpack/encoder.ts";
import {
  writeInteger,
  writeString,
} from "../../../packages/protocol/src/http2/hpack/primitives.ts";
import { NEED_DATA } from "../../../packages/protocol/src/need-data.ts";

/**
 * The attacks the server plays, one per connection. What a client core with
 * default limits is expected to report is in {@link H2_SCENARIO_EXPECTATIONS}.
 *
 * @example
 * ```ts
 * const scenario: H2Scenario = "continuation-flood";
 * ```
 */
export type H2Scenario =
  /** HEADERS without END_HEADERS, then CONTINUATION frames of 1 KiB without end. */
  | "continuation-flood"
  /** One 4000-octet dynamic-table entry, then a block referencing it 4000 times (16 MB decoded from 8 KB). */
  | "hpack-bomb"
  /** A response head of 3000 small literal fields: about 100 KB decoded, above 64 KiB. */
  | "header-list-too-large"
  /** SETTINGS frames without end (up to 200,000). */
  | "settings-flood"
  /** PING frames without end (up to 200,000). */
  | "ping-flood"
  /** WINDOW_UPDATE on stream 0 by 2^31 - 1: the connection's send window overflows. */
  | "window-update-overflow-connection"
  /** WINDOW_UPDATE on the request's stream by 2^31 - 1: the stream's send window overflows. */
  | "window-update-overflow-stream"
  /** A 200, then 4 MiB of DATA on every stream (END_STREAM on the last frame), ignoring the client's windows. */
  | "data-beyond-window"
  /** A response on stream 99, which the client never opened. */
  | "unopened-stream"
  /** 103 heads without end (up to 10,000) on the request's stream. */
  | "endless-1xx"
  /** On the first request, GOAWAY with that stream as the last processed; answers it alone (the others are safe to retry). */
  | "goaway-below-open-streams"
  /** Its SETTINGS dripped one octet every 10 ms, ours never acknowledged, then a DATA frame dripped 5 ms an octet. */
  | "slowloris"
  /** A proper SETTINGS, but the client's SETTINGS are never acknowledged; requests get no answer. */
  | "settings-ack-withheld"
  /** No attack: every request gets a 200 with content-length 2 and "ok" (a baseline for the harness). */
  | "well-behaved";

/** Every scenario, in a stable order (for tests that run them all). */
export const H2_SCENARIOS: readonly H2Scenario[] = [
  "continuation-flood",
  "hpack-bomb",
  "header-list-too-large",
  "settings-flood",
  "ping-flood",
  "window-update-overflow-connection",
  "window-update-overflow-stream",
  "data-beyond-window",
  "unopened-stream",
  "endless-1xx",
  "goaway-below-open-streams",
  "slowloris",
  "settings-ack-withheld",
  "well-behaved",
];

/**
 * What the client core (default options) reports for a scenario: a
 * connection error or a stream error with a stable code and the RFC 9113
 * error code sent with it, or (GOAWAY) the documented event.
 *
 * @example
 * ```ts
 * const expected: H2Expectation = { event: "stream_reset", code: "H2_FLOW_CONTROL", errorCode: 0x3 };
 * ```
 */
export interface H2Expectation {
  event: "connection_error" | "stream_reset" | "goaway" | "stream_end";
  code?: string;
  errorCode?: number;
  /** The I/O layer must time the SETTINGS ACK (`settingsAwaitingAck`, `settingsAckTimedOut()`). */
  needsSettingsTimer?: boolean;
}

const calm = HTTP2_ERROR.ENHANCE_YOUR_CALM;

/**
 * The outcome of each scenario for an `Http2ClientConnection` with default
 * options whose I/O layer acknowledges no data and times the SETTINGS ACK.
 *
 * @example
 * ```ts
 * H2_SCENARIO_EXPECTATIONS["ping-flood"]; // { event: "connection_error", code: "H2_PING_FLOOD", errorCode: 0xb }
 * ```
 */
export const H2_SCENARIO_EXPECTATIONS: Readonly<Record<H2Scenario, H2Expectation>> = {
  "continuation-flood": {
    event: "connection_error",
    code: "H2_HEADER_BLOCK_TOO_LARGE",
    errorCode: calm,
  },
  "hpack-bomb": {
    event: "stream_reset",
    code: "H2_HEADER_LIST_TOO_LARGE",
    errorCode: HTTP2_ERROR.PROTOCOL_ERROR,
  },
  "header-list-too-large": {
    event: "stream_reset",
    code: "H2_HEADER_LIST_TOO_LARGE",
    errorCode: HTTP2_ERROR.PROTOCOL_ERROR,
  },
  "settings-flood": { event: "connection_error", code: "H2_SETTINGS_FLOOD", errorCode: calm },
  "ping-flood": { event: "connection_error", code: "H2_PING_FLOOD", errorCode: calm },
  "window-update-overflow-connection": {
    event: "connection_error",
    code: "H2_FLOW_CONTROL",
    errorCode: HTTP2_ERROR.FLOW_CONTROL_ERROR,
  },
  "window-update-overflow-stream": {
    event: "stream_reset",
    code: "H2_FLOW_CONTROL",
    errorCode: HTTP2_ERROR.FLOW_CONTROL_ERROR,
  },
  "data-beyond-window": {
    event: "stream_reset",
    code: "H2_FLOW_CONTROL",
    errorCode: HTTP2_ERROR.FLOW_CONTROL_ERROR,
  },
  "unopened-stream": {
    event: "connection_error",
    code: "H2_INVALID_STREAM_STATE",
    errorCode: HTTP2_ERROR.PROTOCOL_ERROR,
  },
  "endless-1xx": { event: "connection_error", code: "H2_HEADERS_FLOOD", errorCode: calm },
  "goaway-below-open-streams": { event: "goaway" },
  slowloris: {
    event: "connection_error",
    code: "H2_SETTINGS_TIMEOUT",
    errorCode: HTTP2_ERROR.SETTINGS_TIMEOUT,
    needsSettingsTimer: true,
  },
  "settings-ack-withheld": {
    event: "connection_error",
    code: "H2_SETTINGS_TIMEOUT",
    errorCode: HTTP2_ERROR.SETTINGS_TIMEOUT,
    needsSettingsTimer: true,
  },
  "well-behaved": { event: "stream_end" },
};

/**
 * A running hostile server.
 *
 * @example
 * ```ts
 * const server = await startHostileHttp2Server("ping-flood");
 * net.connect(server.port, "127.0.0.1");
 * await server.close();
 * ```
 */
export interface HostileHttp2Server {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Server-side sockets open now (0 once every client closed its side). */
  open(): number;
  /** Frames the clients sent, by type (all connections): to see a GOAWAY or RST_STREAM arrive. */
  readonly received: Http2Frame[];
  close(): Promise<void>;
}

const FLOOD_BATCH = 64;

/** The server side of one connection: reads the client's frames, writes ours, plays the scenario. */
class Connection {
  readonly writer = new FrameWriter();
  readonly encoder = new HpackEncoder();
  readonly #socket: net.Socket;
  readonly #scenario: H2Scenario;
  readonly #received: Http2Frame[];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #reader = new FrameReader({ maxFrameSize: 2 ** 24 - 1 });
  readonly #joiner = new HeaderBlockJoiner({ maxHeaderBlockSize: 1 << 20 });
  readonly #decoder = new HpackDecoder({ maxHeaderListSize: 1 << 20 });
  #preface: Uint8Array = new Uint8Array(0);
  #prefaceSeen = false;
  readonly #streams: number[] = [];

  constructor(socket: net.Socket, scenario: H2Scenario, received: Http2Frame[]) {
    this.#socket = socket;
    this.#scenario = scenario;
    this.#received = received;
    socket.on("close", () => {
      for (const t of this.#timers) clearTimeout(t);
      this.#timers.clear();
    });
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => this.#onData(new Uint8Array(chunk)));
    this.#start();
  }

  get #alive(): boolean {
    return !this.#socket.destroyed && this.#socket.writable;
  }

  write(bytes: Uint8Array): boolean {
    return this.#alive ? this.#socket.write(bytes) : false;
  }

  /** Runs `fn` after `ms` unless the socket closed first. */
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#socket.destroyed) fn();
    }, ms);
    this.#timers.add(t);
  }

  /** Writes `frame(i)` for i < max, in batches, waiting for drain; stops when the socket closes. */
  flood(frame: (i: number) => Uint8Array, max: number): void {
    let i = 0;
    const go = () => {
      while (i < max && this.#alive) {
        const batch: Uint8Array[] = [];
        for (let n = 0; n < FLOOD_BATCH && i < max; n++) batch.push(frame(i++));
        if (!this.write(concatBytes(batch))) {
          this.#socket.once("drain", go);
          return;
        }
      }
    };
    go();
  }

  /** Writes `bytes` one octet every `ms` ms (at most `max` octets); stops when the socket closes. */
  drip(bytes: Uint8Array, ms: number, max = bytes.length, then?: () => void): void {
    let i = 0;
    const next = () => {
      if (!this.#alive) return;
      if (i >= Math.min(max, bytes.length)) {
        then?.();
        return;
      }
      this.write(bytes.subarray(i, i + 1));
      i++;
      this.later(ms, next);
    };
    next();
  }

  headers(streamId: number, fields: HeaderPair[], endStream = false): Uint8Array {
    return this.writer.headers(streamId, this.encoder.encode(fields), { endStream });
  }

  #start(): void {
    if (this.#scenario === "slowloris") {
      // SETTINGS one octet every 10 ms; then, on the first request's stream, a DATA
      // frame announcing 16384 octets dripped the same way: the client holds at
      // most one partial frame, and only a timer of its I/O layer ends this.
      const settings = this.writer.settings([[SETTING.MAX_CONCURRENT_STREAMS, 100]]);
      this.drip(settings, 10, settings.length, () => {
        const streamId = this.#streams[0];
        if (streamId !== undefined)
          this.drip(this.writer.data(streamId, new Uint8Array(16_384)), 5, 2_000);
      });
      return;
    }
    this.write(this.writer.settings([[SETTING.MAX_CONCURRENT_STREAMS, 100]]));
    switch (this.#scenario) {
      case "settings-flood":
        this.flood(() => this.writer.settings([[SETTING.MAX_CONCURRENT_STREAMS, 100]]), 200_000);
        break;
      case "ping-flood":
        this.flood(
          (i) => this.writer.ping(Uint8Array.of(0, 0, 0, 0, i >>> 24, i >>> 16, i >>> 8, i)),
          200_000,
        );
        break;
      case "window-update-overflow-connection":
        this.write(this.writer.windowUpdate(0, MAX_STREAM_ID));
        break;
    }
  }

  #onData(chunk: Uint8Array): void {
    let bytes = chunk;
    if (!this.#prefaceSeen) {
      this.#preface = concatBytes([this.#preface, bytes]);
      if (this.#preface.length < CLIENT_PREFACE.length) return;
      if (!CLIENT_PREFACE.every((b, i) => this.#preface[i] === b)) {
        this.#socket.destroy();
        return;
      }
      this.#prefaceSeen = true;
      bytes = this.#preface.subarray(CLIENT_PREFACE.length);
    }
    try {
      this.#reader.receiveData(bytes);
      for (let raw = this.#reader.nextFrame(); raw !== NEED_DATA; raw = this.#reader.nextFrame()) {
        const frame = this.#joiner.accept(raw);
        if (frame !== undefined) this.#onFrame(frame);
      }
    } catch {
      // The client under test sent something this server cannot read: hang up.
      this.#socket.destroy();
    }
  }

  #onFrame(frame: Http2Frame): void {
    if (this.#received.length < 10_000) this.#received.push(frame);
    if (frame.type === "settings" && !frame.ack) {
      const withheld = this.#scenario === "slowloris" || this.#scenario === "settings-ack-withheld";
      if (!withheld) this.write(this.writer.settingsAck());
    } else if (frame.type === "ping" && !frame.ack) {
      this.write(this.writer.ping(frame.opaqueData, true));
    } else if (frame.type === "headers") {
      this.#decoder.decode(frame.fragment);
      if (!this.#streams.includes(frame.streamId)) {
        this.#streams.push(frame.streamId);
        this.#onRequest(frame.streamId);
      }
    }
  }

  #onRequest(streamId: number): void {
    const ok: HeaderPair[] = [[":status", "200"]];
    switch (this.#scenario) {
      case "continuation-flood": {
        const first = this.writer.headers(streamId, this.encoder.encode(ok)).slice();
        first[4] = first[4]! & ~FLAG.END_HEADERS;
        this.write(first);
        const junk = new Uint8Array(1024).fill(0x61);
        this.flood(() => this.writer.continuation(streamId, junk, false), 100_000);
        break;
      }
      case "hpack-bomb":
        this.write(this.writer.headers(streamId, hpackBomb(4000, 4000), { endStream: true }));
        break;
      case "header-list-too-large":
        this.write(this.writer.headers(streamId, manySmallFields(3000), { endStream: true }));
        break;
      case "window-update-overflow-stream":
        this.write(this.writer.windowUpdate(streamId, MAX_STREAM_ID));
        break;
      case "data-beyond-window": {
        this.write(this.headers(streamId, ok));
        // The last frame ends the stream, so a reader that kept up gets a whole (4 MiB) body.
        const chunk = new Uint8Array(16_384).fill(0x62);
        this.flood((i) => this.writer.data(streamId, chunk, { endStream: i === 255 }), 256);
        break;
      }
      case "unopened-stream":
        this.write(this.headers(99, ok, true));
        break;
      case "endless-1xx":
        this.flood(() => this.headers(streamId, [[":status", "103"]]), 10_000);
        break;
      case "goaway-below-open-streams":
        // The first stream is the last one processed; every later one is refused unprocessed.
        if (this.#streams.length === 1) {
          this.write(this.writer.goaway(streamId, HTTP2_ERROR.NO_ERROR));
          this.write(this.headers(streamId, ok));
          this.write(
            this.writer.data(streamId, new TextEncoder().encode("ok"), { endStream: true }),
          );
        }
        break;
      case "well-behaved":
        this.write(
          this.headers(streamId, [
            [":status", "200"],
            ["content-length", "2"],
          ]),
        );
        this.write(this.writer.data(streamId, new TextEncoder().encode("ok"), { endStream: true }));
        break;
      default:
        // slowloris, settings-ack-withheld, and the floods that started with the connection: no answer.
        break;
    }
  }
}

/**
 * An HPACK block that adds one `size`-octet entry to the dynamic table, then
 * references it `count` times: `size * count` octets decoded from about
 * `size + count` encoded.
 *
 * @example
 * ```ts
 * hpackBomb(4000, 4000).length; // about 8 KB; decodes to about 16 MB
 * ```
 */
export function hpackBomb(size: number, count: number): Uint8Array {
  const out = new Uint8Array(size + count + 64);
  let at = writeInteger(out, 0, 8, 7, 0x80); // :status 200
  at = writeInteger(out, at, 0, 6, 0x40); // literal, incremental indexing, new name
  at = writeString(out, at, "x-bomb", "never");
  at = writeString(out, at, "a".repeat(size), "never");
  for (let i = 0; i < count; i++) out[at++] = 0x80 | 62; // the entry just added
  return out.slice(0, at);
}

/**
 * A response head of `count` literal fields "x: y" without indexing: 5
 * octets each on the wire, 34 counted against SETTINGS_MAX_HEADER_LIST_SIZE.
 *
 * @example
 * ```ts
 * manySmallFields(3000).length; // 15001
 * ```
 */
export function manySmallFields(count: number): Uint8Array {
  const out = new Uint8Array(1 + 5 * count);
  out[0] = 0x80 | 8; // :status 200
  for (let i = 0; i < count; i++) out.set([0x00, 0x01, 0x78, 0x01, 0x79], 1 + 5 * i);
  return out;
}

/**
 * Options of {@link startHostileHttp2Server}.
 *
 * @example
 * ```ts
 * const options: HostileHttp2Options = { tls: { key, cert } }; // h2 over TLS, ALPN "h2"
 * ```
 */
export interface HostileHttp2Options {
  /** Loopback address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Speak TLS with this certificate, offering ALPN "h2" only; cleartext (prior knowledge) without. */
  tls?: { key: string; cert: string };
}

/**
 * Starts a hostile HTTP/2 server on 127.0.0.1 (a free port) that plays
 * `scenario` on every connection, or, given a list, the n-th scenario on the
 * n-th connection and the last one on any after (say a GOAWAY, then a
 * well-behaved server for the retries): cleartext HTTP/2 with prior
 * knowledge (no upgrade), or over TLS with ALPN "h2" when `tls` is given.
 *
 * @example
 * ```ts
 * const server = await startHostileHttp2Server("hpack-bomb");
 * const socket = net.connect(server.port, "127.0.0.1");
 * // … drive an Http2ClientConnection over `socket` …
 * await server.close();
 * ```
 */
export async function startHostileHttp2Server(
  scenario: H2Scenario | readonly H2Scenario[],
  options: HostileHttp2Options = {},
): Promise<HostileHttp2Server> {
  const scenarios: readonly H2Scenario[] = typeof scenario === "string" ? [scenario] : scenario;
  if (scenarios.length === 0) throw new TypeError("startHostileHttp2Server: no scenario");
  const host = options.host ?? "127.0.0.1";
  const sockets = new Set<net.Socket>();
  const received: Http2Frame[] = [];
  let accepted = 0;
  const onSocket = (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    new Connection(socket, scenarios[Math.min(accepted, scenarios.length) - 1]!, received);
  };
  const server =
    options.tls === undefined
      ? net.createServer(onSocket)
      : tls.createServer({ ...options.tls, ALPNProtocols: ["h2"] }, onSocket);
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    open: () => sockets.size,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

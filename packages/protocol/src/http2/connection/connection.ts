import { EMPTY_BYTES } from "../../bytes.ts";
import { ProtocolError, RemoteProtocolError } from "../../errors.ts";
import type { HeaderPair } from "../../http/headers.ts";
import { NEED_DATA } from "../../need-data.ts";
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  HTTP2_ERROR,
  MAX_STREAM_ID,
  SETTING,
} from "../frames/constants.ts";
import { HeaderBlockJoiner } from "../frames/header-block.ts";
import { FrameReader } from "../frames/reader.ts";
import type { Http2Frame, SettingPair } from "../frames/types.ts";
import { DEFAULT_HEADER_TABLE_SIZE, HpackDecoder } from "../hpack/decoder.ts";
import { entrySize } from "../hpack/dynamic-table.ts";
import {
  type ConnectionInput,
  type ConnectionState,
  connectionTransition,
} from "./connection-state.ts";
import { http2ErrorCodeOf, peerError, usageError } from "./errors.ts";
import type { Http2Event } from "./events.ts";
import { addToSendWindow } from "./flow-control.ts";
import { checkRequestHeaders, checkRequestTrailers } from "./header-rules.ts";
import {
  type Http2ClientOptions,
  type ResolvedHttp2Options,
  resolveHttp2Options,
} from "./options.ts";
import {
  acceptResponseHead,
  acceptTrailers,
  checkContentLength,
  StreamError,
} from "./response-checks.ts";
import { ServerPrefaceCheck } from "./server-preface.ts";
import { Http2Stream } from "./stream.ts";
import { type StreamInput, streamTransition } from "./stream-state.ts";
import { DEFAULT_WINDOW, Outbox, StreamTable } from "./stream-table.ts";

/**
 * Options of {@link Http2ClientConnection.sendHeaders} and
 * {@link Http2ClientConnection.sendData}.
 *
 * @example
 * ```ts
 * const options: Http2SendOptions = { endStream: true };
 * ```
 */
export interface Http2SendOptions {
  /** Close our side of the stream after this (END_STREAM). Default false. */
  endStream?: boolean;
}

/**
 * A client HTTP/2 connection (RFC 9113) without I/O: feed it the octets the
 * server sent with {@link receiveData}, which returns what happened as
 * {@link Http2Event}s; call `send…()` to act, then write
 * {@link dataToSend}'s octets to the transport. The preface (the client
 * magic, our SETTINGS with push disabled, and a connection WINDOW_UPDATE) is
 * queued at construction.
 *
 * Streams and the connection follow transition tables (`stream-state.ts`,
 * `connection-state.ts`). The caller's mistakes throw `LocalProtocolError`
 * and change nothing; the server's are stream errors (RST_STREAM, then a
 * `stream_reset` event) or connection errors (GOAWAY, then a final
 * `connection_error` event) per RFC 9113 §5.4.
 *
 * @example
 * ```ts
 * const conn = new Http2ClientConnection();
 * const id = conn.sendHeaders(undefined, [
 *   [":method", "GET"], [":scheme", "https"], [":authority", "example.com"], [":path", "/"],
 * ], { endStream: true });
 * socket.write(conn.dataToSend());
 * socket.on("data", (chunk: Uint8Array) => {
 *   for (const event of conn.receiveData(chunk)) {
 *     if (event.type === "data") conn.acknowledgeReceivedData(event.streamId, event.data.length);
 *   }
 *   socket.write(conn.dataToSend());
 * });
 * ```
 */
export class Http2ClientConnection {
  readonly #options: ResolvedHttp2Options;
  readonly #reader: FrameReader;
  readonly #joiner: HeaderBlockJoiner;
  readonly #decoder: HpackDecoder;
  readonly #outbox = new Outbox();
  readonly #writer = this.#outbox.writer;
  readonly #table = new StreamTable(this.#outbox);
  #state: ConnectionState = "awaiting_preface";
  /** Checks the server's first frame header before any other check; dropped once it passed. */
  #prefaceCheck: ServerPrefaceCheck | undefined = new ServerPrefaceCheck();
  #failure: ProtocolError | undefined;
  /** The server's SETTINGS as they stand (protocol defaults until it sends its own). */
  readonly #peerSettings = new Map<number, number>();
  /** Our SETTINGS frames sent and not yet acknowledged, oldest first. */
  readonly #unacknowledgedSettings: SettingPair[][] = [];
  #pendingPingAcks = 0;
  #pendingSettingsAcks = 0;
  #emptyFrames = 0;
  #goawayLastStreamId = MAX_STREAM_ID;

  constructor(options: Http2ClientOptions = {}) {
    const o = resolveHttp2Options(options);
    this.#options = o;
    // Frames above 16384 are refused until the server acknowledges a larger limit.
    this.#reader = new FrameReader({
      maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
      dataPieces: o.dataPieces,
    });
    this.#joiner = new HeaderBlockJoiner({
      maxHeaderBlockSize: o.maxHeaderBlockSize,
      maxContinuationFrames: o.maxContinuationFrames,
    });
    this.#decoder = new HpackDecoder({
      maxTableSize: DEFAULT_HEADER_TABLE_SIZE,
      maxHeaderListSize: o.maxHeaderListSize,
    });
    const settings: SettingPair[] = [
      [SETTING.ENABLE_PUSH, 0],
      [SETTING.INITIAL_WINDOW_SIZE, o.initialWindowSize],
      [SETTING.MAX_HEADER_LIST_SIZE, o.maxHeaderListSize],
    ];
    if (o.maxFrameSize !== DEFAULT_MAX_FRAME_SIZE) {
      settings.push([SETTING.MAX_FRAME_SIZE, o.maxFrameSize]);
    }
    if (o.headerTableSize !== DEFAULT_HEADER_TABLE_SIZE) {
      settings.push([SETTING.HEADER_TABLE_SIZE, o.headerTableSize]);
    }
    this.#outbox.push(CLIENT_PREFACE);
    this.#outbox.push(this.#writer.settings(settings));
    this.#unacknowledgedSettings.push(settings);
    const increment = this.#table.receiveWindow.grow(o.connectionWindowSize);
    if (increment > 0) this.#outbox.push(this.#writer.windowUpdate(0, increment));
  }

  /**
   * The connection's state: `awaiting_preface` until the server's SETTINGS,
   * then `open`; `goaway_received` or `goaway_sent` after a GOAWAY (no new
   * streams), `closed` after a connection error.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * h2.state; // "awaiting_preface"
   * ```
   */
  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Streams open or half-closed: what counts against the server's SETTINGS_MAX_CONCURRENT_STREAMS.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * const full = h2.activeStreams >= h2.peerSetting(SETTING.MAX_CONCURRENT_STREAMS)!;
   * ```
   */
  get activeStreams(): number {
    return this.#table.size;
  }

  /**
   * The id the next {@link sendHeaders} without one will use.
   *
   * @example
   * ```ts
   * new Http2ClientConnection().nextStreamId; // 1
   * ```
   */
  get nextStreamId(): number {
    return this.#table.nextStreamId;
  }

  /**
   * A SETTINGS value of the server, the protocol default until it says otherwise.
   *
   * @example
   * ```ts
   * new Http2ClientConnection().peerSetting(SETTING.INITIAL_WINDOW_SIZE); // 65535
   * ```
   */
  peerSetting(identifier: number): number | undefined {
    const value = this.#peerSettings.get(identifier);
    if (value !== undefined) return value;
    if (identifier === SETTING.MAX_CONCURRENT_STREAMS)
      return this.#options.initialMaxConcurrentStreams;
    return PEER_DEFAULTS[identifier];
  }

  /**
   * A stream's state; "closed" for a stream that was used and is gone, "idle" for one not yet used.
   *
   * @example
   * ```ts
   * new Http2ClientConnection().streamState(1); // "idle"
   * ```
   */
  streamState(streamId: number): Http2Stream["state"] {
    return this.#table.stateOf(streamId);
  }

  /**
   * Octets a stream may send now: the smaller of its window and the connection's (0 for no stream).
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * const id = h2.sendHeaders(undefined, [
   *   [":method", "POST"], [":scheme", "https"], [":authority", "example.com"], [":path", "/"],
   * ]);
   * h2.sendWindow(id); // 65535 until the server says otherwise
   * ```
   */
  sendWindow(streamId: number): number {
    const stream = this.#table.get(streamId);
    if (stream === undefined) return 0;
    return Math.max(0, Math.min(stream.sendWindow, this.#table.sendWindow));
  }

  /**
   * Octets of the server's the connection holds between calls: a frame not
   * yet whole (at most 9 + our SETTINGS_MAX_FRAME_SIZE) plus a header block
   * waiting for its CONTINUATIONs (at most `maxHeaderBlockSize`). Body octets
   * handed out in `data` events are the application's, bounded by the
   * receive windows, and not counted here. 0 after a connection error: what
   * followed it is dropped.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * h2.receiveData(chunk);
   * h2.bufferedLength <= 9 + 16_384 + 65_536; // true with the default options
   * ```
   */
  get bufferedLength(): number {
    return this.#reader.buffered + this.#joiner.bufferedLength;
  }

  /**
   * Our SETTINGS frames the server has not acknowledged yet (1 from
   * construction: the preface's). RFC 9113 §6.5.3 lets a client end the
   * connection with SETTINGS_TIMEOUT when the ACK does not come in
   * reasonable time; this core has no clock, so the I/O layer times it:
   * start a timer when writing while this is above 0, and call
   * {@link settingsAckTimedOut} when it fires.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * socket.write(h2.dataToSend());
   * if (h2.settingsAwaitingAck > 0) {
   *   setTimeout(() => {
   *     h2.settingsAckTimedOut(); // a connection_error event while still unacknowledged
   *     socket.end(h2.dataToSend());
   *   }, 10_000);
   * }
   * ```
   */
  get settingsAwaitingAck(): number {
    return this.#unacknowledgedSettings.length;
  }

  /**
   * Tells the connection the I/O layer's SETTINGS ACK timer fired. While our
   * SETTINGS are still unacknowledged ({@link settingsAwaitingAck} above 0)
   * the connection fails with `H2_SETTINGS_TIMEOUT`: a GOAWAY with
   * SETTINGS_TIMEOUT is queued and the `connection_error` event returned.
   * Otherwise (acknowledged meanwhile, or already closed) nothing happens
   * and the list is empty.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * const events = h2.settingsAckTimedOut(); // [{ type: "connection_error", errorCode: 0x4, … }]
   * socket.end(h2.dataToSend()); // the GOAWAY
   * ```
   */
  settingsAckTimedOut(): Http2Event[] {
    const events: Http2Event[] = [];
    if (this.#failure !== undefined || this.#unacknowledgedSettings.length === 0) return events;
    this.#fail(
      peerError("H2_SETTINGS_TIMEOUT", "the server did not acknowledge our SETTINGS in time"),
      events,
    );
    return events;
  }

  /**
   * DATA octets queued on a stream, waiting for the server's windows: wait for a
   * `window_update` event before queueing more when it grows.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * const id = h2.sendHeaders(undefined, [
   *   [":method", "POST"], [":scheme", "https"], [":authority", "example.com"], [":path", "/"],
   * ]);
   * h2.sendData(id, new Uint8Array(100_000));
   * h2.queuedLength(id); // 34465: what the 65535-octet window left waiting
   * ```
   */
  queuedLength(streamId: number): number {
    return this.#table.get(streamId)?.queuedLength ?? 0;
  }

  /**
   * The octets to write to the transport, oldest first; empties the queue.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * await connection.write(h2.dataToSend()); // the preface
   * ```
   */
  dataToSend(): Uint8Array {
    this.#pendingPingAcks = 0;
    this.#pendingSettingsAcks = 0;
    return this.#outbox.take();
  }

  /**
   * Feeds octets received from the server; returns the events they complete,
   * in order. Any split of the same octets gives the same events. After a
   * `connection_error` event, further calls throw that error.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * for (const event of h2.receiveData(chunk)) {
   *   if (event.type === "goaway") console.log("retry", event.unprocessedStreamIds);
   * }
   * ```
   */
  receiveData(bytes: Uint8Array): Http2Event[] {
    if (this.#failure !== undefined) throw this.#failure;
    const events: Http2Event[] = [];
    try {
      this.#reader.receiveData(bytes);
      const prefaceCheck = this.#prefaceCheck;
      if (prefaceCheck !== undefined) {
        prefaceCheck.accept(bytes);
        if (prefaceCheck.done) this.#prefaceCheck = undefined;
      }
      for (let raw = this.#reader.nextFrame(); raw !== NEED_DATA; raw = this.#reader.nextFrame()) {
        const frame = this.#joiner.accept(raw);
        if (frame !== undefined) this.#handle(frame, events);
      }
    } catch (error) {
      if (!(error instanceof RemoteProtocolError)) throw error;
      this.#fail(error, events);
    }
    return events;
  }

  /**
   * Opens a stream with a request head (no `streamId`: the next free one),
   * or sends trailers on an open one (`endStream` must then be true).
   * Returns the stream id. Throws `LocalProtocolError` (bad fields, too many
   * streams, a closed connection) before anything changes.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * const id = h2.sendHeaders(undefined, [
   *   [":method", "GET"], [":scheme", "https"], [":authority", "example.com"], [":path", "/"],
   * ], { endStream: true });
   * ```
   */
  sendHeaders(
    streamId: number | undefined,
    headers: readonly HeaderPair[],
    options: Http2SendOptions = {},
  ): number {
    this.#checkUsable();
    const existing = streamId === undefined ? undefined : this.#table.get(streamId);
    if (existing !== undefined) {
      this.#sendTrailers(existing, headers, options);
      return existing.id;
    }
    const id = streamId ?? this.#table.nextStreamId;
    if (
      !Number.isInteger(id) ||
      id % 2 === 0 ||
      id < this.#table.nextStreamId ||
      id > MAX_STREAM_ID
    ) {
      throw usageError(
        "H2_INVALID_STREAM_ID",
        `stream ${id} is not a new odd id from ${this.#table.nextStreamId}`,
      );
    }
    if (connectionTransition(this.#state, "open_stream") === undefined) {
      throw usageError("H2_CONNECTION_CLOSED", `no new streams: connection ${this.#state}`);
    }
    const limit = this.peerSetting(SETTING.MAX_CONCURRENT_STREAMS)!;
    if (this.#table.size >= limit) {
      throw usageError("H2_TOO_MANY_STREAMS", `the server allows ${limit} concurrent streams`);
    }
    const method = checkRequestHeaders(headers);
    const listSize = headers.reduce((size, [name, value]) => size + entrySize(name, value), 0);
    if (listSize > this.peerSetting(SETTING.MAX_HEADER_LIST_SIZE)!) {
      throw usageError(
        "H2_INVALID_REQUEST_HEADERS",
        `header list of ${listSize} octets, above the server's limit`,
      );
    }
    const stream = new Http2Stream(
      id,
      method,
      this.peerSetting(SETTING.INITIAL_WINDOW_SIZE)!,
      this.#table.localInitialWindow,
    );
    const block = this.#outbox.encoder.encode(headers);
    this.#table.step(stream, "send_headers");
    this.#table.add(stream);
    this.#outbox.push(this.#writer.headers(id, block, { endStream: options.endStream === true }));
    if (options.endStream) this.#table.step(stream, "send_end_stream");
    return id;
  }

  /**
   * Queues request body octets (copied); they go out as the server's windows
   * allow, split to its SETTINGS_MAX_FRAME_SIZE. `endStream` closes our side
   * once they are all out.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * const id = h2.sendHeaders(undefined, [
   *   [":method", "PUT"], [":scheme", "https"], [":authority", "example.com"], [":path", "/f"],
   * ]);
   * h2.sendData(id, new TextEncoder().encode("hello"), { endStream: true });
   * ```
   */
  sendData(streamId: number, data: Uint8Array, options: Http2SendOptions = {}): void {
    this.#checkUsable();
    const stream = this.#sendable(streamId, "send_data");
    this.#table.enqueue(stream, data, options.endStream === true);
  }

  /**
   * Closes our side of the stream (an empty DATA with END_STREAM, after any queued DATA).
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * const id = h2.sendHeaders(undefined, [
   *   [":method", "POST"], [":scheme", "https"], [":authority", "example.com"], [":path", "/"],
   * ]);
   * h2.endStream(id);
   * ```
   */
  endStream(streamId: number): void {
    this.sendData(streamId, EMPTY_BYTES, { endStream: true });
  }

  /**
   * Resets a stream (RST_STREAM, CANCEL by default); queued DATA is dropped.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * const id = h2.sendHeaders(undefined, [
   *   [":method", "GET"], [":scheme", "https"], [":authority", "example.com"], [":path", "/"],
   * ], { endStream: true });
   * h2.resetStream(id); // the caller gave up: CANCEL
   * ```
   */
  resetStream(streamId: number, errorCode: number = HTTP2_ERROR.CANCEL): void {
    this.#checkUsable();
    const stream = this.#table.get(streamId);
    if (stream === undefined) {
      throw usageError("H2_INVALID_STREAM_STATE", `stream ${streamId} is not open`);
    }
    this.#outbox.push(this.#writer.rstStream(streamId, errorCode));
    this.#table.forget(stream);
  }

  /**
   * Gives back `length` octets of a stream's DATA the application consumed;
   * WINDOW_UPDATEs go out once half a window is owed. Octets of a stream
   * that is gone still count for the connection's window.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * for (const event of h2.receiveData(chunk)) {
   *   if (event.type === "data") h2.acknowledgeReceivedData(event.streamId, event.data.length);
   * }
   * ```
   */
  acknowledgeReceivedData(streamId: number, length: number): void {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw usageError("INVALID_OPTION", `cannot acknowledge ${length} octets`);
    }
    if (this.#failure !== undefined) return;
    const stream = this.#table.get(streamId);
    if (stream !== undefined) this.#table.consumeStream(stream, length);
    this.#table.consumeConnection(length);
  }

  /**
   * Sends a PING with 8 octets of opaque data; a `ping_ack` event carries the answer.
   *
   * @example
   * ```ts
   * new Http2ClientConnection().ping(new Uint8Array(8));
   * ```
   */
  ping(opaqueData: Uint8Array): void {
    this.#checkUsable();
    this.#outbox.push(this.#writer.ping(opaqueData));
  }

  /**
   * Sends GOAWAY: no new streams; open ones may finish.
   *
   * @example
   * ```ts
   * const h2 = new Http2ClientConnection();
   * h2.close();
   * h2.state; // "goaway_sent"
   * ```
   */
  close(errorCode: number = HTTP2_ERROR.NO_ERROR): void {
    if (this.#state === "closed") return;
    this.#outbox.push(this.#writer.goaway(0, errorCode));
    this.#state = connectionTransition(this.#state, "send_goaway") ?? this.#state;
  }

  #checkUsable(): void {
    if (this.#failure !== undefined || this.#state === "closed") {
      throw usageError("H2_CONNECTION_CLOSED", "the connection closed after an error");
    }
  }

  #sendable(streamId: number, input: StreamInput): Http2Stream {
    const stream = this.#table.get(streamId);
    const state = stream?.state ?? this.streamState(streamId);
    if (
      stream === undefined ||
      stream.endQueued ||
      typeof streamTransition(state, input) !== "string"
    ) {
      throw usageError("H2_INVALID_STREAM_STATE", `cannot send on stream ${streamId} (${state})`);
    }
    return stream;
  }

  #sendTrailers(
    stream: Http2Stream,
    headers: readonly HeaderPair[],
    options: Http2SendOptions,
  ): void {
    this.#sendable(stream.id, "send_headers");
    if (!options.endStream) {
      throw usageError("H2_INVALID_STREAM_STATE", "trailers must end the stream (endStream: true)");
    }
    checkRequestTrailers(headers);
    stream.trailersQueued = headers.map(([name, value]): HeaderPair => [name, value]);
    this.#table.enqueue(stream, EMPTY_BYTES, true);
  }

  #fail(error: RemoteProtocolError, events: Http2Event[]): void {
    const errorCode = http2ErrorCodeOf(error.code);
    this.#outbox.push(this.#writer.goaway(0, errorCode));
    this.#state = "closed";
    this.#failure = error;
    // Nothing more is read: the octets after the error are not kept.
    this.#reader.discard();
    this.#joiner.discard();
    events.push({ type: "connection_error", error, errorCode });
  }

  #connection(input: ConnectionInput, frame: Http2Frame): void {
    const next = connectionTransition(this.#state, input);
    if (next === undefined) {
      throw peerError("H2_BAD_PREFACE", `${frame.type} frame before the server's SETTINGS`);
    }
    this.#state = next;
  }

  /** Counts a frame that carried nothing; too many in a row is a flood. */
  #empty(): void {
    if (++this.#emptyFrames > this.#options.maxEmptyFrames) {
      throw peerError(
        "H2_EMPTY_FRAME_FLOOD",
        `more than ${this.#options.maxEmptyFrames} frames in a row that carry nothing`,
      );
    }
  }

  #handle(frame: Http2Frame, events: Http2Event[]): void {
    if (frame.type === "settings" && !frame.ack) this.#connection("recv_settings", frame);
    else if (frame.type === "goaway") this.#connection("recv_goaway", frame);
    else this.#connection("recv_frame", frame);
    switch (frame.type) {
      case "data":
        this.#onData(frame, events);
        break;
      case "headers":
        this.#onHeaders(frame, events);
        break;
      case "rst_stream":
        this.#onReset(frame.streamId, frame.errorCode, events);
        break;
      case "settings":
        if (frame.ack) this.#onSettingsAck(events);
        else this.#onSettings(frame.settings, events);
        break;
      case "ping":
        this.#onPing(frame.ack, frame.opaqueData, events);
        break;
      case "goaway":
        this.#onGoaway(frame.lastStreamId, frame.errorCode, frame.debugData, events);
        break;
      case "window_update":
        this.#onWindowUpdate(frame.streamId, frame.increment, events);
        break;
      case "push_promise":
        throw peerError("H2_PUSH_REFUSED", "PUSH_PROMISE although push is disabled");
      default:
        // PRIORITY, unknown types (and a CONTINUATION, which the joiner never passes).
        this.#empty();
    }
  }

  /**
   * The stream a server frame is about, `undefined` for one that is closed:
   * the frame is ignored (it may have crossed our RST_STREAM or END_STREAM,
   * RFC 9113 §5.1) and not counted as a flood, since cancelling many streams
   * at once legitimately draws many such frames, and ignoring them sends
   * nothing. A frame on a stream never opened, or on an even (server-opened)
   * one, is a connection error.
   */
  #streamFor(streamId: number, what: string): Http2Stream | undefined {
    if (streamId % 2 === 0 || streamId >= this.#table.nextStreamId) {
      throw peerError(
        "H2_INVALID_STREAM_STATE",
        `${what} on stream ${streamId}, which we never opened`,
      );
    }
    return this.#table.get(streamId);
  }

  /** Applies a transition a server frame makes, or throws the stream or connection error it is. */
  #recv(stream: Http2Stream, input: StreamInput, what: string): void {
    const next = streamTransition(stream.state, input);
    if (typeof next !== "string") {
      const error = peerError(next.code, `${what} on stream ${stream.id} (${stream.state})`);
      if (next.scope === "stream") throw new StreamError(error);
      throw error;
    }
    stream.state = next;
  }

  /** Resets a stream for the server's stream error and reports it. */
  #streamError(stream: Http2Stream, error: RemoteProtocolError, events: Http2Event[]): void {
    const errorCode = http2ErrorCodeOf(error.code);
    this.#outbox.push(this.#writer.rstStream(stream.id, errorCode));
    this.#table.forget(stream);
    events.push({ type: "stream_reset", streamId: stream.id, errorCode, error });
  }

  #onData(frame: Extract<Http2Frame, { type: "data" }>, events: Http2Event[]): void {
    const length = frame.flowControlledLength;
    const more = frame.more;
    let dataLength = frame.data.length;
    if (more !== undefined) for (const piece of more) dataLength += piece.length;
    if (!this.#table.receiveWindow.receive(length)) {
      throw peerError("H2_FLOW_CONTROL", `DATA of ${length} octets beyond the connection window`);
    }
    const stream = this.#streamFor(frame.streamId, "DATA");
    if (dataLength === 0 && !frame.endStream) this.#empty();
    if (stream === undefined) {
      this.#table.consumeConnection(length);
      return;
    }
    // Padding is consumed at once: the application never sees it.
    this.#table.consumeConnection(length - dataLength);
    try {
      this.#recv(stream, "recv_data", "DATA");
      if (!stream.receiveWindow.receive(length)) {
        throw new StreamError(
          peerError("H2_FLOW_CONTROL", `DATA beyond stream ${stream.id}'s window`),
        );
      }
      this.#table.consumeStream(stream, length - dataLength);
      if (!stream.responded) {
        throw new StreamError(
          peerError("H2_INVALID_STREAM_STATE", "DATA before the response head"),
        );
      }
      stream.receivedLength += dataLength;
      checkContentLength(stream, frame.endStream);
    } catch (error) {
      if (!(error instanceof StreamError)) throw error;
      // Never delivered, so never acknowledged by the application.
      this.#table.consumeConnection(dataLength);
      this.#streamError(stream, error.error, events);
      return;
    }
    if (dataLength > 0) {
      this.#emptyFrames = 0;
      if (frame.data.length > 0)
        events.push({ type: "data", streamId: stream.id, data: frame.data });
      // A payload that straddled received chunks (the dataPieces option): one event per piece.
      if (more !== undefined)
        for (const data of more) events.push({ type: "data", streamId: stream.id, data });
    }
    if (frame.endStream) this.#remoteEnd(stream, events);
  }

  #remoteEnd(stream: Http2Stream, events: Http2Event[]): void {
    this.#recv(stream, "recv_end_stream", "END_STREAM");
    events.push({ type: "stream_end", streamId: stream.id });
    if (stream.state === "closed") this.#table.forget(stream);
  }

  #onHeaders(frame: Extract<Http2Frame, { type: "headers" }>, events: Http2Event[]): void {
    // Decoded first, whatever the stream: the HPACK table must stay in step.
    let fields: HeaderPair[] | undefined;
    let tooLarge: RemoteProtocolError | undefined;
    try {
      fields = this.#decoder.decode(frame.fragment);
    } catch (error) {
      if (!(error instanceof ProtocolError) || error.code !== "HEADER_LIST_TOO_LARGE") throw error;
      tooLarge = peerError("H2_HEADER_LIST_TOO_LARGE", error.message);
    }
    const stream = this.#streamFor(frame.streamId, "HEADERS");
    if (stream === undefined) return;
    try {
      if (tooLarge !== undefined) throw new StreamError(tooLarge);
      this.#recv(stream, "recv_headers", "HEADERS");
      const max = this.#options.maxInformationalResponses;
      events.push(
        stream.responded
          ? acceptTrailers(stream, fields!, frame.endStream)
          : acceptResponseHead(stream, fields!, frame.endStream, max),
      );
    } catch (error) {
      if (!(error instanceof StreamError)) throw error;
      this.#streamError(stream, error.error, events);
      return;
    }
    this.#emptyFrames = 0;
    if (frame.endStream) this.#remoteEnd(stream, events);
  }

  #onReset(streamId: number, errorCode: number, events: Http2Event[]): void {
    const stream = this.#streamFor(streamId, "RST_STREAM");
    if (stream === undefined) return;
    this.#table.forget(stream);
    events.push({ type: "stream_reset", streamId, errorCode, error: undefined });
  }

  #onSettings(settings: SettingPair[], events: Http2Event[]): void {
    if (++this.#pendingSettingsAcks > this.#options.maxPendingAcks) {
      throw peerError(
        "H2_SETTINGS_FLOOD",
        `more than ${this.#options.maxPendingAcks} SETTINGS waiting for an ACK`,
      );
    }
    for (const [identifier, value] of settings) this.#applyPeerSetting(identifier, value);
    this.#outbox.push(this.#writer.settingsAck());
    events.push({ type: "settings_changed", settings });
    this.#table.flush();
  }

  #applyPeerSetting(identifier: number, value: number): void {
    switch (identifier) {
      case SETTING.ENABLE_PUSH:
        if (value !== 0)
          throw peerError("H2_INVALID_PEER_SETTING", "a server set ENABLE_PUSH to 1");
        break;
      case SETTING.HEADER_TABLE_SIZE:
        this.#outbox.encoder.setPeerMaxTableSize(value);
        break;
      case SETTING.MAX_FRAME_SIZE:
        this.#writer.setMaxFrameSize(value);
        break;
      case SETTING.INITIAL_WINDOW_SIZE: {
        const delta = value - this.peerSetting(SETTING.INITIAL_WINDOW_SIZE)!;
        for (const stream of this.#table.values()) {
          stream.sendWindow = addToSendWindow(stream.sendWindow, delta, `stream ${stream.id}`);
        }
        break;
      }
    }
    this.#peerSettings.set(identifier, value);
  }

  #onSettingsAck(events: Http2Event[]): void {
    const settings = this.#unacknowledgedSettings.shift();
    if (settings === undefined) {
      throw peerError(
        "H2_UNEXPECTED_SETTINGS_ACK",
        "SETTINGS ACK with no SETTINGS waiting for one",
      );
    }
    for (const [identifier, value] of settings) {
      if (identifier === SETTING.MAX_FRAME_SIZE) this.#reader.setMaxFrameSize(value);
      else if (identifier === SETTING.HEADER_TABLE_SIZE) this.#decoder.setMaxTableSize(value);
      else if (identifier === SETTING.INITIAL_WINDOW_SIZE) {
        for (const stream of this.#table.values()) stream.receiveWindow.resize(value);
        this.#table.localInitialWindow = value;
      }
    }
    events.push({ type: "settings_acknowledged" });
  }

  #onPing(ack: boolean, opaqueData: Uint8Array, events: Http2Event[]): void {
    if (ack) {
      events.push({ type: "ping_ack", opaqueData: opaqueData.slice() });
      return;
    }
    if (++this.#pendingPingAcks > this.#options.maxPendingAcks) {
      throw peerError(
        "H2_PING_FLOOD",
        `more than ${this.#options.maxPendingAcks} PINGs waiting for an ACK`,
      );
    }
    this.#outbox.push(this.#writer.ping(opaqueData, true));
  }

  #onGoaway(
    lastStreamId: number,
    errorCode: number,
    debugData: Uint8Array,
    events: Http2Event[],
  ): void {
    // A later GOAWAY may lower the last stream id, never raise it (§6.8).
    this.#goawayLastStreamId = Math.min(this.#goawayLastStreamId, lastStreamId);
    const unprocessedStreamIds: number[] = [];
    for (const stream of [...this.#table.values()]) {
      if (stream.id <= this.#goawayLastStreamId) continue;
      unprocessedStreamIds.push(stream.id);
      this.#table.forget(stream);
    }
    events.push({
      type: "goaway",
      lastStreamId,
      errorCode,
      debugData: debugData.slice(),
      unprocessedStreamIds,
    });
  }

  #onWindowUpdate(streamId: number, increment: number, events: Http2Event[]): void {
    if (streamId === 0) {
      this.#table.sendWindow = addToSendWindow(this.#table.sendWindow, increment, "the connection");
    } else {
      const stream = this.#streamFor(streamId, "WINDOW_UPDATE");
      if (stream === undefined) return;
      try {
        stream.sendWindow = addToSendWindow(stream.sendWindow, increment, `stream ${streamId}`);
      } catch (error) {
        this.#streamError(stream, error as RemoteProtocolError, events);
        return;
      }
    }
    events.push({ type: "window_update", streamId, increment });
    // Sent frame by frame, so the output does not depend on how the input was cut.
    this.#table.flush();
  }
}

/** The server's SETTINGS before it sends any (RFC 9113 §6.5.2). */
const PEER_DEFAULTS: Readonly<Record<number, number>> = {
  [SETTING.HEADER_TABLE_SIZE]: DEFAULT_HEADER_TABLE_SIZE,
  [SETTING.ENABLE_PUSH]: 1,
  [SETTING.INITIAL_WINDOW_SIZE]: DEFAULT_WINDOW,
  [SETTING.MAX_FRAME_SIZE]: DEFAULT_MAX_FRAME_SIZE,
  [SETTING.MAX_HEADER_LIST_SIZE]: Number.POSITIVE_INFINITY,
};

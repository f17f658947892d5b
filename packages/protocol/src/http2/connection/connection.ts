import { concatBytes, EMPTY_BYTES } from "../../bytes.ts";
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
import { FrameWriter } from "../frames/writer.ts";
import { DEFAULT_HEADER_TABLE_SIZE, HpackDecoder } from "../hpack/decoder.ts";
import { entrySize } from "../hpack/dynamic-table.ts";
import { HpackEncoder } from "../hpack/encoder.ts";
import {
  type ConnectionInput,
  type ConnectionState,
  connectionTransition,
} from "./connection-state.ts";
import {
  type Http2ConnectionErrorCode,
  http2ErrorCodeOf,
  peerError,
  usageError,
} from "./errors.ts";
import type { Http2Event } from "./events.ts";
import { addToSendWindow, ReceiveWindow } from "./flow-control.ts";
import {
  checkRequestHeaders,
  checkRequestTrailers,
  parseResponseHeaders,
  parseResponseTrailers,
} from "./header-rules.ts";
import {
  type Http2ClientOptions,
  type ResolvedHttp2Options,
  resolveHttp2Options,
} from "./options.ts";
import { Http2Stream } from "./stream.ts";
import { type StreamInput, streamTransition } from "./stream-state.ts";

const DEFAULT_WINDOW = 65_535;
/** Statuses whose responses carry no content whatever their content-length (RFC 9110 §8.6). */
const NO_CONTENT_STATUS = new Set([204, 304]);

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

/** A stream error found while handling a frame: reset the stream, the connection stays. */
class StreamError {
  constructor(readonly error: RemoteProtocolError) {}
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
  readonly #encoder = new HpackEncoder();
  readonly #writer = new FrameWriter();
  readonly #streams = new Map<number, Http2Stream>();
  readonly #receiveWindow: ReceiveWindow;
  #out: Uint8Array[] = [];
  #state: ConnectionState = "awaiting_preface";
  #failure: ProtocolError | undefined;
  #nextStreamId = 1;
  #sendWindow = DEFAULT_WINDOW;
  /** The server's SETTINGS as they stand (protocol defaults until it sends its own). */
  readonly #peerSettings = new Map<number, number>();
  /** Our SETTINGS frames sent and not yet acknowledged, oldest first. */
  readonly #unacknowledgedSettings: SettingPair[][] = [];
  #localInitialWindow = DEFAULT_WINDOW;
  #pendingPingAcks = 0;
  #pendingSettingsAcks = 0;
  #emptyFrames = 0;
  #goawayLastStreamId = MAX_STREAM_ID;

  constructor(options: Http2ClientOptions = {}) {
    const o = resolveHttp2Options(options);
    this.#options = o;
    // Frames above 16384 are refused until the server acknowledges a larger limit.
    this.#reader = new FrameReader({ maxFrameSize: DEFAULT_MAX_FRAME_SIZE });
    this.#joiner = new HeaderBlockJoiner({
      maxHeaderBlockSize: o.maxHeaderBlockSize,
      maxContinuationFrames: o.maxContinuationFrames,
    });
    this.#decoder = new HpackDecoder({
      maxTableSize: DEFAULT_HEADER_TABLE_SIZE,
      maxHeaderListSize: o.maxHeaderListSize,
    });
    this.#receiveWindow = new ReceiveWindow(DEFAULT_WINDOW);
    const settings: SettingPair[] = [
      [SETTING.ENABLE_PUSH, 0],
      [SETTING.INITIAL_WINDOW_SIZE, o.initialWindowSize],
      [SETTING.MAX_HEADER_LIST_SIZE, o.maxHeaderListSize],
    ];
    if (o.maxFrameSize !== DEFAULT_MAX_FRAME_SIZE)
      settings.push([SETTING.MAX_FRAME_SIZE, o.maxFrameSize]);
    if (o.headerTableSize !== DEFAULT_HEADER_TABLE_SIZE) {
      settings.push([SETTING.HEADER_TABLE_SIZE, o.headerTableSize]);
    }
    this.#out.push(CLIENT_PREFACE, this.#writer.settings(settings));
    this.#unacknowledgedSettings.push(settings);
    const increment = this.#receiveWindow.grow(o.connectionWindowSize);
    if (increment > 0) this.#out.push(this.#writer.windowUpdate(0, increment));
  }

  /** The connection's state (see `connection-state.ts`). */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Streams open or half-closed: what counts against the server's SETTINGS_MAX_CONCURRENT_STREAMS. */
  get activeStreams(): number {
    return this.#streams.size;
  }

  /** The id the next {@link sendHeaders} without one will use. */
  get nextStreamId(): number {
    return this.#nextStreamId;
  }

  /** A SETTINGS value of the server, the protocol default until it says otherwise. */
  peerSetting(identifier: number): number | undefined {
    const value = this.#peerSettings.get(identifier);
    if (value !== undefined) return value;
    if (identifier === SETTING.MAX_CONCURRENT_STREAMS)
      return this.#options.initialMaxConcurrentStreams;
    return PEER_DEFAULTS[identifier];
  }

  /** A stream's state; "closed" for a stream that was used and is gone, "idle" for one not yet used. */
  streamState(streamId: number): Http2Stream["state"] {
    const stream = this.#streams.get(streamId);
    if (stream !== undefined) return stream.state;
    return streamId < this.#nextStreamId ? "closed" : "idle";
  }

  /** Octets a stream may send now: the smaller of its window and the connection's (0 for no stream). */
  sendWindow(streamId: number): number {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) return 0;
    return Math.max(0, Math.min(stream.sendWindow, this.#sendWindow));
  }

  /** DATA octets queued on a stream, waiting for the server's windows. */
  queuedLength(streamId: number): number {
    return this.#streams.get(streamId)?.queuedLength ?? 0;
  }

  /** The octets to write to the transport, oldest first; empties the queue. */
  dataToSend(): Uint8Array {
    this.#pendingPingAcks = 0;
    this.#pendingSettingsAcks = 0;
    if (this.#out.length === 0) return EMPTY_BYTES;
    const out = this.#out.length === 1 ? this.#out[0]! : concatBytes(this.#out);
    this.#out = [];
    return out;
  }

  /**
   * Feeds octets received from the server; returns the events they complete,
   * in order. Any split of the same octets gives the same events. After a
   * `connection_error` event, further calls throw that error.
   */
  receiveData(bytes: Uint8Array): Http2Event[] {
    if (this.#failure !== undefined) throw this.#failure;
    const events: Http2Event[] = [];
    try {
      this.#reader.receiveData(bytes);
      for (let raw = this.#reader.nextFrame(); raw !== NEED_DATA; raw = this.#reader.nextFrame()) {
        const frame = this.#joiner.accept(raw);
        if (frame !== undefined) this.#handle(frame, events);
      }
      this.#flush();
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
   */
  sendHeaders(
    streamId: number | undefined,
    headers: readonly HeaderPair[],
    options: Http2SendOptions = {},
  ): number {
    this.#checkUsable();
    const existing = streamId === undefined ? undefined : this.#streams.get(streamId);
    if (existing !== undefined) {
      this.#sendTrailers(existing, headers, options);
      return existing.id;
    }
    const id = streamId ?? this.#nextStreamId;
    if (!Number.isInteger(id) || id % 2 === 0 || id < this.#nextStreamId || id > MAX_STREAM_ID) {
      throw usageError(
        "H2_INVALID_STREAM_ID",
        `stream ${id} is not a new odd id from ${this.#nextStreamId}`,
      );
    }
    if (connectionTransition(this.#state, "open_stream") === undefined) {
      throw usageError("H2_CONNECTION_CLOSED", `no new streams: connection ${this.#state}`);
    }
    const limit = this.peerSetting(SETTING.MAX_CONCURRENT_STREAMS)!;
    if (this.#streams.size >= limit) {
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
      this.#localInitialWindow,
    );
    const block = this.#encoder.encode(headers);
    this.#step(stream, "send_headers");
    this.#streams.set(id, stream);
    this.#nextStreamId = id + 2;
    this.#out.push(this.#writer.headers(id, block, { endStream: options.endStream === true }));
    if (options.endStream) this.#step(stream, "send_end_stream");
    return id;
  }

  /**
   * Queues request body octets (copied); they go out as the server's windows
   * allow, split to its SETTINGS_MAX_FRAME_SIZE. `endStream` closes our side
   * once they are all out.
   */
  sendData(streamId: number, data: Uint8Array, options: Http2SendOptions = {}): void {
    this.#checkUsable();
    const stream = this.#sendable(streamId, "send_data");
    if (data.length > 0) {
      stream.queued.push(data.slice());
      stream.queuedLength += data.length;
    }
    if (options.endStream) stream.endQueued = true;
    this.#flush();
  }

  /** Closes our side of the stream (an empty DATA with END_STREAM, after any queued DATA). */
  endStream(streamId: number): void {
    this.sendData(streamId, EMPTY_BYTES, { endStream: true });
  }

  /** Resets a stream (RST_STREAM, CANCEL by default); queued DATA is dropped. */
  resetStream(streamId: number, errorCode: number = HTTP2_ERROR.CANCEL): void {
    this.#checkUsable();
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      throw usageError("H2_INVALID_STREAM_STATE", `stream ${streamId} is not open`);
    }
    this.#out.push(this.#writer.rstStream(streamId, errorCode));
    stream.state = "closed";
    this.#forget(stream);
  }

  /**
   * Gives back `length` octets of a stream's DATA the application consumed;
   * WINDOW_UPDATEs go out once half a window is owed. Octets of a stream
   * that is gone still count for the connection's window.
   */
  acknowledgeReceivedData(streamId: number, length: number): void {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw usageError("INVALID_OPTION", `cannot acknowledge ${length} octets`);
    }
    if (this.#failure !== undefined) return;
    const stream = this.#streams.get(streamId);
    if (stream !== undefined) this.#consumeStream(stream, length);
    this.#consumeConnection(length);
  }

  /** Sends a PING with 8 octets of opaque data; a `ping_ack` event carries the answer. */
  ping(opaqueData: Uint8Array): void {
    this.#checkUsable();
    this.#out.push(this.#writer.ping(opaqueData));
  }

  /** Sends GOAWAY: no new streams; open ones may finish. */
  close(errorCode: number = HTTP2_ERROR.NO_ERROR): void {
    if (this.#state === "closed") return;
    this.#out.push(this.#writer.goaway(0, errorCode));
    this.#state = connectionTransition(this.#state, "send_goaway") ?? this.#state;
  }

  #checkUsable(): void {
    if (this.#failure !== undefined || this.#state === "closed") {
      throw usageError("H2_CONNECTION_CLOSED", "the connection closed after an error");
    }
  }

  #sendable(streamId: number, input: StreamInput): Http2Stream {
    const stream = this.#streams.get(streamId);
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
    stream.endQueued = true;
    this.#flush();
  }

  /** Sends queued DATA (then END_STREAM or trailers) as far as the windows allow. */
  #flush(): void {
    for (const stream of this.#streams.values()) {
      if (!stream.hasQueued) continue;
      while (stream.queuedLength > 0) {
        const room = Math.min(stream.sendWindow, this.#sendWindow, this.#writer.maxFrameSize);
        if (room <= 0) break;
        const chunk = takeOctets(stream, room);
        this.#sendWindow -= chunk.length;
        stream.sendWindow -= chunk.length;
        const last =
          stream.queuedLength === 0 && stream.endQueued && stream.trailersQueued === undefined;
        this.#out.push(this.#writer.data(stream.id, chunk, { endStream: last }));
        if (last) this.#step(stream, "send_end_stream");
      }
      if (stream.queuedLength > 0 || !stream.endQueued || stream.state === "half_closed_local")
        continue;
      if (stream.state === "closed") continue;
      const trailers = stream.trailersQueued;
      this.#out.push(
        trailers === undefined
          ? this.#writer.data(stream.id, EMPTY_BYTES, { endStream: true })
          : this.#writer.headers(stream.id, this.#encoder.encode(trailers), { endStream: true }),
      );
      stream.trailersQueued = undefined;
      this.#step(stream, "send_end_stream");
    }
  }

  /** Applies a transition the caller made; removes the stream once closed. */
  #step(stream: Http2Stream, input: StreamInput): void {
    const next = streamTransition(stream.state, input);
    if (typeof next !== "string") {
      throw usageError(
        next.code === "H2_STREAM_CLOSED" ? "H2_INVALID_STREAM_STATE" : next.code,
        `${input} on stream ${stream.id} (${stream.state})`,
      );
    }
    stream.state = next;
    if (next === "closed") this.#forget(stream);
  }

  /**
   * Drops a closed stream and its queued DATA. Octets it delivered still
   * count for the connection until the application acknowledges them.
   */
  #forget(stream: Http2Stream): void {
    stream.state = "closed";
    this.#streams.delete(stream.id);
    stream.queued.length = 0;
    stream.queuedLength = 0;
  }

  #consumeStream(stream: Http2Stream, length: number): void {
    const increment = stream.receiveWindow.consume(length);
    // Once the server ended the stream, its window no longer matters.
    if (increment > 0 && stream.state !== "half_closed_remote") {
      this.#out.push(this.#writer.windowUpdate(stream.id, increment));
    }
  }

  #consumeConnection(length: number): void {
    const increment = this.#receiveWindow.consume(length);
    if (increment > 0) this.#out.push(this.#writer.windowUpdate(0, increment));
  }

  #fail(error: RemoteProtocolError, events: Http2Event[]): void {
    const errorCode = http2ErrorCodeOf(error.code);
    this.#out.push(this.#writer.goaway(0, errorCode));
    this.#state = "closed";
    this.#failure = error;
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
   * The stream a server frame is about, `undefined` for one that is closed
   * (the frame is ignored: it may have crossed our RST_STREAM). A frame on a
   * stream never opened, or on an even (server-opened) one, is a connection error.
   */
  #streamFor(streamId: number, what: string): Http2Stream | undefined {
    if (streamId % 2 === 0 || streamId >= this.#nextStreamId) {
      throw peerError(
        "H2_INVALID_STREAM_STATE",
        `${what} on stream ${streamId}, which we never opened`,
      );
    }
    return this.#streams.get(streamId);
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
    this.#out.push(this.#writer.rstStream(stream.id, errorCode));
    this.#forget(stream);
    events.push({ type: "stream_reset", streamId: stream.id, errorCode, error });
  }

  #onData(frame: Extract<Http2Frame, { type: "data" }>, events: Http2Event[]): void {
    const length = frame.flowControlledLength;
    if (!this.#receiveWindow.receive(length)) {
      throw peerError("H2_FLOW_CONTROL", `DATA of ${length} octets beyond the connection window`);
    }
    const stream = this.#streamFor(frame.streamId, "DATA");
    if (stream === undefined || (frame.data.length === 0 && !frame.endStream)) this.#empty();
    if (stream === undefined) {
      this.#consumeConnection(length);
      return;
    }
    // Padding is consumed at once: the application never sees it.
    this.#consumeConnection(length - frame.data.length);
    try {
      this.#recv(stream, "recv_data", "DATA");
      if (!stream.receiveWindow.receive(length)) {
        throw new StreamError(
          peerError("H2_FLOW_CONTROL", `DATA beyond stream ${stream.id}'s window`),
        );
      }
      this.#consumeStream(stream, length - frame.data.length);
      if (!stream.responded) {
        throw new StreamError(
          peerError("H2_INVALID_STREAM_STATE", "DATA before the response head"),
        );
      }
      stream.receivedLength += frame.data.length;
      this.#checkLength(stream, frame.endStream);
    } catch (error) {
      if (!(error instanceof StreamError)) throw error;
      // Never delivered, so never acknowledged by the application.
      this.#consumeConnection(frame.data.length);
      this.#streamError(stream, error.error, events);
      return;
    }
    if (frame.data.length > 0) {
      this.#emptyFrames = 0;
      events.push({ type: "data", streamId: stream.id, data: frame.data });
    }
    if (frame.endStream) this.#remoteEnd(stream, events);
  }

  #checkLength(stream: Http2Stream, ended: boolean): void {
    const expected = stream.expectedLength;
    if (expected === undefined) return;
    if (stream.receivedLength > expected || (ended && stream.receivedLength !== expected)) {
      throw new StreamError(
        peerError(
          "H2_CONTENT_LENGTH_MISMATCH",
          `${stream.receivedLength}${ended ? "" : "+"} DATA octets, content-length ${expected}`,
        ),
      );
    }
  }

  #remoteEnd(stream: Http2Stream, events: Http2Event[]): void {
    this.#recv(stream, "recv_end_stream", "END_STREAM");
    events.push({ type: "stream_end", streamId: stream.id });
    if (stream.state === "closed") this.#forget(stream);
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
    if (stream === undefined) {
      this.#empty();
      return;
    }
    try {
      if (tooLarge !== undefined) throw new StreamError(tooLarge);
      this.#recv(stream, "recv_headers", "HEADERS");
      if (stream.responded) {
        if (!frame.endStream) {
          throw new StreamError(
            peerError("H2_INVALID_RESPONSE_HEADERS", "trailers without END_STREAM"),
          );
        }
        this.#checkLength(stream, true);
        events.push({
          type: "trailers",
          streamId: stream.id,
          headers: parseResponseTrailers(fields!),
        });
      } else {
        this.#onHead(stream, fields!, frame.endStream, events);
      }
    } catch (error) {
      if (
        !(
          error instanceof StreamError ||
          (error instanceof RemoteProtocolError && isStreamLevel(error))
        )
      )
        throw error;
      this.#streamError(stream, error instanceof StreamError ? error.error : error, events);
      return;
    }
    this.#emptyFrames = 0;
    if (frame.endStream) this.#remoteEnd(stream, events);
  }

  #onHead(
    stream: Http2Stream,
    fields: HeaderPair[],
    endStream: boolean,
    events: Http2Event[],
  ): void {
    const head = parseResponseHeaders(fields);
    if (head.status < 200) {
      if (head.status === 101 || endStream) {
        throw peerError(
          "H2_INVALID_RESPONSE_HEADERS",
          `${head.status} response ${endStream ? "ending the stream" : "in HTTP/2"}`,
        );
      }
      if (++stream.informationalCount > this.#options.maxInformationalResponses) {
        throw peerError(
          "H2_HEADERS_FLOOD",
          `more than ${this.#options.maxInformationalResponses} 1xx heads on stream ${stream.id}`,
        );
      }
      events.push({
        type: "informational",
        streamId: stream.id,
        status: head.status,
        headers: head.headers,
      });
      return;
    }
    stream.responded = true;
    if (stream.method !== "HEAD" && !NO_CONTENT_STATUS.has(head.status)) {
      stream.expectedLength = head.contentLength;
    }
    if (endStream) this.#checkLength(stream, true);
    events.push({
      type: "response",
      streamId: stream.id,
      status: head.status,
      headers: head.headers,
    });
  }

  #onReset(streamId: number, errorCode: number, events: Http2Event[]): void {
    const stream = this.#streamFor(streamId, "RST_STREAM");
    if (stream === undefined) {
      this.#empty();
      return;
    }
    this.#forget(stream);
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
    this.#out.push(this.#writer.settingsAck());
    events.push({ type: "settings_changed", settings });
  }

  #applyPeerSetting(identifier: number, value: number): void {
    switch (identifier) {
      case SETTING.ENABLE_PUSH:
        if (value !== 0)
          throw peerError("H2_INVALID_PEER_SETTING", "a server set ENABLE_PUSH to 1");
        break;
      case SETTING.HEADER_TABLE_SIZE:
        this.#encoder.setPeerMaxTableSize(value);
        break;
      case SETTING.MAX_FRAME_SIZE:
        this.#writer.setMaxFrameSize(value);
        break;
      case SETTING.INITIAL_WINDOW_SIZE: {
        const delta = value - this.peerSetting(SETTING.INITIAL_WINDOW_SIZE)!;
        for (const stream of this.#streams.values()) {
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
        for (const stream of this.#streams.values()) stream.receiveWindow.resize(value);
        this.#localInitialWindow = value;
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
    this.#out.push(this.#writer.ping(opaqueData, true));
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
    for (const stream of [...this.#streams.values()]) {
      if (stream.id <= this.#goawayLastStreamId) continue;
      unprocessedStreamIds.push(stream.id);
      this.#forget(stream);
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
      this.#sendWindow = addToSendWindow(this.#sendWindow, increment, "the connection");
    } else {
      const stream = this.#streamFor(streamId, "WINDOW_UPDATE");
      if (stream === undefined) {
        this.#empty();
        return;
      }
      try {
        stream.sendWindow = addToSendWindow(stream.sendWindow, increment, `stream ${streamId}`);
      } catch (error) {
        this.#streamError(stream, error as RemoteProtocolError, events);
        return;
      }
    }
    events.push({ type: "window_update", streamId, increment });
  }
}

/** Errors from header checks that concern one stream only. */
function isStreamLevel(error: RemoteProtocolError): boolean {
  const code = error.code as Http2ConnectionErrorCode;
  return code === "H2_INVALID_RESPONSE_HEADERS" || code === "H2_CONTENT_LENGTH_MISMATCH";
}

/** Takes up to `room` octets from the front of a stream's queue. */
function takeOctets(stream: Http2Stream, room: number): Uint8Array {
  const front = stream.queued[0]!;
  if (front.length <= room) {
    stream.queued.shift();
    stream.queuedLength -= front.length;
    return front;
  }
  stream.queued[0] = front.subarray(room);
  stream.queuedLength -= room;
  return front.subarray(0, room);
}

/** The server's SETTINGS before it sends any (RFC 9113 §6.5.2). */
const PEER_DEFAULTS: Readonly<Record<number, number>> = {
  [SETTING.HEADER_TABLE_SIZE]: DEFAULT_HEADER_TABLE_SIZE,
  [SETTING.ENABLE_PUSH]: 1,
  [SETTING.INITIAL_WINDOW_SIZE]: DEFAULT_WINDOW,
  [SETTING.MAX_FRAME_SIZE]: DEFAULT_MAX_FRAME_SIZE,
  [SETTING.MAX_HEADER_LIST_SIZE]: Number.POSITIVE_INFINITY,
};

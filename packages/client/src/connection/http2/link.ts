/**
 * An HTTP/2 connection on a transport: the Sans-I/O `Http2ClientConnection`
 * driven by one reader loop that feeds it every chunk and routes its events
 * to the streams, and one write queue that sends what it has to say in order.
 * Streams wait here for a slot when the server's SETTINGS_MAX_CONCURRENT_STREAMS
 * is reached, and request bodies wait for the server's flow-control windows.
 * The link never decides about reuse: it tells its owner (the pool's
 * connection) when it stops taking streams, through `onRetire`.
 */
import {
  type HeaderPair,
  HTTP2_ERROR,
  Http2ClientConnection,
  type Http2ClientOptions,
  type Http2Event,
  SETTING,
} from "@reqivo/protocol";
import { type Connection, ConnectionClosedError } from "@reqivo/transport";
import { Http2StreamError } from "../../errors.ts";
import type { RequestBody } from "../request-body.ts";
import { CoalescingWriter } from "./coalescing-writer.ts";
import type { Http2ClientStream, StreamLinkSide } from "./stream.ts";

// A request body may run this far ahead of the server's windows before its producer waits.
const UPLOAD_HIGH_WATER = 64 * 1024;

function unprocessed(why: string): Http2StreamError {
  return new Http2StreamError("HTTP2_UNPROCESSED", why, HTTP2_ERROR.REFUSED_STREAM);
}

export class Http2Link implements StreamLinkSide {
  readonly protocol: Http2ClientConnection;
  readonly #transport: Connection;
  readonly #streams = new Map<number, Http2ClientStream>();
  /** One write at a time; what the connection says meanwhile goes out together next. */
  readonly #writer: CoalescingWriter;
  /** Why the connection ended, once it has. */
  #failure: unknown;
  #goingAway = false;
  #retired = false;
  /** Settles at the next change of slots or windows; shared by every waiter. */
  #next: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Armed while our SETTINGS wait for the server's ACK. */
  #settingsTimer: ReturnType<typeof setTimeout> | undefined;
  /** Runs once when the link stops taking new streams (GOAWAY, an error, the end). */
  onRetire: () => void = () => {};
  /** Runs when the server's SETTINGS change how many streams it takes at once. */
  onCapacity: (streams: number) => void = () => {};

  constructor(transport: Connection, options: Http2ClientOptions = {}, settingsTimeout = 10_000) {
    this.#transport = transport;
    this.#writer = new CoalescingWriter(
      (bytes) => transport.write(bytes),
      (error) => this.#die(error),
    );
    // DATA that straddles two reads comes as views of both, not a joined
    // copy: read() chunks are ours to keep, and bodies are read in pieces.
    // Measured: one 64 KiB copy less per 64 KiB response over TLS
    // (apps/bench/results/2026-12-07-http2-round2.md, round 6).
    this.protocol = new Http2ClientConnection({ ...options, dataPieces: true });
    this.flush(); // the preface, with our SETTINGS
    this.#settingsTimer = setTimeout(() => this.#settingsTimedOut(), settingsTimeout);
    // A timer must not keep a program alive that has nothing else to do.
    (this.#settingsTimer as { unref?: () => void }).unref?.();
    void this.#readLoop();
  }

  /** Our SETTINGS still unacknowledged when the timer fires: the connection fails (RFC 9113 §6.5.3). */
  #settingsTimedOut(): void {
    this.#settingsTimer = undefined;
    for (const event of this.protocol.settingsAckTimedOut()) {
      if (event.type === "connection_error") this.#die(event.error, this.protocol.dataToSend());
    }
  }

  /** Whether a new stream may start here. */
  get usable(): boolean {
    return this.#failure === undefined && !this.#goingAway;
  }

  /** Streams the server takes at once, as it last said. */
  get maxStreams(): number {
    return this.protocol.peerSetting(SETTING.MAX_CONCURRENT_STREAMS) ?? 100;
  }

  /**
   * Opens `stream` with a request head, waiting for a free slot first.
   * Rejects with an `HTTP2_UNPROCESSED` error when the link stops taking
   * streams before it opened (safe to send elsewhere).
   */
  async open(stream: Http2ClientStream, headers: HeaderPair[], endStream: boolean): Promise<void> {
    for (;;) {
      if (stream.failure !== undefined) throw stream.failure;
      if (!this.usable) throw unprocessed("the HTTP/2 connection stopped taking streams");
      if (this.protocol.activeStreams < this.maxStreams) break;
      await this.#changed(stream);
    }
    stream.id = this.protocol.sendHeaders(undefined, headers, { endStream });
    this.#streams.set(stream.id, stream);
    this.flush();
  }

  /** Sends a request body on an open stream, as fast as the server's windows let it. */
  async upload(stream: Http2ClientStream, body: RequestBody, started: () => void): Promise<void> {
    const id = stream.id;
    for await (const piece of body.chunks()) {
      if (stream.failure !== undefined) throw stream.failure;
      // The server answered and closed the stream already: the rest is not wanted.
      if (!this.#sending(id)) return;
      started();
      this.protocol.sendData(id, piece);
      await this.flush();
      while (this.protocol.queuedLength(id) > UPLOAD_HIGH_WATER) {
        await this.#changed(stream);
        if (stream.failure !== undefined) throw stream.failure;
        if (!this.#sending(id)) return;
      }
    }
    if (stream.failure !== undefined) throw stream.failure;
    if (!this.#sending(id)) return;
    this.protocol.endStream(id);
    await this.flush();
  }

  acknowledge(streamId: number, length: number): void {
    if (this.#failure !== undefined) return;
    this.protocol.acknowledgeReceivedData(streamId, length);
    this.flush();
  }

  reset(streamId: number): void {
    this.#streams.delete(streamId);
    if (this.#failure !== undefined) return;
    const state = this.protocol.streamState(streamId);
    if (state === "closed" || state === "idle") return;
    this.protocol.resetStream(streamId, HTTP2_ERROR.CANCEL);
    this.flush();
  }

  /**
   * Writes whatever the connection has to say (joined with what else it says
   * while a write is under way); resolves when the transport took it.
   */
  flush(): Promise<void> {
    const bytes = this.protocol.dataToSend();
    // Streams may have closed: whoever waits for a slot looks again.
    this.#wakeAll();
    return this.#writer.write(bytes);
  }

  /** Says GOAWAY, then closes the transport once it went out. */
  close(): void {
    if (this.#failure !== undefined) return;
    let farewell: Uint8Array | undefined;
    if (this.protocol.state !== "closed") {
      this.protocol.close();
      farewell = this.protocol.dataToSend();
    }
    this.#die(new ConnectionClosedError("the HTTP/2 connection was closed"), farewell);
  }

  /** Whether our side of the stream still takes DATA (the connection alive). */
  #sending(streamId: number): boolean {
    if (this.#failure !== undefined) return false;
    const state = this.protocol.streamState(streamId);
    return state === "open" || state === "half_closed_remote";
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        const chunk = await this.#transport.read();
        if (this.#failure !== undefined) return;
        if (chunk === null) {
          this.#die(new ConnectionClosedError("the server closed the HTTP/2 connection"));
          return;
        }
        for (const event of this.protocol.receiveData(chunk)) this.#route(event);
        void this.flush();
      }
    } catch (error) {
      this.#die(error);
    }
  }

  #route(event: Http2Event): void {
    switch (event.type) {
      case "informational":
        this.#streams.get(event.streamId)?.informational(event.status, event.headers);
        return;
      case "response":
        this.#streams.get(event.streamId)?.response(event.status, event.headers);
        return;
      case "data": {
        const stream = this.#streams.get(event.streamId);
        // Nobody reads it: give its octets back at once.
        if (stream === undefined)
          this.protocol.acknowledgeReceivedData(event.streamId, event.data.length);
        else stream.data(event.data);
        return;
      }
      case "trailers":
        this.#streams.get(event.streamId)?.end(event.headers);
        return;
      case "stream_end": {
        // The server is done with it: nothing more is routed to it.
        const stream = this.#streams.get(event.streamId);
        this.#streams.delete(event.streamId);
        stream?.end(undefined);
        return;
      }
      case "stream_reset": {
        const stream = this.#streams.get(event.streamId);
        this.#streams.delete(event.streamId);
        stream?.resetByPeer(event.errorCode, event.error);
        return;
      }
      case "goaway":
        this.#goingAway = true;
        for (const id of event.unprocessedStreamIds) {
          const stream = this.#streams.get(id);
          this.#streams.delete(id);
          stream?.fail(
            unprocessed(`stream ${id} was above the GOAWAY's last stream id ${event.lastStreamId}`),
          );
        }
        this.#retire();
        return;
      case "settings_changed":
        this.onCapacity(this.maxStreams);
        return;
      case "connection_error":
        this.#die(event.error);
        return;
      case "settings_acknowledged":
        if (this.protocol.settingsAwaitingAck === 0) this.#stopSettingsTimer();
        return;
      default:
      // window_update, ping_ack: waiters look again below.
    }
  }

  /**
   * The connection is over: every stream fails with `reason`, and the
   * transport closes (after `farewell`, a GOAWAY, went out behind what was queued).
   */
  #die(reason: unknown, farewell?: Uint8Array): void {
    if (this.#failure !== undefined) return;
    this.#failure = reason;
    this.#stopSettingsTimer();
    for (const stream of this.#streams.values()) stream.fail(reason);
    this.#streams.clear();
    this.#wakeAll();
    const transport = this.#transport;
    const writing = this.#writer.stop();
    if (farewell === undefined || farewell.length === 0) transport.close();
    else
      writing
        .then(() => transport.write(farewell))
        .catch(() => undefined)
        .finally(() => transport.close());
    this.#retire();
  }

  #stopSettingsTimer(): void {
    if (this.#settingsTimer !== undefined) clearTimeout(this.#settingsTimer);
    this.#settingsTimer = undefined;
  }

  #retire(): void {
    if (this.#retired) return;
    this.#retired = true;
    this.onRetire();
  }

  /** Resolves on the next change of slots or windows, or when `stream` ends. */
  #changed(stream: Http2ClientStream): Promise<void> {
    this.#next ??= new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    return Promise.race([this.#next, stream.changed()]);
  }

  #wakeAll(): void {
    const wake = this.#wake;
    this.#next = undefined;
    this.#wake = undefined;
    wake?.();
  }
}

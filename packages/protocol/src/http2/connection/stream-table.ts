import { concatBytes, EMPTY_BYTES } from "../../bytes.ts";
import { FrameWriter } from "../frames/writer.ts";
import { HpackEncoder } from "../hpack/encoder.ts";
import { usageError } from "./errors.ts";
import { ReceiveWindow } from "./flow-control.ts";
import type { Http2Stream } from "./stream.ts";
import { type StreamInput, type StreamState, streamTransition } from "./stream-state.ts";

/**
 * The initial window of every stream and of the connection (RFC 9113 §6.9.2).
 *
 * @example
 * ```ts
 * new ReceiveWindow(DEFAULT_WINDOW).available; // 65535
 * ```
 */
export const DEFAULT_WINDOW = 65_535;

/**
 * What the connection will send: frames queued in order, written with one
 * `FrameWriter` and one `HpackEncoder` (whose table must see header blocks
 * in wire order).
 *
 * @example
 * ```ts
 * const outbox = new Outbox();
 * outbox.push(outbox.writer.ping(new Uint8Array(8)));
 * outbox.take().length; // 17
 * ```
 */
export class Outbox {
  readonly writer = new FrameWriter();
  readonly encoder = new HpackEncoder();
  #frames: Uint8Array[] = [];

  /** Queues one or more whole frames. */
  push(frame: Uint8Array): void {
    this.#frames.push(frame);
  }

  /** Everything queued, oldest first; empties the queue. */
  take(): Uint8Array {
    const frames = this.#frames;
    if (frames.length === 0) return EMPTY_BYTES;
    this.#frames = [];
    return frames.length === 1 ? frames[0]! : concatBytes(frames);
  }
}

/**
 * The connection's streams and both directions of flow control: the
 * server's windows DATA waits for, and our receive windows with their
 * WINDOW_UPDATE policy.
 *
 * @example
 * ```ts
 * const table = new StreamTable(new Outbox());
 * table.stateOf(1); // "idle"
 * ```
 */
export class StreamTable {
  readonly #streams = new Map<number, Http2Stream>();
  /** Streams with DATA or END_STREAM waiting, so a flush visits only those. */
  readonly #sending = new Set<Http2Stream>();
  readonly #outbox: Outbox;
  /** The id the next stream opened without one takes. */
  nextStreamId = 1;
  /** Octets the server lets us send on the connection. */
  sendWindow = DEFAULT_WINDOW;
  readonly receiveWindow = new ReceiveWindow(DEFAULT_WINDOW);
  /** Our SETTINGS_INITIAL_WINDOW_SIZE in force (acknowledged by the server). */
  localInitialWindow = DEFAULT_WINDOW;

  constructor(outbox: Outbox) {
    this.#outbox = outbox;
  }

  /** Streams open or half-closed. */
  get size(): number {
    return this.#streams.size;
  }

  /** An open or half-closed stream, `undefined` for any other id. */
  get(streamId: number): Http2Stream | undefined {
    return this.#streams.get(streamId);
  }

  /** The open and half-closed streams, oldest first. */
  values(): IterableIterator<Http2Stream> {
    return this.#streams.values();
  }

  /** Records a stream just opened; later ids must be above it. */
  add(stream: Http2Stream): void {
    this.#streams.set(stream.id, stream);
    this.nextStreamId = stream.id + 2;
  }

  /** A stream's state; "closed" for one used and gone, "idle" for one not yet used. */
  stateOf(streamId: number): StreamState {
    const stream = this.#streams.get(streamId);
    if (stream !== undefined) return stream.state;
    return streamId < this.nextStreamId ? "closed" : "idle";
  }

  /** Applies a transition the caller made; forgets the stream once closed. */
  step(stream: Http2Stream, input: StreamInput): void {
    const next = streamTransition(stream.state, input);
    if (typeof next !== "string") {
      throw usageError(
        "H2_INVALID_STREAM_STATE",
        `${input} on stream ${stream.id} (${stream.state})`,
      );
    }
    stream.state = next;
    if (next === "closed") this.forget(stream);
  }

  /**
   * Drops a closed stream and its queued DATA. Octets it delivered still
   * count for the connection until the application acknowledges them.
   */
  forget(stream: Http2Stream): void {
    stream.state = "closed";
    this.#streams.delete(stream.id);
    this.#sending.delete(stream);
    stream.queued.length = 0;
    stream.queuedLength = 0;
  }

  /**
   * Sends queued DATA (then END_STREAM or trailers) as far as the windows
   * allow, one frame per stream per round, so streams share the connection
   * window instead of the oldest taking it all.
   */
  flush(): void {
    let sent = true;
    while (sent) {
      sent = false;
      for (const stream of this.#sending) {
        if (this.#sendNext(stream)) sent = true;
        if (!stream.hasQueued) this.#sending.delete(stream);
      }
    }
  }

  /** Queues DATA (copied) and END_STREAM on a stream, and sends what the windows allow. */
  enqueue(stream: Http2Stream, data: Uint8Array, endStream: boolean): void {
    if (data.length > 0) {
      stream.queued.push(data.slice());
      stream.queuedLength += data.length;
    }
    if (endStream) stream.endQueued = true;
    this.#sending.add(stream);
    this.flush();
  }

  /** Sends the stream's next DATA frame, or its END_STREAM; false when it must wait. */
  #sendNext(stream: Http2Stream): boolean {
    const { writer, encoder } = this.#outbox;
    if (stream.queuedLength > 0) {
      const room = Math.min(stream.sendWindow, this.sendWindow, writer.maxFrameSize);
      if (room <= 0) return false;
      const chunk = takeOctets(stream, room);
      this.sendWindow -= chunk.length;
      stream.sendWindow -= chunk.length;
      const last =
        stream.queuedLength === 0 && stream.endQueued && stream.trailersQueued === undefined;
      this.#outbox.push(writer.data(stream.id, chunk, { endStream: last }));
      if (last) this.step(stream, "send_end_stream");
      return true;
    }
    if (!stream.endQueued || stream.state === "half_closed_local" || stream.state === "closed") {
      return false;
    }
    const trailers = stream.trailersQueued;
    this.#outbox.push(
      trailers === undefined
        ? writer.data(stream.id, EMPTY_BYTES, { endStream: true })
        : writer.headers(stream.id, encoder.encode(trailers), { endStream: true }),
    );
    stream.trailersQueued = undefined;
    this.step(stream, "send_end_stream");
    return true;
  }

  /** Gives back octets of a stream's DATA; a WINDOW_UPDATE once half its window is owed. */
  consumeStream(stream: Http2Stream, length: number): void {
    const increment = stream.receiveWindow.consume(length);
    // Once the server ended the stream, its window no longer matters.
    if (increment > 0 && stream.state !== "half_closed_remote") {
      this.#outbox.push(this.#outbox.writer.windowUpdate(stream.id, increment));
    }
  }

  /** Gives back octets of the connection's window; a WINDOW_UPDATE once half is owed. */
  consumeConnection(length: number): void {
    const increment = this.receiveWindow.consume(length);
    if (increment > 0) this.#outbox.push(this.#outbox.writer.windowUpdate(0, increment));
  }
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

/**
 * The wire side of a response body: the {@link BodySource} a Response reads
 * from, and {@link ConnectionBody}, which reads it event by event from a
 * pooled connection and gives the connection back when the body ends.
 */
import { type HeaderList, Headers, NEED_DATA } from "@reqivo/protocol";
import type { Lifeline } from "./lifeline.ts";
import type { ChunkConsumer, PooledConnection } from "./pooled-connection.ts";
import { pending, rejecterOfLast, resolverOfLast } from "./settlers.ts";

/**
 * Body pieces up to this size are copied out of a shared read (larger ones
 * stay views): a kept piece then keeps at most four times its size alive, as
 * with the transport's own copies (128 KiB read slabs in transport-node).
 */
const SHARED_COPY_AT_MOST = 32 * 1024;

/** Milliseconds from the start of the request (or, for `connect`, its duration). */
export interface Timings {
  /** Time spent opening the connection (TCP and TLS); 0 when a pooled connection was reused. */
  connect: number;
  /** Until the response head arrived. */
  firstByte: number;
  /** Until the body was read to its end; `undefined` while it is not. */
  total: number | undefined;
  /** Whether the connection came from the pool. */
  reused: boolean;
  /** Retries made before this response (the `retry` option); 0 when the first attempt stood. */
  retries: number;
}

/** Where a body's bytes come from and where its connection goes when done. */
export interface BodySource {
  /** The next piece of body, or `null` at the end. */
  read(): Promise<Uint8Array | null>;
  /** Stops reading: the connection is closed, not reused. */
  cancel(): void;
  /**
   * The next piece if it is already at hand, without a promise: bytes, `null`
   * at the end, `undefined` when only {@link read} can tell. Optional.
   */
  readBuffered?(): Uint8Array | null | undefined;
  /**
   * Resolves once {@link readBuffered} may have something new (a piece, the
   * end or a failure to throw); it may also resolve with nothing new. A
   * reader looping on `readBuffered` waits with it instead of {@link read},
   * sparing a promise per wait. Optional; only with `readBuffered`.
   */
  whenReadable?(): Promise<void>;
  /**
   * The body's length when the protocol checks the body against it (an
   * HTTP/2 response's content-length), so a reader may allocate for it up
   * front; `undefined` when unknown. Optional.
   */
  readonly expectedLength?: number | undefined;
  /** Reads and drops the rest if cheap (at most `limit` bytes), so the connection can be reused. */
  dump(limit: number): Promise<void>;
  /**
   * The next body bytes copied or read into `target`: how many, or `null` at
   * the end. Optional: without it the Response copies from {@link read}.
   */
  readInto?(target: Uint8Array): Promise<number | null>;
  /**
   * The rest of the body added to `collector`, then its result: one promise
   * for the whole rest, waits included. Optional; `undefined` when this
   * source cannot (the caller then loops on {@link read} or
   * {@link whenReadable}).
   */
  collect?(collector: BodyCollector): Promise<Uint8Array> | undefined;
  readonly trailers: Headers | undefined;
  readonly done: boolean;
}

/** Where {@link BodySource.collect} puts the pieces (Response's BodyJoiner). */
export interface BodyCollector {
  add(piece: Uint8Array): void;
  result(): Uint8Array;
}

/**
 * The trailers of a body that ended: one shared empty view for the usual
 * body without any (Headers are read-only), not a new one per response
 * (apps/bench `scripts/instructions.sh client`, keep-alive GET: 51,684 →
 * 51,543 instructions per request; results/2026-12-07-h1-costs.md).
 *
 * @example
 * ```ts
 * trailersOf([]).size; // 0, the shared empty Headers
 * ```
 */
export function trailersOf(fields: HeaderList | undefined): Headers {
  return fields === undefined || fields.length === 0 ? NO_TRAILERS : new Headers(fields);
}
const NO_TRAILERS = new Headers([]);

/** Reads a response body from a pooled connection, event by event. */
export class ConnectionBody implements BodySource, ChunkConsumer {
  readonly #connection: PooledConnection;
  readonly #lifeline: Lifeline;
  readonly #onEnd: (connection: PooledConnection, reusable: boolean) => void;
  readonly #started: number;
  readonly #timings: Timings;
  #trailers: Headers | undefined;
  #done = false;
  /** A piece read ahead by {@link settleIfEmpty}. */
  #stashed: Uint8Array | undefined;
  /** The settle functions of the {@link read} or {@link whenReadable} waiting for the connection. */
  #resolveWait: ((value: unknown) => void) | undefined;
  #rejectWait: ((reason: unknown) => void) | undefined;
  #waitsForReadable = false;
  /** Set while {@link collect} waits: pieces go here, the wait settles at the end. */
  #collector: BodyCollector | undefined;
  /** Why a read failed while {@link whenReadable} waited: thrown by the next {@link readBuffered}. */
  #failure: unknown;

  constructor(
    connection: PooledConnection,
    lifeline: Lifeline,
    onEnd: (connection: PooledConnection, reusable: boolean) => void,
    started: number,
    timings: Timings,
  ) {
    this.#connection = connection;
    this.#lifeline = lifeline;
    this.#onEnd = onEnd;
    this.#started = started;
    this.#timings = timings;
  }

  get trailers(): Headers | undefined {
    return this.#trailers;
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * A body piece as handed out. On shared reads a small piece is a view of
   * the transport's read buffer: the caller gets a copy, so what it keeps
   * pins no more than itself (see PooledConnection.shareReads).
   */
  #ownPiece(data: Uint8Array): Uint8Array {
    // Only a small view of a much larger buffer is copied: a piece of a read
    // the transport copied already (its buffer is the read) is handed out as it is.
    return this.#connection.sharesReads &&
      data.byteLength <= SHARED_COPY_AT_MOST &&
      data.buffer.byteLength > 4 * data.byteLength
      ? data.slice()
      : data;
  }

  /**
   * Looks at what is already buffered: a body that is already complete (HEAD,
   * 204, 304, a small body in the head's packet) ends now and frees the
   * connection even if the caller never reads it.
   */
  settleIfEmpty(): void {
    try {
      const event = this.#connection.nextEventSync();
      if (event === NEED_DATA) return;
      if (event.type === "data") {
        this.#stashed = this.#ownPiece(event.data);
        return;
      }
      if (event.type === "end") {
        this.#trailers = trailersOf(event.trailers);
        this.#finish(this.#connection.protocol.reusable);
      }
    } catch {
      // The same error surfaces on the first read().
    }
  }

  readBuffered(): Uint8Array | null | undefined {
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure;
    }
    const stashed = this.#stashed;
    if (stashed !== undefined) {
      this.#stashed = undefined;
      return stashed;
    }
    if (this.#done) return null;
    const connection = this.#connection;
    try {
      for (;;) {
        const event = connection.nextEventSync();
        if (event === NEED_DATA) return undefined;
        if (event.type === "data") {
          if (event.data.length > 0) return this.#ownPiece(event.data);
          continue;
        }
        if (event.type === "end") {
          this.#trailers = trailersOf(event.trailers);
          this.#finish(connection.protocol.reusable);
          return null;
        }
      }
    } catch (error) {
      const reason = this.#lifeline.explain(error);
      this.#finish(false);
      throw reason;
    }
  }

  /**
   * The next piece. When none is buffered, one promise waits for the
   * connection's callback read ({@link PooledConnection.readNow}) rather than
   * a `then` on a read promise; so does {@link whenReadable}, which
   * `Response.bytes()` waits on. In memory with `readNow` (apps/bench
   * `READ_NOW=1 BODY_BYTES=65536 scripts/client-cycle.mjs`): 20.0 → 14.0
   * promises and ~11,830 → ~10,950 bytes allocated per GET 64 KiB; on real
   * sockets the instruction counts stay level (get-64k 103,430 → 103,695,
   * within the run-to-run spread; results/2026-12-07-h1-callbacks.md).
   */
  read(): Promise<Uint8Array | null> {
    let piece: Uint8Array | null | undefined;
    try {
      piece = this.readBuffered();
    } catch (error) {
      return Promise.reject(error);
    }
    if (piece !== undefined) return Promise.resolve(piece);
    if (this.#connection.transport.readNow !== undefined)
      return this.#wait(false) as Promise<Uint8Array | null>;
    // Without readNow, a `then` on read()'s promise: a waiter of our own would be a third promise.
    this.#lifeline.bodyProgress();
    let reading: Promise<Uint8Array | null>;
    try {
      reading = this.#connection.read();
    } catch (error) {
      return Promise.reject(this.#failed(error));
    }
    return reading.then(
      (chunk) => this.#received(chunk),
      (error: unknown) => {
        throw this.#failed(error);
      },
    );
  }

  /** Feeds a transport read to the parser: the next piece, or a further read when it held none. */
  #received(chunk: Uint8Array | null): Uint8Array | null | Promise<Uint8Array | null> {
    try {
      this.#connection.protocol.receiveData(chunk);
    } catch (error) {
      throw this.#failed(error);
    }
    const piece = this.readBuffered();
    return piece === undefined ? this.read() : piece;
  }

  /**
   * Resolves once the next read fed the parser, so that {@link readBuffered}
   * may have a piece (or the end, or the read's failure to throw).
   */
  whenReadable(): Promise<void> {
    if (this.#connection.transport.readNow !== undefined) return this.#wait(true) as Promise<void>;
    this.#lifeline.bodyProgress();
    let reading: Promise<Uint8Array | null>;
    try {
      reading = this.#connection.read();
    } catch (error) {
      this.#failure = this.#failed(error);
      return Promise.resolve();
    }
    return reading.then(
      (chunk) => {
        try {
          this.#connection.protocol.receiveData(chunk);
        } catch (error) {
          this.#failure = this.#failed(error);
        }
      },
      (error: unknown) => {
        this.#failure = this.#failed(error);
      },
    );
  }

  /** One promise for the reader, settled from the connection's read callbacks. */
  #wait(forReadable: boolean): Promise<unknown> {
    this.#lifeline.bodyProgress();
    const waiting = pending<unknown>();
    this.#resolveWait = resolverOfLast();
    this.#rejectWait = rejecterOfLast();
    this.#waitsForReadable = forReadable;
    this.#pull();
    return waiting;
  }

  /**
   * The rest of the body into `collector`, settled once at its end: what is
   * buffered is taken now, and each later chunk from the connection's
   * callback read is parsed and added in that callback, with no promise per
   * wait (Response.bytes() used an async loop awaiting
   * {@link whenReadable}: its own promise and one per wait). `undefined`
   * without the transport's `readNow`. GET 64 KiB, 100 in flight over 50
   * connections, in memory (apps/bench `READ_NOW=1 IN_FLIGHT=100
   * CONNECTIONS=50 BODY_BYTES=65536 scripts/client-cycle.mjs`): 15.1 → 7.0
   * promises, ~9,324 → ~7,568 bytes per request; Node (`scripts/instructions.sh
   * client-64k`, same settings) 278,509 / 306,637 → 276,554 instructions per
   * request; Bun over sockets, with the two changes after it, median 123,298 → 120,676
   * (results/2026-12-07-bun-cut.md).
   */
  collect(collector: BodyCollector): Promise<Uint8Array> | undefined {
    if (this.#connection.transport.readNow === undefined || this.#resolveWait !== undefined)
      return undefined;
    const waiting = pending<Uint8Array>();
    this.#resolveWait = resolverOfLast();
    this.#rejectWait = rejecterOfLast();
    this.#waitsForReadable = false;
    this.#collector = collector;
    if (!this.#collectBuffered(collector)) this.#pull();
    return waiting;
  }

  /** Adds buffered pieces to `collector`; true once the wait settled, false when a read must come first. */
  #collectBuffered(collector: BodyCollector): boolean {
    for (;;) {
      let piece: Uint8Array | null | undefined;
      try {
        piece = this.readBuffered();
      } catch (error) {
        this.#settleWait(false, error);
        return true;
      }
      if (piece === undefined) {
        // Waiting for the connection again: the body timeout counts from here.
        this.#lifeline.bodyProgress();
        return false;
      }
      if (piece === null) {
        this.#settleWait(true, collector.result());
        return true;
      }
      collector.add(piece);
    }
  }

  /** Reads until the waiting reader is settled or a read has to wait. */
  #pull(): void {
    const connection = this.#connection;
    for (;;) {
      let chunk: Uint8Array | null | undefined;
      try {
        chunk = connection.readNow(this);
      } catch (error) {
        this.#readFailed(error);
        return;
      }
      if (chunk === undefined || this.#took(chunk)) return;
    }
  }

  onChunk(chunk: Uint8Array | null): void {
    if (!this.#took(chunk)) this.#pull();
  }

  onReadError(error: unknown): void {
    this.#readFailed(error);
  }

  /** Feeds `chunk` to the parser; false when the waiting reader needs a further read. */
  #took(chunk: Uint8Array | null): boolean {
    try {
      this.#connection.protocol.receiveData(chunk);
    } catch (error) {
      this.#readFailed(error);
      return true;
    }
    if (this.#resolveWait === undefined) return true;
    if (this.#collector !== undefined) return this.#collectBuffered(this.#collector);
    let piece: Uint8Array | null | undefined;
    if (!this.#waitsForReadable) {
      try {
        piece = this.readBuffered();
      } catch (error) {
        this.#settleWait(false, error);
        return true;
      }
      if (piece === undefined) return false;
    }
    this.#settleWait(true, piece);
    return true;
  }

  /** Settles the waiting reader (there is one) and clears the wait, collector included. */
  #settleWait(fulfilled: boolean, value: unknown): void {
    const settle = (fulfilled ? this.#resolveWait : this.#rejectWait) as (value: unknown) => void;
    this.#resolveWait = this.#rejectWait = this.#collector = undefined;
    settle(value);
  }

  /** A read or the parser failed: the waiting reader learns why (whenReadable's through readBuffered). */
  #readFailed(error: unknown): void {
    const resolve = this.#resolveWait;
    const reject = this.#rejectWait;
    this.#resolveWait = this.#rejectWait = undefined;
    this.#collector = undefined;
    const reason = this.#failed(error);
    if (this.#waitsForReadable) {
      this.#failure = reason;
      resolve?.(undefined);
    } else reject?.(reason);
  }

  /** A read or the parser failed: the connection goes; what to throw (the request's reason wins). */
  #failed(error: unknown): unknown {
    const reason = this.#lifeline.explain(error);
    this.#finish(false);
    return reason;
  }

  /**
   * Body bytes into `target`. What is buffered already is copied; otherwise a
   * Content-Length body on a transport with `readInto` (Deno) is read from
   * the socket straight into `target`, never past the body's end, so the
   * parser keeps no view of the caller's memory. Anything else copies from
   * {@link read}.
   */
  async readInto(target: Uint8Array): Promise<number | null> {
    for (;;) {
      const piece = this.readBuffered();
      if (piece === null) return null;
      if (piece !== undefined) return this.#copyOut(piece, target);
      const connection = this.#connection;
      const left = connection.protocol.bodyBytesLeft;
      const reading =
        left === null || left === 0
          ? undefined
          : connection.readInto(target.subarray(0, Math.min(target.length, left)));
      if (reading === undefined) {
        const next = await this.read();
        return next === null ? null : this.#copyOut(next, target);
      }
      this.#lifeline.bodyProgress();
      let count: number | null;
      try {
        count = await reading;
      } catch (error) {
        const reason = this.#lifeline.explain(error);
        this.#finish(false);
        throw reason;
      }
      // The parser takes the bytes where they are: its data event is a view of `target`.
      connection.protocol.receiveData(count === null ? null : target.subarray(0, count));
    }
  }

  /** Copies what fits of `piece` into `target`; the rest is read first next time. */
  #copyOut(piece: Uint8Array, target: Uint8Array): number {
    const count = Math.min(piece.length, target.length);
    // A view of `target` itself (the readInto path) needs no copy.
    if (piece.buffer !== target.buffer || piece.byteOffset !== target.byteOffset)
      target.set(piece.subarray(0, count));
    if (count < piece.length) this.#stashed = piece.subarray(count);
    return count;
  }

  cancel(): void {
    if (this.#done) return;
    this.#stashed = undefined;
    // Only this body's connection goes: the request (and its redirect chain) lives on.
    this.#connection.close();
    this.#finish(false);
  }

  async dump(limit: number): Promise<void> {
    let seen = 0;
    while (!this.#done) {
      const piece = await this.read();
      if (piece === null) return;
      seen += piece.length;
      if (seen > limit) {
        this.cancel();
        return;
      }
    }
  }

  #finish(reusable: boolean): void {
    if (this.#done) return;
    this.#done = true;
    this.#timings.total = performance.now() - this.#started;
    this.#lifeline.bodyEnded();
    this.#onEnd(this.#connection, reusable);
  }
}

/**
 * The response a Session returns: status, case-insensitive headers, where it
 * came from, timings, and a body that can be read once — as text, JSON,
 * bytes, a web ReadableStream, or by async iteration — and that gives its
 * connection back to the pool as soon as it is fully read.
 */
import { Headers, NEED_DATA } from "@reqivo/protocol";
import { InvalidRequestError, ReqivoError } from "./errors.ts";
import type { Lifeline } from "./lifeline.ts";
import type { PooledConnection } from "./pooled-connection.ts";

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

/** One redirect that was followed. */
export interface RedirectHop {
  url: string;
  status: number;
  headers: Headers;
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
  /** Reads and drops the rest if cheap (at most `limit` bytes), so the connection can be reused. */
  dump(limit: number): Promise<void>;
  /**
   * The next body bytes copied or read into `target`: how many, or `null` at
   * the end. Optional: without it the Response copies from {@link read}.
   */
  readInto?(target: Uint8Array): Promise<number | null>;
  readonly trailers: Headers | undefined;
  readonly done: boolean;
}

const EMPTY_SOURCE: BodySource = {
  read: async () => null,
  cancel() {},
  dump: async () => undefined,
  trailers: new Headers(),
  done: true,
};

/** Reads a response body from a pooled connection, event by event. */
export class ConnectionBody implements BodySource {
  readonly #connection: PooledConnection;
  readonly #lifeline: Lifeline;
  readonly #onEnd: (connection: PooledConnection, reusable: boolean) => void;
  readonly #started: number;
  readonly #timings: Timings;
  #trailers: Headers | undefined;
  #done = false;
  /** A piece read ahead by {@link settleIfEmpty}. */
  #stashed: Uint8Array | undefined;

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
   * Looks at what is already buffered: a body that is already complete (HEAD,
   * 204, 304, a small body in the head's packet) ends now and frees the
   * connection even if the caller never reads it.
   */
  settleIfEmpty(): void {
    try {
      const event = this.#connection.nextEventSync();
      if (event === NEED_DATA) return;
      if (event.type === "data") {
        this.#stashed = event.data;
        return;
      }
      if (event.type === "end") {
        this.#trailers = new Headers(event.trailers);
        this.#finish(this.#connection.protocol.reusable);
      }
    } catch {
      // The same error surfaces on the first read().
    }
  }

  readBuffered(): Uint8Array | null | undefined {
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
          if (event.data.length > 0) return event.data;
          continue;
        }
        if (event.type === "end") {
          this.#trailers = new Headers(event.trailers);
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

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const piece = this.readBuffered();
      if (piece !== undefined) return piece;
      const connection = this.#connection;
      this.#lifeline.bodyProgress();
      try {
        connection.protocol.receiveData(await connection.read());
      } catch (error) {
        const reason = this.#lifeline.explain(error);
        this.#finish(false);
        throw reason;
      }
    }
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

/** What a Response is built from. */
export interface ResponseInit {
  status: number;
  statusText: string;
  headers: Headers;
  url: string;
  history: readonly RedirectHop[];
  timings: Timings;
  body: BodySource | null;
}

const decoder = new TextDecoder();

/** Joins body pieces of `total` bytes into one array (the piece itself when there is one). */
export function concat(pieces: Uint8Array[], total: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/**
 * An HTTP response. The body can be consumed once; reading it to the end (or
 * `dump()`) returns the connection to the pool, `cancel()` closes it.
 *
 * @example
 * ```ts
 * const res = await session.get("http://127.0.0.1:8080/data");
 * res.status;                       // 200
 * res.headers.get("content-type");  // "application/json"
 * const data = await res.json();
 * res.timings;                      // { connect, firstByte, total, reused, retries }
 * ```
 */
export class Response implements AsyncIterable<Uint8Array> {
  readonly status: number;
  readonly statusText: string;
  /** Case-insensitive view; `getSetCookie()` keeps each Set-Cookie apart. */
  readonly headers: Headers;
  /** The final URL, after redirects. */
  readonly url: string;
  /** Redirects followed to get here, oldest first. */
  readonly history: readonly RedirectHop[];
  readonly timings: Timings;
  readonly #source: BodySource;
  #used = false;
  #stream: ReadableStream<Uint8Array> | undefined;
  /** Whether {@link readInto} owns the body (it may be called again). */
  #readingInto = false;
  /** What a source without `readInto` gave beyond the caller's last buffer. */
  #leftover: Uint8Array | undefined;

  constructor(init: ResponseInit) {
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
    this.history = init.history;
    this.timings = init.timings;
    this.#source = init.body ?? EMPTY_SOURCE;
  }

  /** True for 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** Whether a redirect was followed. */
  get redirected(): boolean {
    return this.history.length > 0;
  }

  /** Whether the body has been (or is being) consumed. */
  get bodyUsed(): boolean {
    return this.#used;
  }

  /** Trailer fields of a chunked body, once the body was read to its end. */
  get trailers(): Headers | undefined {
    return this.#source.trailers;
  }

  #claim(): BodySource {
    if (this.#used) throw new ReqivoError("BODY_USED", "the response body was already consumed");
    this.#used = true;
    return this.#source;
  }

  /** The whole body as bytes. */
  async bytes(): Promise<Uint8Array> {
    const source = this.#claim();
    const pieces: Uint8Array[] = [];
    let total = 0;
    // Pieces already buffered are taken without a promise each: a small body
    // that came with its head is read without any await.
    for (;;) {
      let piece = source.readBuffered?.();
      if (piece === undefined) piece = await source.read();
      if (piece === null) break;
      pieces.push(piece);
      total += piece.length;
    }
    return concat(pieces, total);
  }

  /** The whole body as an ArrayBuffer. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.slice().buffer as ArrayBuffer);
  }

  /** The whole body decoded as UTF-8. */
  async text(): Promise<string> {
    return decoder.decode(await this.bytes());
  }

  /** The whole body parsed as JSON. */
  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  /** The body as a web ReadableStream (created on first access). */
  get body(): ReadableStream<Uint8Array> {
    if (this.#stream !== undefined) return this.#stream;
    const source = this.#claim();
    this.#stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const piece = await source.read();
        if (piece === null) controller.close();
        else controller.enqueue(piece);
      },
      cancel() {
        source.cancel();
      },
    });
    return this.#stream;
  }

  /**
   * Reads the next body bytes into `target` (a non-empty Uint8Array) and
   * resolves with how many, or `null` at the end of the body: a stream with
   * a buffer of the caller's, reused from read to read. On Deno a
   * Content-Length body without decoding is read from the socket straight
   * into `target`, so a long download makes no garbage per read; elsewhere
   * the bytes are copied from the pieces as they arrive. Call it again until
   * `null`; the body then counts as used, as with `bytes()`.
   *
   * @example
   * ```ts
   * const res = await session.get("http://127.0.0.1:8080/big");
   * const buffer = new Uint8Array(64 * 1024);
   * let total = 0;
   * for (let n = await res.readInto(buffer); n !== null; n = await res.readInto(buffer)) {
   *   total += n; // buffer[0, n) holds the bytes; reuse it on the next call
   * }
   * ```
   */
  async readInto(target: Uint8Array): Promise<number | null> {
    if (!(target instanceof Uint8Array) || target.length === 0)
      throw new InvalidRequestError("readInto needs a non-empty Uint8Array");
    if (!this.#readingInto) {
      this.#claim();
      this.#readingInto = true;
    }
    const source = this.#source;
    if (source.readInto !== undefined) return source.readInto(target);
    const piece = this.#leftover ?? (await source.read());
    this.#leftover = undefined;
    if (piece === null) return null;
    const count = Math.min(piece.length, target.length);
    target.set(piece.subarray(0, count));
    if (count < piece.length) this.#leftover = piece.subarray(count);
    return count;
  }

  /** Iterates over body pieces as they arrive. Breaking out early closes the connection. */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const source = this.#claim();
    try {
      for (let piece = await source.read(); piece !== null; piece = await source.read())
        yield piece;
    } finally {
      if (!source.done) source.cancel();
    }
  }

  /**
   * Discards the rest of the body so the connection can be reused: reads up to
   * `limit` bytes (default 256 KiB), and closes the connection beyond that.
   */
  async dump(limit = 256 * 1024): Promise<void> {
    if (this.#used) {
      if (!this.#source.done) this.#source.cancel();
      return;
    }
    this.#used = true;
    await this.#source.dump(limit).catch(() => undefined);
  }

  /** Stops reading and closes the connection. */
  cancel(): void {
    this.#used = true;
    this.#source.cancel();
  }

  /** `await using res = …`: an unread body is dumped when the scope ends. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#source.done) await this.dump();
  }
}

/**
 * An open WebSocket: the RFC 6455 core driven over one transport connection.
 * One read loop feeds the core and dispatches its events (messages, pings,
 * pongs, the peer's close); sends turn into frames and resolve when the
 * transport took the bytes. Every way out — clean close, protocol error,
 * timeout, abort, a broken stream — goes through one `#finish`, which settles
 * `closed`, emits the events and closes the transport.
 */
import {
  LocalProtocolError,
  NEED_DATA,
  type WebSocketConnection,
  type WebSocketSendEvent,
} from "@reqivo/protocol";
import type { Connection } from "@reqivo/transport";
import { AbortError, InvalidRequestError } from "../errors.ts";
import { WebSocketError } from "./errors.ts";

/** A received message: text as a string, binary as bytes. */
export type WebSocketMessage = string | Uint8Array;

/** One whole message to send: text (string) or binary. */
export type WebSocketData = string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob;

/** One fragment of a streamed message: all strings (text) or all bytes (binary). */
export type WebSocketFragment = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** A message sent as fragments, as they come: an (async) iterable or a ReadableStream. */
export type WebSocketFragments =
  | AsyncIterable<WebSocketFragment>
  | Iterable<WebSocketFragment>
  | ReadableStream<WebSocketFragment>;

/**
 * How the connection ended.
 *
 * @example
 * ```ts
 * const { code, reason, wasClean, error } = await ws.closed;
 * if (!wasClean) console.error(code, error?.code); // 1006 "CONNECTION_LOST"
 * ```
 */
export interface WebSocketCloseInfo {
  /** The code of the peer's close frame (1005 when it had none); 1006 when there was no close handshake; the code sent on a protocol error. */
  code: number;
  reason: string;
  /** Both close frames were exchanged. */
  wasClean: boolean;
  /** Why it ended abnormally (WebSocketError, AbortError), if it did. */
  error?: WebSocketError | AbortError;
}

/**
 * Events of a {@link WebSocketClient} and their listener arguments.
 *
 * @example
 * ```ts
 * ws.on("message", (data, isBinary) => console.log(isBinary ? data.length : data));
 * ws.on("close", ({ code, reason }) => console.log("closed", code, reason));
 * ```
 */
export interface WebSocketEventMap {
  message: [data: WebSocketMessage, isBinary: boolean];
  ping: [data: Uint8Array];
  pong: [data: Uint8Array];
  /** Emitted before `close` when the connection ends abnormally. */
  error: [error: Error];
  close: [info: WebSocketCloseInfo];
}

type Listener<K extends keyof WebSocketEventMap> = (...args: WebSocketEventMap[K]) => void;

/** What the opening handshake hands to the socket. */
export interface WebSocketSetup {
  url: string;
  connection: Connection;
  core: WebSocketConnection;
  /** Aborting it tears the connection down (the transport was connected with its signal). */
  controller: AbortController;
  signal: AbortSignal | undefined;
  protocol: string;
  extensions: string;
  closeTimeout: number;
  pingInterval: number | undefined;
  highWaterMark: number;
  /** Smallest message compressed, or `null` when outgoing messages are never compressed. */
  compressThreshold: number | null;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const EMPTY = new Uint8Array(0);
const noop = () => undefined;
const NO_LISTENERS: readonly unknown[] = [];

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

async function* fragmentsOf(source: WebSocketFragments): AsyncGenerator<WebSocketFragment> {
  const reader = (source as ReadableStream<WebSocketFragment>).getReader?.();
  if (reader === undefined) {
    yield* source as AsyncIterable<WebSocketFragment> | Iterable<WebSocketFragment>;
    return;
  }
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
  } finally {
    reader.releaseLock();
  }
}

/** Marks a promise as handled (an ignored `send()` never reports an unhandled rejection) and returns it. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(noop);
  return promise;
}

/**
 * An open WebSocket, as `session.websocket()` resolves it.
 *
 * - `send()` takes a string (text), bytes (binary), a Blob, or an (async)
 *   iterable / ReadableStream of fragments sent as one fragmented message;
 *   it resolves when the transport accepted the bytes (backpressure).
 *   Messages go out in call order.
 * - Messages arrive through async iteration (`for await`) and/or the
 *   `message` event. A message is kept for iteration while an iterator is
 *   running or no `message` listener is attached (the first listener then gets
 *   the backlog); once `highWaterMark` messages wait, reading pauses until
 *   they are consumed.
 * - `closed` settles with how it ended (also when that happened before any
 *   `close` listener was attached).
 * - Pings are answered automatically (one pong in flight at most: a ping flood
 *   collapses into few pongs instead of growing memory); the peer's close is
 *   echoed; a protocol violation by the peer is answered with the close code it
 *   calls for (1002, 1007, 1009…).
 * - Events, through `on(type, listener)` (returns an unsubscribe function):
 *   `message`, `ping`, `pong`, `error`, `close`. An exception thrown by a
 *   listener is rethrown asynchronously (as an EventTarget reports it).
 *
 * @example
 * ```ts
 * await using ws = await session.websocket("ws://127.0.0.1:8080/echo");
 * await ws.send("hello");
 * for await (const message of ws) {
 *   console.log(message); // "hello"
 *   await ws.close(1000, "done");
 * }
 * ```
 */
export class WebSocketClient implements AsyncIterable<WebSocketMessage> {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;

  /** The URL connected to, with a `ws:` or `wss:` scheme. */
  readonly url: string;
  /** The subprotocol the server selected, or `""`. */
  readonly protocol: string;
  /** The extensions the server accepted, as it listed them (`""` for none). */
  readonly extensions: string;
  /** Settles (never rejects) once the connection is closed and its transport released. */
  readonly closed: Promise<WebSocketCloseInfo>;

  readonly #conn: Connection;
  readonly #core: WebSocketConnection;
  readonly #controller: AbortController;
  readonly #signal: AbortSignal | undefined;
  readonly #closeTimeout: number;
  readonly #highWaterMark: number;
  readonly #threshold: number | null;
  #resolveClosed!: (info: WebSocketCloseInfo) => void;

  #readyState: number = OPEN;
  #info: WebSocketCloseInfo | undefined;
  #sentClose = false;
  #receivedClose: { code: number; reason: string } | undefined;
  #inputDone = false;

  /**
   * Listeners per event type. An array is never changed once stored (on/off
   * store a new one), so an emit walks the array it read without copying it
   * first, and a listener added or removed meanwhile does not change that
   * emit. Per message this spares the copy of a Set and the argument arrays:
   * 16 B echo, 23,933 → 23,675 user-space instructions per message, side by
   * side (`node scripts/ws-per-message.mjs --bundles=…` in apps/bench,
   * results/2026-12-07-ws-small.md).
   */
  readonly #listeners = new Map<keyof WebSocketEventMap, readonly unknown[]>();
  /**
   * `#listeners`' "message" array, kept at hand for every message instead of
   * a Map lookup each time: 16 B echo, 16,225 → 16,138 user-space
   * instructions per message, side by side (`node scripts/ws-per-message.mjs
   * --bundles=…` in apps/bench, results/2026-12-07-ws-margin.md).
   */
  #messageListeners: readonly unknown[] = NO_LISTENERS;
  readonly #queue: WebSocketMessage[] = [];
  #iterators = 0;
  #waiters: (() => void)[] = [];
  #resumeRead: (() => void) | undefined;

  #sendTail: Promise<void> | undefined;
  /** The transport's promise of the last write and what #write made of it. */
  #lastWritten: Promise<void> | undefined;
  #lastSent: Promise<void> | undefined;
  #queuedSends = 0;
  #pongInFlight = false;
  #awaitingPong = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  readonly #onAbort = () => this.#fail(this.#signal?.reason, true);

  /** @internal Built by `session.websocket()`; not for direct use. */
  constructor(setup: WebSocketSetup) {
    this.url = setup.url;
    this.protocol = setup.protocol;
    this.extensions = setup.extensions;
    this.#conn = setup.connection;
    this.#core = setup.core;
    this.#controller = setup.controller;
    this.#signal = setup.signal;
    this.#closeTimeout = setup.closeTimeout;
    this.#highWaterMark = setup.highWaterMark;
    this.#threshold = setup.compressThreshold;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    if (setup.pingInterval !== undefined) this.#keepalive(setup.pingInterval);
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    // Start reading after the caller's continuation ran: listeners attached
    // right after `await session.websocket()` see the frames that came with the 101.
    setTimeout(this.#pump, 0);
  }

  /** `OPEN` (1), `CLOSING` (2) or `CLOSED` (3); `CONNECTING` is never seen here. */
  get readyState(): number {
    return this.#readyState;
  }

  /**
   * Subscribes to an event; returns the function that unsubscribes.
   *
   * @example
   * ```ts
   * const off = ws.on("message", (data) => console.log(data));
   * off();
   * ```
   */
  on<K extends keyof WebSocketEventMap>(type: K, listener: Listener<K>): () => void {
    const current = this.#listeners.get(type) ?? NO_LISTENERS;
    if (!current.includes(listener)) this.#setListeners(type, [...current, listener]);
    if (type === "message" && this.#iterators === 0 && this.#queue.length > 0) {
      // Messages that came before anyone listened go to the first listener.
      for (const message of this.#queue.splice(0)) {
        // Read again per message: a listener may remove itself meanwhile.
        emitMessage(this.#messageListeners, message, typeof message !== "string");
      }
      this.#resumeRead?.();
    }
    return () => this.off(type, listener);
  }

  /**
   * Removes a listener added with {@link on}.
   *
   * @example
   * ```ts
   * const onPong = () => console.log("pong");
   * ws.on("pong", onPong);
   * ws.off("pong", onPong);
   * ```
   */
  off<K extends keyof WebSocketEventMap>(type: K, listener: Listener<K>): void {
    const current = this.#listeners.get(type);
    if (current?.includes(listener)) {
      this.#setListeners(
        type,
        current.filter((l) => l !== listener),
      );
    }
  }

  #setListeners(type: keyof WebSocketEventMap, listeners: readonly unknown[]): void {
    this.#listeners.set(type, listeners);
    if (type === "message") this.#messageListeners = listeners;
  }

  /**
   * Sends one message. A string is text, bytes or a Blob are binary; an
   * (async) iterable or ReadableStream of fragments is sent as one fragmented
   * message (all strings: text; all bytes: binary). Resolves when the
   * transport accepted the bytes; rejects with `WebSocketError("CLOSED")` once
   * the socket is closing.
   *
   * @example
   * ```ts
   * await ws.send("text");
   * await ws.send(new Uint8Array([1, 2, 3]));
   * await ws.send((async function* () { yield "part 1, "; yield "part 2"; })());
   * ```
   */
  send(data: WebSocketData | WebSocketFragments): Promise<void> {
    if (this.#readyState !== OPEN) return handled(Promise.reject(this.#closedError()));
    if (this.#queuedSends === 0) {
      // Nothing queued: frame it now, so `send(a); close()` sends `a` first.
      let frame: Uint8Array | undefined;
      try {
        frame = this.#frameWhole(data);
      } catch (error) {
        return handled(Promise.reject(error));
      }
      if (frame !== undefined) return this.#write(frame);
    }
    this.#queuedSends++;
    const run = async () => {
      try {
        await this.#sendQueued(data);
      } finally {
        this.#queuedSends--;
      }
    };
    const result = (this.#sendTail ?? Promise.resolve()).then(run);
    this.#sendTail = result.then(noop, noop);
    return handled(result);
  }

  /**
   * Sends a ping (payload up to 125 bytes); resolves when it was written. The
   * answer arrives as a `pong` event.
   *
   * @example
   * ```ts
   * ws.on("pong", (data) => console.log("pong", data));
   * await ws.ping("are you there");
   * ```
   */
  ping(data?: string | Uint8Array): Promise<void> {
    try {
      return this.#write(this.#frame({ type: "ping", data: data ?? EMPTY }));
    } catch (error) {
      return handled(Promise.reject(error));
    }
  }

  /**
   * Starts the close handshake and resolves once it is
   * over and the transport released. If the peer does not answer within
   * `timeout.close`, the connection is aborted and the result says
   * `wasClean: false` with a `CLOSE_TIMEOUT` error. Never rejects for a
   * socket already closing or closed; rejects with InvalidRequestError for a
   * code that may not be sent or a reason over 123 bytes. Without a code the
   * close frame is empty (the peer sees 1005); a reason alone is sent with 1000.
   *
   * @example
   * ```ts
   * const { code, wasClean } = await ws.close(4000, "bye");
   * ```
   */
  close(code?: number, reason?: string): Promise<WebSocketCloseInfo> {
    if (this.#readyState === OPEN) {
      let frame: Uint8Array;
      try {
        frame = this.#core.send(
          code === undefined && !reason
            ? { type: "close" }
            : { type: "close", code: code ?? 1000, reason },
        );
      } catch (error) {
        return handled(Promise.reject(localError(error)));
      }
      this.#sentClose = true;
      this.#readyState = CLOSING;
      this.#startCloseTimer();
      this.#resumeRead?.();
      this.#write(frame).catch(noop);
    }
    return this.closed;
  }

  /**
   * Aborts the connection at once, without a close handshake (1006, AbortError).
   *
   * @example
   * ```ts
   * ws.terminate();
   * (await ws.closed).code; // 1006
   * ```
   */
  terminate(): void {
    this.#fail("terminated", true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Messages as they arrive, until the connection closes. Ends after a close
   * handshake; throws the error when the connection ended abnormally (other
   * than a close timeout after `close()`). Leaving the loop early does not close the socket.
   */
  [Symbol.asyncIterator](): AsyncIterator<WebSocketMessage> {
    this.#iterators++;
    let done = false;
    const stop = () => {
      if (!done) {
        done = true;
        this.#iterators--;
      }
    };
    const iterator: AsyncIterator<WebSocketMessage> & AsyncIterable<WebSocketMessage> = {
      next: async () => {
        for (;;) {
          if (done) return { value: undefined, done: true };
          const message = this.#queue.shift();
          if (message !== undefined) {
            if (this.#queue.length < this.#highWaterMark) this.#resumeRead?.();
            return { value: message, done: false };
          }
          if (this.#inputDone) {
            stop();
            // Reading is over; the close handshake may still be running.
            const info = this.#info ?? (await this.closed);
            const error = info.error as WebSocketError | undefined;
            if (error !== undefined && error.code !== "CLOSE_TIMEOUT") throw error;
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => this.#waiters.push(resolve));
        }
      },
      return: async () => {
        stop();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  // ---- sending ----

  #closedError(): Error {
    const error = this.#info?.error;
    if (error !== undefined && (error as { code?: unknown }).code !== "CLOSE_TIMEOUT") return error;
    return new WebSocketError("CLOSED", "the WebSocket is closing or closed");
  }

  /** Frames an event; throws CLOSED once closing, InvalidRequestError for bad input. */
  #frame(event: WebSocketSendEvent): Uint8Array {
    if (this.#readyState !== OPEN) throw this.#closedError();
    try {
      return this.#core.send(event);
    } catch (error) {
      throw localError(error);
    }
  }

  /** The frame of a whole message available now, or `undefined` for a Blob or fragments. */
  #frameWhole(data: unknown): Uint8Array | undefined {
    if (typeof data === "string") {
      return this.#frame({ type: "text", data, compress: this.#compress(data.length) });
    }
    const bytes = bytesOf(data);
    if (bytes !== undefined) {
      return this.#frame({ type: "binary", data: bytes, compress: this.#compress(bytes.length) });
    }
    if (isBlob(data)) return undefined;
    const d = data as Record<symbol | string, unknown> | null;
    if (
      d !== null &&
      typeof d === "object" &&
      (Symbol.asyncIterator in d || Symbol.iterator in d || typeof d.getReader === "function")
    ) {
      return undefined;
    }
    throw new InvalidRequestError(
      "send() takes a string, bytes, a Blob, or an iterable or stream of fragments",
    );
  }

  #compress(length: number): boolean {
    return this.#threshold !== null && length >= this.#threshold;
  }

  async #sendQueued(data: WebSocketData | WebSocketFragments): Promise<void> {
    if (isBlob(data)) {
      const bytes = new Uint8Array(await data.arrayBuffer());
      return this.#write(this.#frameWhole(bytes)!);
    }
    const whole = this.#frameWhole(data);
    if (whole !== undefined) return this.#write(whole);
    await this.#sendFragments(data as WebSocketFragments);
  }

  async #sendFragments(source: WebSocketFragments): Promise<void> {
    let type: "text" | "binary" | undefined;
    let held: string | Uint8Array | undefined;
    let started = false;
    try {
      for await (const piece of fragmentsOf(source)) {
        const fragment = typeof piece === "string" ? piece : bytesOf(piece);
        if (fragment === undefined)
          throw new InvalidRequestError("a fragment must be a string or bytes");
        const kind = typeof fragment === "string" ? "text" : "binary";
        if (type !== undefined && kind !== type) {
          throw new InvalidRequestError(
            "fragments of one message must be all strings or all bytes",
          );
        }
        type = kind;
        // One fragment is held back, so the last one can carry FIN.
        if (held !== undefined) {
          const frame = this.#frame({ type, data: held, fin: false } as WebSocketSendEvent);
          started = true;
          await this.#write(frame);
        }
        held = fragment;
      }
    } catch (error) {
      // Half a message is on the wire: nothing else can follow it. Close with 1011.
      if (started && this.#readyState === OPEN)
        this.close(1011, "message source failed").catch(noop);
      throw error;
    }
    if (type === undefined) return this.#write(this.#frame({ type: "binary", data: EMPTY }));
    return this.#write(this.#frame({ type, data: held, fin: true } as WebSocketSendEvent));
  }

  /**
   * Writes `bytes`; the result rejects with the socket's error (and is
   * marked handled). A transport may answer several writes with one shared
   * promise (Node's returns one settled promise for every write the OS took
   * at once): same promise, same outcome, so the mapped promise made for it
   * the first time serves again. That spares two promises and two microtasks
   * per message: 16 B WebSocket echo, user-space instructions per message
   * 24,847 before, 23,949 after, side by side, twice (24,836 and 23,953;
   * `node scripts/ws-per-message.mjs --bundles=…` in apps/bench,
   * results/2026-12-07-ws-small.md).
   */
  #write(bytes: Uint8Array): Promise<void> {
    const written = this.#conn.write(bytes);
    if (written === this.#lastWritten) return this.#lastSent!;
    const sent = handled(written.then(undefined, this.#writeFailed));
    this.#lastWritten = written;
    this.#lastSent = sent;
    return sent;
  }

  readonly #writeFailed = (error: unknown): never => {
    this.#transportFailed(error);
    throw this.#closedError();
  };

  #flushPong(): void {
    if (this.#pongInFlight) return;
    const pong = this.#core.takeAutoPong();
    if (pong === null) return;
    this.#pongInFlight = true;
    this.#conn.write(pong).then(
      () => {
        this.#pongInFlight = false;
        this.#flushPong(); // pings that came meanwhile: one answer for the latest
      },
      (error: unknown) => {
        this.#pongInFlight = false;
        this.#transportFailed(error);
      },
    );
  }

  // ---- reading ----

  /**
   * The read loop: handles the buffered events, then reads on until a read
   * has to wait (or reading is over). Where the transport has `readNow`, a
   * chunk that arrives later comes to {@link #onChunk} straight from the
   * socket's read, so an echo is answered without a promise or microtask hop
   * per read: 16 B WebSocket echo, user-space instructions per message
   * 20,968 → 19,210, side by side (`node scripts/ws-per-message.mjs
   * --bundles=…` in apps/bench, results/2026-12-07-ws-16b.md). Elsewhere it
   * awaits `read()`.
   */
  readonly #pump = (): void => {
    try {
      for (;;) {
        if (!this.#drain() || this.#info !== undefined) return;
        if (this.#queue.length >= this.#highWaterMark && this.#readyState === OPEN) {
          // Paused until the queued messages are taken; on again in a microtask.
          this.#resumeRead = () => {
            this.#resumeRead = undefined;
            queueMicrotask(this.#pump);
          };
          return;
        }
        const conn = this.#conn;
        if (conn.readNow === undefined) {
          // The promise of `read()`: its chunk takes the same way as a later `readNow` one.
          conn.read().then(this.#onChunk, this.#onReadRejected);
          return;
        }
        const chunk = conn.readNow(this.#onChunk, this.#onReadFailed);
        if (chunk === undefined || !this.#received(chunk)) return;
      }
    } catch (error) {
      this.#transportFailed(error);
    }
  };

  /** A chunk the transport delivered later: from `readNow`, or `read()`'s promise (see {@link #pump}). */
  readonly #onChunk = (chunk: Uint8Array | null): void => {
    try {
      if (!this.#received(chunk)) return;
    } catch (error) {
      this.#transportFailed(error);
      return;
    }
    this.#pump();
  };

  /**
   * A failed `readNow`, handled a microtask later as a rejected read was: the
   * failure may come from inside our own abort (`#fail` aborts the transport
   * before it records why the socket ended).
   */
  readonly #onReadFailed = (error: unknown): void =>
    queueMicrotask(() => this.#transportFailed(error));

  /** A rejected `read()` (transports without `readNow`; see {@link #pump}). */
  readonly #onReadRejected = (error: unknown): void => this.#transportFailed(error);

  /** Feeds a chunk to the core; false once reading is over (ended here, or before). */
  #received(chunk: Uint8Array | null): boolean {
    if (this.#info !== undefined) return false;
    if (chunk === null) {
      this.#core.receiveData(null);
      if (!this.#drain() || this.#info !== undefined) return false;
      if (this.#receivedClose !== undefined) this.#finishClean();
      else this.#lost(undefined);
      return false;
    }
    this.#awaitingPong = false;
    this.#core.receiveData(chunk);
    return true;
  }

  /** Handles every buffered event; false once the peer broke the protocol. */
  #drain(): boolean {
    for (;;) {
      let event: ReturnType<WebSocketConnection["nextEvent"]>;
      try {
        event = this.#core.nextEvent();
      } catch (error) {
        this.#protocolError(error);
        return false;
      }
      if (event === NEED_DATA) return true;
      switch (event.type) {
        case "text":
          this.#deliver(event.data, false);
          break;
        case "binary": {
          const d = event.data; // a plain Uint8Array view (not a runtime Buffer subclass)
          this.#deliver(
            d.constructor === Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength),
            true,
          );
          break;
        }
        case "ping":
          this.#emit("ping", event.data);
          this.#flushPong();
          break;
        case "pong":
          this.#emit("pong", event.data);
          break;
        case "close":
          this.#peerClosed(event.code, event.reason);
          break;
      }
      if (this.#info !== undefined) return true;
    }
  }

  #deliver(data: WebSocketMessage, isBinary: boolean): void {
    const listeners = this.#messageListeners;
    if (this.#iterators > 0 || listeners.length === 0) {
      this.#queue.push(data);
      this.#wake();
    }
    emitMessage(listeners, data, isBinary);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #peerClosed(code: number, reason: string): void {
    this.#inputDone = true;
    this.#wake();
    if (code === 1006) {
      // The stream ended without a close frame.
      this.#lost(undefined);
      return;
    }
    this.#receivedClose = { code, reason };
    if (!this.#sentClose) {
      this.#sentClose = true;
      this.#readyState = CLOSING;
      const frame = this.#core.send(code === 1005 ? { type: "close" } : { type: "close", code });
      this.#write(frame).catch(noop);
      this.#startCloseTimer();
    }
    // Now wait for the server to end the TCP connection (RFC 6455 §7.1.1), up to the close timeout.
  }

  #protocolError(cause: unknown): void {
    const closeCode = (cause as { closeCode?: unknown }).closeCode;
    const code = typeof closeCode === "number" ? closeCode : 1011;
    const error = new WebSocketError("PROTOCOL_ERROR", (cause as Error).message ?? String(cause), {
      cause,
      closeCode: code,
    });
    let sent: Promise<void> | undefined;
    if (!this.#sentClose) {
      this.#sentClose = true;
      try {
        sent = this.#conn.write(this.#core.send({ type: "close", code }));
      } catch {
        sent = undefined;
      }
    }
    this.#finish({ code, reason: "", wasClean: false, error }, sent);
  }

  // ---- ending ----

  #startCloseTimer(): void {
    if (this.#closeTimer !== undefined) return;
    this.#closeTimer = setTimeout(() => {
      this.#closeTimer = undefined;
      if (this.#receivedClose !== undefined) {
        this.#finishClean(); // both close frames went; the peer just kept the TCP connection open
        return;
      }
      this.#fail(
        new WebSocketError(
          "CLOSE_TIMEOUT",
          `no close frame from the peer within ${this.#closeTimeout} ms`,
        ),
        false,
      );
    }, this.#closeTimeout);
  }

  #keepalive(interval: number): void {
    this.#pingTimer = setInterval(() => {
      if (this.#readyState !== OPEN) return;
      const paused = this.#resumeRead !== undefined;
      if (this.#awaitingPong && !paused) {
        this.#fail(
          new WebSocketError("PING_TIMEOUT", `no answer to a ping within ${interval} ms`),
          false,
        );
        return;
      }
      this.#awaitingPong = true;
      try {
        this.#write(this.#core.send({ type: "ping" })).catch(noop);
      } catch {
        // the core refused (closing): the next tick sees the state
      }
    }, interval);
    (this.#pingTimer as { unref?: () => void }).unref?.();
  }

  #finishClean(): void {
    const { code, reason } = this.#receivedClose ?? { code: 1005, reason: "" };
    this.#finish({ code, reason, wasClean: true });
  }

  #lost(cause: unknown): void {
    this.#finish({
      code: 1006,
      reason: "",
      wasClean: false,
      error: new WebSocketError(
        "CONNECTION_LOST",
        "the connection ended without a close handshake",
        {
          cause,
        },
      ),
    });
  }

  #transportFailed(error: unknown): void {
    if (this.#info !== undefined) return;
    if (this.#receivedClose !== undefined && this.#sentClose) this.#finishClean();
    else this.#lost(error);
  }

  /** Ends abnormally now: aborts the transport. `abort`: the error is the caller's abort reason. */
  #fail(reason: unknown, abort: boolean): void {
    if (this.#info !== undefined) return;
    const error = abort || !(reason instanceof WebSocketError) ? new AbortError(reason) : reason;
    this.#controller.abort(error);
    this.#finish({ code: 1006, reason: "", wasClean: false, error });
  }

  /**
   * Records how it ended, releases the transport (after `pending`, the last
   * write, settles; never later than the close timeout), stops the timers and
   * tells everyone.
   */
  #finish(info: WebSocketCloseInfo, pending?: Promise<void>): void {
    if (this.#info !== undefined) return;
    this.#info = info;
    this.#readyState = CLOSED;
    this.#inputDone = true;
    clearTimeout(this.#closeTimer);
    clearInterval(this.#pingTimer);
    this.#closeTimer = undefined;
    this.#pingTimer = undefined;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    if (pending === undefined) {
      this.#conn.close();
    } else {
      const conn = this.#conn;
      const timer = setTimeout(() => conn.abort(info.error), this.#closeTimeout);
      // RFC 6455 §7.1.1: after our close frame, our FIN, then the peer's. Closing
      // at once with the peer's frames unread sends a TCP reset, which can destroy
      // the close frame before the peer has read it (seen on Bun under load).
      pending
        .then(() => conn.closeWrite())
        .then(async () => {
          // Bounded by the close timeout, which aborts the connection.
          while ((await conn.read()) !== null);
        })
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          conn.close();
        });
    }
    this.#resumeRead?.();
    this.#wake();
    this.#resolveClosed(info);
    if (info.error !== undefined) this.#emit("error", info.error);
    this.#emit("close", info);
  }

  #emit<K extends keyof WebSocketEventMap>(type: K, ...args: WebSocketEventMap[K]): void {
    const listeners = this.#listeners.get(type);
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        rethrowLater(error);
      }
    }
  }
}

/** What `#emit` does for `message`, the event of every message, without argument arrays. */
function emitMessage(
  listeners: readonly unknown[],
  data: WebSocketMessage,
  isBinary: boolean,
): void {
  for (const listener of listeners) {
    try {
      (listener as Listener<"message">)(data, isBinary);
    } catch (error) {
      rethrowLater(error);
    }
  }
}

/** Reports a listener's exception asynchronously, as an EventTarget does. */
function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** Maps the core's refusal of a send into the client's errors. */
function localError(error: unknown): Error {
  if (error instanceof LocalProtocolError) {
    const state = ["CLOSE_SENT", "CLOSE_RECEIVED", "CONNECTION_FAILED", "CONNECTION_CLOSED"];
    if (state.includes(error.code)) {
      return new WebSocketError("CLOSED", "the WebSocket is closing or closed", { cause: error });
    }
    return new InvalidRequestError(error.message, { cause: error });
  }
  return error as Error;
}

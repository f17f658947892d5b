/**
 * The connection pool: per key (the origin and the route to it — proxy,
 * TLS settings, socket path; see origin-targets.ts), the
 * most recently used idle connection is reused first (LIFO keeps few
 * connections warm and lets the rest time out), a cap on connections per
 * origin with a FIFO queue of waiters, and an idle timeout that respects the
 * server's `Keep-Alive: timeout=` hint.
 */
import type { HttpLimits } from "@reqivo/protocol";
import type { AbortSignalLike, Connection, Transport } from "@reqivo/transport";
import { AbortError, SessionClosedError } from "../errors.ts";
import { Http2Link } from "./http2/link.ts";
import type { Http2Settings } from "./http2/options.ts";
import { PooledConnection } from "./pooled-connection.ts";
import { WaitQueue } from "./wait-queue.ts";

/** Pool options of a Session. */
export interface PoolOptions {
  /** Most connections open at once to one origin (or to a proxy that forwards plain-HTTP requests). Default 64. */
  connections?: number;
  /** Close a connection idle for this many ms. Default 4000. */
  idleTimeout?: number;
}

/**
 * A request asking the pool for a connection ({@link Pool.acquireFor}): it
 * waits in the origin's queue itself, as undici queues its requests, rather
 * than behind a promise of its own. The pool calls back exactly one of
 * `connected` and `failed`, once, and never from inside the call that asked
 * or the release that hands a connection over (a microtask later, as a
 * promise's `then` would).
 *
 * @example
 * ```ts
 * pool.acquireFor(key, {
 *   multiplex: false,
 *   open: () => transport.connect({ host: "127.0.0.1", port: 8080 }),
 *   connected: (connection) => run(connection),
 *   failed: (error) => report(error),
 * });
 * ```
 */
export interface PoolRequest {
  /** The connection may turn out to speak HTTP/2 (ALPN offered `h2`): see {@link Pool.acquire}. */
  readonly multiplex: boolean;
  /** Opens a new connection, when the request gets a slot to open one in. */
  open(): Promise<Connection>;
  /** The connection, lent to the request (its exchange already counted). Must not throw. */
  connected(connection: PooledConnection): void;
  /** Why the request gets no connection: the session closed, its connect failed, or its wait was aborted. */
  failed(error: unknown): void;
}

class OriginPool {
  readonly key: string;
  /** Connections with room for an exchange, most recently used last (all idle, for HTTP/1.1). */
  readonly idle: PooledConnection[] = [];
  /** Requests waiting for a connection, oldest first. */
  readonly waiters = new WaitQueue<PoolRequest>();
  /** Connections open or being opened. */
  total = 0;
  /**
   * Settles when the connect in progress that may bring HTTP/2 is done
   * (`undefined`: none): requests that could share it wait for it rather
   * than each opening a connection of their own.
   */
  opening: Promise<void> | undefined;
  /** Whether the origin's last connection spoke HTTP/2 (`undefined`: not known yet). */
  multiplexed: boolean | undefined;

  constructor(key: string) {
    this.key = key;
  }
}

// Servers close idle connections at their announced timeout; leave them this much earlier.
const KEEP_ALIVE_MARGIN = 1000;

export class Pool {
  readonly #transport: Transport;
  readonly #maxPerOrigin: number;
  readonly #idleTimeout: number;
  readonly #limits: Partial<HttpLimits>;
  readonly #http2: Http2Settings | undefined;
  readonly #origins = new Map<string, OriginPool>();
  #closed = false;

  constructor(
    transport: Transport,
    options: PoolOptions = {},
    limits: Partial<HttpLimits> = {},
    http2?: Http2Settings,
  ) {
    this.#transport = transport;
    this.#http2 = http2;
    this.#maxPerOrigin = options.connections ?? 64;
    this.#idleTimeout = options.idleTimeout ?? 4000;
    this.#limits = limits;
    if (!(this.#maxPerOrigin >= 1)) throw new RangeError("pool.connections must be at least 1");
    if (!(this.#idleTimeout >= 0)) throw new RangeError("pool.idleTimeout must be >= 0");
  }

  /** Connections open per origin key, idle or busy (for tests and diagnostics). */
  stats(): Record<string, { total: number; idle: number; waiting: number }> {
    const out: Record<string, { total: number; idle: number; waiting: number }> = {};
    for (const [key, origin] of this.#origins) {
      out[key] = { total: origin.total, idle: origin.idle.length, waiting: origin.waiters.length };
    }
    return out;
  }

  /**
   * A connection for `key`: the most recently used idle one, a new one from
   * `open` when under the cap, or the next one released. `fresh` skips idle
   * ones. A wait for a slot ends when `cancel` aborts. `multiplex`: the
   * connection may turn out to speak HTTP/2 (ALPN offered `h2`), so while one
   * is being opened, wait for it and share it if it does.
   */
  acquire(
    key: string,
    open: () => Promise<Connection>,
    fresh = false,
    cancel?: AbortSignalLike,
    multiplex = false,
  ): Promise<PooledConnection> {
    return new Promise((resolve, reject) => {
      this.acquireFor(key, { multiplex, open, connected: resolve, failed: reject }, fresh, cancel);
    });
  }

  /**
   * {@link acquire} with callbacks: `request` gets its connection, or why it
   * gets none, through {@link PoolRequest}. The request waiting in the queue
   * is the record of its wait: no promise, executor or waiter object of its
   * own (dispatch.ts's requests wait here whenever every connection is busy:
   * with 100 in flight on 50 connections, nearly all of them).
   */
  acquireFor(key: string, request: PoolRequest, fresh = false, cancel?: AbortSignalLike): void {
    if (this.#closed) {
      failLater(request, new SessionClosedError());
      return;
    }
    const origin = this.#origin(key);
    if (!fresh) {
      const idle = this.#takeIdle(origin);
      if (idle !== undefined) {
        this.#handOver(origin, request, idle);
        return;
      }
      if (request.multiplex && origin.opening !== undefined && origin.multiplexed !== false) {
        void this.#shareOpening(origin, request, cancel);
        return;
      }
    }
    this.#openOrWait(origin, request, cancel);
  }

  /**
   * While a connection that may speak HTTP/2 is being opened: waits for it,
   * and shares it if it does; else opens or waits as usual, at once when the
   * loop ends (a request that found no opening any more must not let others
   * of its round start connects before it looks again).
   */
  async #shareOpening(
    origin: OriginPool,
    request: PoolRequest,
    cancel: AbortSignalLike | undefined,
  ): Promise<void> {
    try {
      while (origin.opening !== undefined && origin.multiplexed !== false) {
        await settledOrAborted(origin.opening, cancel);
        if (this.#closed) throw new SessionClosedError();
        const shared = this.#takeIdle(origin);
        if (shared !== undefined) {
          request.connected(shared);
          return;
        }
      }
    } catch (error) {
      request.failed(error);
      return;
    }
    this.#openOrWait(origin, request, cancel);
  }

  /** A new connection while under the cap; at the cap, a place in the origin's queue. */
  #openOrWait(origin: OriginPool, request: PoolRequest, cancel: AbortSignalLike | undefined): void {
    if (origin.total < this.#maxPerOrigin) {
      this.#connect(origin, request, false);
      return;
    }
    if (cancel === undefined) {
      // Nothing can end this wait early: the request itself waits, no listener.
      origin.waiters.push(request);
      return;
    }
    if (cancel.aborted) {
      failLater(request, new AbortError(cancel.reason));
      return;
    }
    origin.waiters.push(new CancellableWait(origin, request, cancel));
  }

  /**
   * Opens a connection for `request` (`reserved`: its slot is already
   * counted); one that may speak HTTP/2 is the origin's `opening` until it is done.
   */
  #connect(origin: OriginPool, request: PoolRequest, reserved: boolean): void {
    const opening = this.#open(origin, request, reserved);
    if (request.multiplex) {
      // Before the request's own `then`: the origin's `opening` ends first, as requests sharing it expect.
      const settled = opening.then(
        () => undefined,
        () => undefined,
      );
      origin.opening = settled;
      settled.then(() => {
        if (origin.opening === settled) origin.opening = undefined;
      });
    }
    opening.then(
      (connection) => request.connected(connection),
      (error: unknown) => request.failed(error),
    );
  }

  /**
   * Gives `request` its connection a microtask later (`connection`
   * `undefined`: a freed slot, counted for it, to connect in), as the `then`
   * on a waiter's promise did: not inside the release or discard that
   * passed it on (a small body ends, and releases its connection, inside
   * the exchange's own callback). One `then` serves every hand-over made
   * until it runs, and the arrays are reused: no closure or record per
   * hand-over. (`queueMicrotask` cost more: Node wraps each callback in an
   * AsyncResource.)
   */
  #handOver(
    origin: OriginPool,
    request: PoolRequest,
    connection: PooledConnection | undefined,
  ): void {
    const at = this.#handOvers++;
    this.#handedTo[at] = request;
    this.#handedFrom[at] = origin;
    this.#handed[at] = connection;
    if (at === 0) NEXT_TICK.then(this.#deliverHandOvers);
  }

  /** Hand-overs waiting for {@link #deliverHandOvers}: the first `#handOvers` entries of the arrays. */
  #handOvers = 0;
  readonly #handedTo: (PoolRequest | undefined)[] = [];
  readonly #handedFrom: (OriginPool | undefined)[] = [];
  readonly #handed: (PooledConnection | undefined)[] = [];
  readonly #deliverHandOvers = (): void => {
    let at = 0;
    try {
      // Hand-overs made while these run (a request that gives its connection straight back) join this round.
      for (; at < this.#handOvers; at++) {
        const request = this.#handedTo[at] as PoolRequest;
        const origin = this.#handedFrom[at] as OriginPool;
        const connection = this.#handed[at];
        this.#handedTo[at] = undefined;
        this.#handedFrom[at] = undefined;
        this.#handed[at] = undefined;
        if (connection !== undefined) request.connected(connection);
        else this.#connect(origin, request, true);
      }
    } finally {
      // Short of the end only when a callback threw: the rest go in another round.
      const count = this.#handOvers;
      let kept = 0;
      for (let from = Math.min(at + 1, count); from < count; from++, kept++) {
        this.#handedTo[kept] = this.#handedTo[from];
        this.#handedFrom[kept] = this.#handedFrom[from];
        this.#handed[kept] = this.#handed[from];
      }
      this.#handOvers = kept;
      if (kept > 0) NEXT_TICK.then(this.#deliverHandOvers);
    }
  };

  /**
   * The most recently used idle connection of the origin, taken without
   * waiting (`undefined` when there is none or the pool is closed). Lets the
   * keep-alive path skip {@link acquire}'s promise and its connect options.
   */
  takeIdle(key: string): PooledConnection | undefined {
    if (this.#closed) return undefined;
    const origin = this.#origins.get(key);
    return origin === undefined ? undefined : this.#takeIdle(origin);
  }

  /** Returns a connection after a complete exchange; it must be reusable. */
  release(connection: PooledConnection): void {
    const origin = this.#origins.get(connection.originKey);
    if (
      origin === undefined ||
      connection.broken ||
      (this.#closed && connection.h2 === undefined)
    ) {
      this.discard(connection);
      return;
    }
    if (connection.draining || this.#closed) {
      // Takes no new exchange (GOAWAY, or the session closing): closed once its last one ends.
      connection.active--;
      this.#unoffer(origin, connection);
      if (connection.active <= 0) this.discard(connection);
      return;
    }
    const waiter = origin.waiters.shift();
    if (waiter !== undefined) {
      // Handed over as it is: the exchange it was lent for becomes the waiter's.
      this.#handOver(origin, waiter, connection);
      return;
    }
    connection.active--;
    // A connection with room was still on offer (one that carries several exchanges at once).
    const offered = connection.capacity > 1 && origin.idle.includes(connection);
    if (!offered) origin.idle.push(connection);
    if (connection.active > 0) return;
    const hint = connection.keepAliveHint;
    const timeout =
      hint === undefined
        ? this.#idleTimeout
        : Math.min(this.#idleTimeout, Math.max(0, hint - KEEP_ALIVE_MARGIN));
    connection.idleDeadline = performance.now() + timeout;
    this.#armIdleTimer(origin, connection);
    // An idle connection must not keep the process alive: a script that is
    // done exits now, not at the idle timeout. Taking it back re-refs it.
    connection.transport.unref?.();
    // An HTTP/2 link reads all the time and reports the connection's end itself.
    if (connection.h2 === undefined) connection.watchWhileIdle();
  }

  /** Closes a connection that cannot be reused and frees its slot. */
  discard(connection: PooledConnection): void {
    connection.close();
    // Once per connection: an HTTP/2 connection's streams may each end with a discard.
    if (connection.discarded) return;
    connection.discarded = true;
    const origin = this.#origins.get(connection.originKey);
    if (origin === undefined) return;
    const at = origin.idle.indexOf(connection);
    if (at !== -1) origin.idle.splice(at, 1);
    origin.total--;
    this.#passSlot(origin);
    this.#forgetIfEmpty(connection.originKey, origin);
  }

  /**
   * A freed slot lets the first waiter open a connection of its own. The slot
   * is counted for it at once: until its connect starts, no other request may
   * take it (the cap would break), and the origin must not look empty.
   */
  #passSlot(origin: OriginPool): void {
    const waiter = origin.waiters.shift();
    if (waiter === undefined) return;
    origin.total++;
    this.#handOver(origin, waiter, undefined);
  }

  #forgetIfEmpty(key: string, origin: OriginPool): void {
    if (origin.total === 0 && origin.waiters.length === 0 && this.#origins.get(key) === origin)
      this.#origins.delete(key);
  }

  /** Closes every connection; waiting requests fail with SessionClosedError. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    for (const origin of this.#origins.values()) {
      for (const waiter of origin.waiters.takeAll()) failLater(waiter, new SessionClosedError());
      for (const connection of origin.idle.splice(0)) {
        // An HTTP/2 connection still carrying exchanges closes when the last one ends.
        if (connection.active > 0) continue;
        connection.close();
        closing.push(connection.transport.closed.catch(() => undefined));
      }
    }
    await Promise.all(closing);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The transport connections are opened with (the WebSocket client opens its own, unpooled). */
  get transport(): Transport {
    return this.#transport;
  }

  #origin(key: string): OriginPool {
    let origin = this.#origins.get(key);
    if (origin === undefined) {
      origin = new OriginPool(key);
      this.#origins.set(key, origin);
    }
    return origin;
  }

  #takeIdle(origin: OriginPool): PooledConnection | undefined {
    for (
      let connection = origin.idle.pop();
      connection !== undefined;
      connection = origin.idle.pop()
    ) {
      // Its idle timer, if any, stays: it finds the connection busy when it fires (see #armIdleTimer).
      if (!connection.broken && !connection.draining) {
        connection.transport.ref?.();
        this.#lend(origin, connection);
        return connection;
      }
      // Draining with exchanges still open: it leaves the offer, and closes when they end.
      if (connection.draining && !connection.broken && connection.active > 0) continue;
      connection.close();
      if (!connection.discarded) {
        connection.discarded = true;
        origin.total--;
      }
    }
    return undefined;
  }

  /** Counts one more exchange on `connection`, and keeps it on offer while it has room for another. */
  #lend(origin: OriginPool, connection: PooledConnection): void {
    connection.active++;
    if (connection.active < connection.capacity) origin.idle.push(connection);
  }

  #unoffer(origin: OriginPool, connection: PooledConnection): void {
    const at = origin.idle.indexOf(connection);
    if (at !== -1) origin.idle.splice(at, 1);
  }

  /** An HTTP/2 connection stopped taking streams (GOAWAY, its end): no new exchange goes to it. */
  #retire(origin: OriginPool, connection: PooledConnection): void {
    connection.draining = true;
    this.#unoffer(origin, connection);
    if (connection.active <= 0) this.discard(connection);
  }

  /**
   * Closes `connection` at its `idleDeadline` if it is idle then. One timer
   * serves many idle spells of a busy keep-alive connection: it is armed
   * again only when it fires before the deadline (the connection was reused
   * meanwhile) or a deadline comes before it, not set and cleared around each
   * request (apps/bench `ALLOCATIONS=1 scripts/client-cycle.mjs 20000`,
   * keep-alive GET one at a time: ~9,270 → ~9,080 bytes per request).
   */
  #armIdleTimer(origin: OriginPool, connection: PooledConnection): void {
    const deadline = connection.idleDeadline;
    if (connection.idleTimer !== undefined && connection.idleTimerAt <= deadline) return;
    clearTimeout(connection.idleTimer);
    connection.idleTimerAt = deadline;
    connection.idleTimer = setTimeout(
      () => this.#idleTimerFired(origin, connection),
      Math.max(0, deadline - performance.now()),
    );
    (connection.idleTimer as { unref?: () => void }).unref?.();
  }

  #idleTimerFired(origin: OriginPool, connection: PooledConnection): void {
    connection.idleTimer = undefined;
    // Busy: the release that ends its exchange arms the timer again.
    if (connection.active > 0 || !origin.idle.includes(connection)) return;
    if (performance.now() >= connection.idleDeadline) this.discard(connection);
    else this.#armIdleTimer(origin, connection);
  }

  #dropIdle(origin: OriginPool, connection: PooledConnection): void {
    // Only while still idle: a request may have taken it in the meantime.
    if (origin.idle.includes(connection)) this.discard(connection);
  }

  async #open(
    origin: OriginPool,
    request: PoolRequest,
    reserved: boolean,
  ): Promise<PooledConnection> {
    if (!reserved) origin.total++;
    const started = performance.now();
    const key = origin.key;
    try {
      const transport = await request.open();
      const connection = new PooledConnection(
        transport,
        key,
        this.#limits,
        performance.now() - started,
      );
      connection.onIdleEnd = () => this.#dropIdle(origin, connection);
      const http2 = this.#http2;
      // Negotiated with ALPN, or known beforehand on a cleartext connection (h2c).
      const h2 =
        request.multiplex &&
        http2 !== undefined &&
        (transport.info.alpnProtocol === "h2" ||
          (http2.priorKnowledge && transport.info.tlsVersion === null));
      origin.multiplexed = h2;
      if (h2) {
        const link = new Http2Link(transport, http2.connection, http2.settingsTimeout);
        connection.useHttp2(link, http2.maxStreamsPerConnection);
        link.onRetire = () => this.#retire(origin, connection);
      } else {
        connection.shareReads();
      }
      this.#lend(origin, connection);
      return connection;
    } catch (error) {
      origin.total--;
      this.#passSlot(origin);
      this.#forgetIfEmpty(key, origin);
      throw error;
    }
  }
}

/**
 * A request waiting with a signal that may end its wait (the request's
 * lifeline: its own signal, a deadline, a timer): it leaves the queue when
 * the signal aborts. Only such requests get this record and listener.
 */
class CancellableWait implements PoolRequest {
  readonly #origin: OriginPool;
  readonly #request: PoolRequest;
  readonly #signal: AbortSignalLike;
  readonly #onAbort = (): void => {
    // Already handed a connection or a slot: the request sees its end there.
    if (!this.#origin.waiters.remove(this)) return;
    failLater(this.#request, new AbortError(this.#signal.reason));
  };

  constructor(origin: OriginPool, request: PoolRequest, signal: AbortSignalLike) {
    this.#origin = origin;
    this.#request = request;
    this.#signal = signal;
    signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  get multiplex(): boolean {
    return this.#request.multiplex;
  }

  open(): Promise<Connection> {
    return this.#request.open();
  }

  connected(connection: PooledConnection): void {
    this.#signal.removeEventListener("abort", this.#onAbort);
    this.#request.connected(connection);
  }

  failed(error: unknown): void {
    this.#signal.removeEventListener("abort", this.#onAbort);
    this.#request.failed(error);
  }
}

/** Resolved: a `then` on it runs its callback a microtask later. */
const NEXT_TICK: Promise<void> = Promise.resolve();

/** `request.failed(error)` a microtask later: never inside the call that asked, as a rejected promise's `then`. */
function failLater(request: PoolRequest, error: unknown): void {
  queueMicrotask(() => request.failed(error));
}

/** Resolves when `promise` settles; rejects with an AbortError when `signal` aborts first. */
function settledOrAborted(
  promise: Promise<void>,
  signal: AbortSignalLike | undefined,
): Promise<void> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new AbortError(signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new AbortError(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

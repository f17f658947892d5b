/**
 * One request on a connection of the pool: take a connection for the
 * target (an idle one without waiting when there is one), run one exchange
 * on it, and hand back the connection with the response head. A reused
 * connection that the server had already closed is replaced by a fresh one
 * once (the "socket hang up" case): whether a connection was stale is a fact
 * of the connection, not a policy, so it is handled here and not by the
 * retry middleware. On HTTP/2 the same holds for a stream the server
 * refused (REFUSED_STREAM) or never processed (above a GOAWAY's last stream
 * id): it is sent again on a connection that still takes streams (see
 * `replays`).
 */
import { Headers } from "@reqivo/protocol";
import type { Connection } from "@reqivo/transport";
import {
  type ExchangeHandlers,
  type ExchangeProgress,
  type ExchangeResult,
  exchange,
  exchangeSettling,
  type WireRequest,
} from "./exchange.ts";
import { exchangeHttp2 } from "./http2/exchange.ts";
import { Http2ClientStream } from "./http2/stream.ts";
import type { Lifeline, TimeoutOptions } from "./lifeline.ts";
import type { OriginTarget, OriginTargets } from "./origin-targets.ts";
import type { Pool, PoolRequest } from "./pool.ts";
import type { PooledConnection } from "./pooled-connection.ts";

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

function isStale(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "CONNECTION_CLOSED" || code === "CONNECTION_RESET";
}

/** An HTTP/2 request the server did not act on: safe to send again whatever its method. */
function isUnprocessed(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "HTTP2_REFUSED_STREAM" || code === "HTTP2_UNPROCESSED";
}

/**
 * How often a request that failed with `reason` may be sent again: once, but
 * up to 8 times for a stream above a GOAWAY's last stream id. Each such
 * replay goes to another connection (the one that said GOAWAY takes no more)
 * and the server did nothing with it, yet a server that takes few streams per
 * connection (nginx's `keepalive_requests`, 1000 by default) leaves many
 * concurrent requests unprocessed on the next connection too.
 */
function replays(reason: unknown): number {
  return (reason as { code?: unknown } | null)?.code === "HTTP2_UNPROCESSED" ? 8 : 1;
}

/**
 * Where one request goes, how long it may take, and what becomes of its
 * outcome: `received` makes the result of the response head (called once,
 * with no await between: a keep-alive request costs one promise less than
 * a return value the caller would await again), `failed` the result of the
 * reason the request fails with (also with no `then` of its own; throwing
 * rejects with what it throws). An error `received` throws does not go to
 * `failed`. One object, where a target record and two closures over the
 * caller's scope were made per request (send.ts WireCall).
 */
export interface DispatchTarget<T> {
  readonly pool: Pool;
  readonly targets: OriginTargets;
  readonly target: OriginTarget;
  readonly timeouts: TimeoutOptions;
  readonly lifeline: Lifeline;
  received(dispatched: Dispatched): T | PromiseLike<T>;
  failed(reason: unknown): T | PromiseLike<T>;
}

/** A response head and the connection its body is still to be read from. */
export interface Dispatched {
  readonly connection: PooledConnection;
  readonly result: ExchangeResult;
  /** Whether the connection had served a request before. */
  readonly reused: boolean;
  /** The HTTP/2 stream the response body comes from; `undefined` on HTTP/1.1. */
  readonly stream: Http2ClientStream | undefined;
}

/**
 * Sends `wire` on a pooled connection to `to.target`; resolves to what
 * `to.received` makes of the response head, or to what `to.failed` makes of
 * the reason it fails with (see {@link DispatchTarget}).
 */
export function dispatch<T>(to: DispatchTarget<T>, wire: WireRequest): Promise<T> {
  return attempt(to, wire, 0, false);
}

/**
 * One attempt of {@link dispatch}: `retry` is 0 for the first one, `fresh`
 * asks for a new connection. Written with `then` rather than as an async
 * loop: the keep-alive case (an idle connection) costs one promise, the
 * exchange's, which hands its head to `received` itself (apps/bench
 * `COUNT_PROMISES=1 scripts/client-cycle.mjs`: 15.0 → 14.0 per GET with a
 * `then` for `received`; 11.0 → 10.0 without it).
 */
function attempt<T>(
  to: DispatchTarget<T>,
  wire: WireRequest,
  retry: number,
  fresh: boolean,
): Promise<T> {
  // An idle connection is taken as it is (the keep-alive case); else the pool's queue or a connect.
  const idle = retry === 0 ? to.pool.takeIdle(to.target.key) : undefined;
  if (idle !== undefined) return exchangeOn(to, wire, retry, idle);
  return new Waiting(to, wire, retry).acquire(fresh);
}

/**
 * An attempt that waits for the pool (its queue or a connect): the record
 * the pool queues and calls back ({@link PoolRequest}), and the resolvers of
 * the promise the attempt returns, which follows the exchange once the
 * connection comes. One object and one promise per wait, where a promise
 * from the pool with a `then` on it cost two promises, their closures and
 * a waiter record: with 100 requests in flight on 50 connections nearly
 * every request waits here. apps/bench `ALLOCATIONS=1 IN_FLIGHT=100
 * CONNECTIONS=50 scripts/client-cycle.mjs 50000`: ~8,240 → ~7,760 bytes
 * per request; `scripts/instructions-contenders.mjs` (reqivo against the
 * previous build in one run): get-tiny 57,151 → 56,873, get-64k 106,182 →
 * 105,023 instructions per request (results/2026-12-07-pool-wait.md).
 */
class Waiting<T> implements PoolRequest {
  readonly multiplex: boolean;
  readonly #to: DispatchTarget<T>;
  readonly #wire: WireRequest;
  readonly #retry: number;
  #resolve: (value: T | PromiseLike<T>) => void = noop;
  #reject: (reason: unknown) => void = noop;

  constructor(to: DispatchTarget<T>, wire: WireRequest, retry: number) {
    this.multiplex = to.target.http2;
    this.#to = to;
    this.#wire = wire;
    this.#retry = retry;
  }

  /** Joins the pool's queue (or starts a connect); the promise settles as the attempt does. */
  acquire(fresh: boolean): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const { pool, lifeline } = this.#to;
    pool.acquireFor(
      this.#to.target.key,
      this,
      fresh,
      lifeline.canEndWhileWaiting ? lifeline.signal : undefined,
    );
    return promise;
  }

  open(): Promise<Connection> {
    const to = this.#to;
    return to.targets.open(to.pool.transport, to.target, to.timeouts, to.lifeline);
  }

  connected(connection: PooledConnection): void {
    try {
      // The exchange settles this attempt's promise itself where it can
      // (exchangeSettling), rather than this promise following the
      // exchange's: 100 in flight over 50 connections, apps/bench
      // `COUNT_PROMISES=1 READ_NOW=1 IN_FLIGHT=100 CONNECTIONS=50
      // BODY_BYTES=65536 scripts/client-cycle.mjs 20000`: 17.1 → 15.1
      // promises, `ALLOCATIONS=1 ... 50000`: 9,814 → 9,414 bytes per request
      // (results/2026-12-07-bun-main-thread.md).
      const outcome = exchangeOn(
        this.#to,
        this.#wire,
        this.#retry,
        connection,
        this.#resolve,
        this.#reject,
      );
      if (outcome !== undefined) this.#resolve(outcome);
    } catch (error) {
      this.#reject(error);
    }
  }

  failed(error: unknown): void {
    try {
      this.#resolve(this.#to.failed(error));
    } catch (thrown) {
      this.#reject(thrown);
    }
  }
}

function noop(): void {}

/**
 * Runs the exchange of {@link attempt} on `connection`, and sends once more
 * where that is safe. Given `resolve` and `reject` (a waiting attempt's),
 * an HTTP/1.1 exchange settles them itself and `undefined` is returned;
 * otherwise the exchange's promise.
 */
function exchangeOn<T>(
  to: DispatchTarget<T>,
  wire: WireRequest,
  retry: number,
  connection: PooledConnection,
): Promise<T>;
function exchangeOn<T>(
  to: DispatchTarget<T>,
  wire: WireRequest,
  retry: number,
  connection: PooledConnection,
  resolve: (value: T | PromiseLike<T>) => void,
  reject: (reason: unknown) => void,
): Promise<T> | undefined;
function exchangeOn<T>(
  to: DispatchTarget<T>,
  wire: WireRequest,
  retry: number,
  connection: PooledConnection,
  resolve?: (value: T | PromiseLike<T>) => void,
  reject?: (reason: unknown) => void,
): Promise<T> | undefined {
  const { pool, lifeline } = to;
  const body = wire.body;
  if (lifeline.reason !== undefined) {
    // Ended while the pool was handing the connection over: give it back, or its slot leaks
    // (an HTTP/2 connection carries other requests: only this one's share goes back).
    if (connection.h2 !== undefined) pool.release(connection);
    else pool.discard(connection);
    try {
      return Promise.resolve(to.failed(lifeline.reason));
    } catch (reason) {
      return Promise.reject(reason);
    }
  }
  const reused: boolean = connection.requests > 0;
  const link = connection.h2;
  if (link !== undefined) {
    const progress: ExchangeProgress = { bodyStarted: false };
    const onInformational = wire.onInformational;
    const stream = new Http2ClientStream(
      link,
      onInformational && ((status, headers) => onInformational(status, new Headers(headers))),
    );
    lifeline.attach(stream);
    connection.requests++;
    return exchangeHttp2(link, stream, wire, to.target.scheme, lifeline, progress).then(
      (result) => to.received({ connection, result, reused, stream }),
      (error: unknown) => {
        stream.abort(error);
        // The stream is gone, the connection stays (the pool closes it if it is done for).
        pool.release(connection);
        const reason = lifeline.explain(error);
        const replayable = body === null || body.replayable;
        const stale: boolean =
          reused && isStale(reason) && (IDEMPOTENT.has(wire.method) || !progress.bodyStarted);
        if (
          retry >= replays(reason) ||
          lifeline.reason !== undefined ||
          !replayable ||
          !(isUnprocessed(reason) || stale)
        )
          return to.failed(reason);
        return attempt(to, wire, retry + 1, stale);
      },
    );
  }
  lifeline.attach(connection);
  const h1 = new Http1Attempt(to, wire, retry, connection, reused);
  if (resolve !== undefined && reject !== undefined) {
    exchangeSettling(connection, wire, lifeline, h1, h1, resolve, reject);
    return undefined;
  }
  return exchange(connection, wire, lifeline, h1, h1);
}

/**
 * An HTTP/1.1 exchange's progress and its handlers in one object: what the
 * final head becomes ({@link Dispatched} for `received`), and a failure (the
 * connection discarded; a stale reused connection's request sent once more
 * on a fresh one). Where two closures, their shared scope and a progress
 * record were made per request: keep-alive GET, 100 in flight over 50
 * connections, in memory (`IN_FLIGHT=100 CONNECTIONS=50 READ_NOW=1
 * CYCLES_FROM=10000 CYCLES_TO=40000 RUNTIME=bun scripts/instructions.sh
 * client` in apps/bench) on Bun 48,661 / 47,979 → 46,211 / 47,303
 * instructions per request; on Node (default counts) 45,935 → 46,057, and
 * 9,415 → 9,325 bytes per request (results/2026-12-07-bun-main-thread.md).
 */
class Http1Attempt<T> implements ExchangeProgress, ExchangeHandlers<T> {
  bodyStarted = false;
  readonly #to: DispatchTarget<T>;
  readonly #wire: WireRequest;
  readonly #retry: number;
  readonly #connection: PooledConnection;
  readonly #reused: boolean;

  constructor(
    to: DispatchTarget<T>,
    wire: WireRequest,
    retry: number,
    connection: PooledConnection,
    reused: boolean,
  ) {
    this.#to = to;
    this.#wire = wire;
    this.#retry = retry;
    this.#connection = connection;
    this.#reused = reused;
  }

  received(result: ExchangeResult): T | PromiseLike<T> {
    return this.#to.received({
      connection: this.#connection,
      result,
      reused: this.#reused,
      stream: undefined,
    });
  }

  failed(error: unknown): T | PromiseLike<T> {
    const to = this.#to;
    const wire = this.#wire;
    const lifeline = to.lifeline;
    to.pool.discard(this.#connection);
    const reason = lifeline.explain(error);
    const body = wire.body;
    const replayable = body === null || body.replayable;
    // A reused connection the server had already closed: once more, on a fresh one.
    const again =
      this.#retry === 0 &&
      this.#reused &&
      lifeline.reason === undefined &&
      isStale(reason) &&
      replayable &&
      (IDEMPOTENT.has(wire.method) || !this.bodyStarted);
    if (!again) return to.failed(reason);
    return attempt(to, wire, this.#retry + 1, true);
  }
}

/**
 * One request on a connection of the pool: take a connection for the
 * target (an idle one without waiting when there is one), run one exchange
 * on it, and hand back the connection with the response head. A reused
 * connection that the server had already closed is replaced by a fresh one
 * once (the "socket hang up" case): whether a connection was stale is a fact
 * of the connection, not a policy, so it is handled here and not by the
 * retry middleware.
 */
import {
  type ExchangeProgress,
  type ExchangeResult,
  exchange,
  type WireRequest,
} from "./exchange.ts";
import type { Lifeline, TimeoutOptions } from "./lifeline.ts";
import type { OriginTarget, OriginTargets } from "./origin-targets.ts";
import type { Pool } from "./pool.ts";
import type { PooledConnection } from "./pooled-connection.ts";

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

function isStale(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "CONNECTION_CLOSED" || code === "CONNECTION_RESET";
}

/** Where one request goes and how long it may take. */
export interface DispatchTarget {
  readonly pool: Pool;
  readonly targets: OriginTargets;
  readonly target: OriginTarget;
  readonly timeouts: TimeoutOptions;
  readonly lifeline: Lifeline;
}

/** A response head and the connection its body is still to be read from. */
export interface Dispatched {
  readonly connection: PooledConnection;
  readonly result: ExchangeResult;
  /** Whether the connection had served a request before. */
  readonly reused: boolean;
}

/** A connection from the pool's queue or a new connect (`fresh`: never an idle one). */
function acquire(to: DispatchTarget, fresh: boolean): Promise<PooledConnection> {
  const { pool, target, lifeline } = to;
  return pool.acquire(
    target.key,
    () => to.targets.open(pool.transport, target, to.timeouts, lifeline),
    fresh,
    lifeline.canEndWhileWaiting ? lifeline.signal : undefined,
  );
}

/**
 * Sends `wire` on a pooled connection to `to.target`; resolves to what
 * `received` makes of the response head (called once, with no await
 * between: a keep-alive request costs one promise less than a return value
 * the caller would await again).
 */
export async function dispatch<T>(
  to: DispatchTarget,
  wire: WireRequest,
  received: (dispatched: Dispatched) => T,
): Promise<T> {
  const { pool, lifeline } = to;
  const body = wire.body;
  for (let attempt = 0; ; attempt++) {
    // An idle connection is taken as it is (the keep-alive case); else the pool's queue or a connect.
    const connection =
      (attempt === 0 ? pool.takeIdle(to.target.key) : undefined) ??
      (await acquire(to, attempt > 0));
    if (lifeline.reason !== undefined) {
      // Ended while the pool was handing the connection over: give it back, or its slot leaks.
      pool.discard(connection);
      throw lifeline.reason;
    }
    const reused = connection.requests > 0;
    lifeline.attach(connection);
    const progress: ExchangeProgress = { bodyStarted: false };
    let result: ExchangeResult;
    try {
      result = await exchange(connection, wire, lifeline, progress);
    } catch (error) {
      pool.discard(connection);
      const reason = lifeline.explain(error);
      const replayable = body === null || body.replayable;
      // A reused connection the server had already closed: once more, on a fresh one.
      const again =
        attempt === 0 &&
        reused &&
        lifeline.reason === undefined &&
        isStale(reason) &&
        replayable &&
        (IDEMPOTENT.has(wire.method) || !progress.bodyStarted);
      if (!again) throw reason;
      continue;
    }
    return received({ connection, result, reused });
  }
}

/**
 * The WebSockets a session has open (or is opening), so that `session.close()`
 * can close them too: each open one gets a close frame 1001 "going away" and is
 * aborted if the peer does not finish the close handshake within its close
 * timeout; a handshake still running is aborted.
 *
 * Sockets are registered under an owner object that stands for the session.
 * `openWebSocket` uses `context.owner` when given, else `context.headers` (the
 * session's default header list, one array for the session's whole life), so
 * Session needs no state of its own for this: `session.close()` calls
 * {@link closeWebSockets} with the same object.
 */
import type { WebSocketClient } from "./socket.ts";

/** What closing a registered entry does: resolves once it is closed. */
type Closer = () => Promise<unknown>;

const owners = new WeakMap<object, Set<Closer>>();

/**
 * Registers `close` under `owner`; returns the function that unregisters it.
 *
 * @example
 * ```ts
 * const unregister = registerWebSocket(owner, () => ws.close(1001, "going away"));
 * ws.closed.then(unregister);
 * ```
 */
export function registerWebSocket(owner: object, close: Closer): () => void {
  let set = owners.get(owner);
  if (set === undefined) owners.set(owner, (set = new Set()));
  set.add(close);
  const entries = set;
  return () => {
    entries.delete(close);
  };
}

/**
 * Registers an open socket: closed with 1001 "going away" by {@link closeWebSockets}.
 *
 * @example
 * ```ts
 * trackWebSocket(owner, ws);
 * ```
 */
export function trackWebSocket(owner: object, ws: WebSocketClient): void {
  const unregister = registerWebSocket(owner, () => ws.close(1001, "going away"));
  void ws.closed.then(unregister);
}

/**
 * Closes every WebSocket registered under `owner` (close frame 1001, abort
 * after each socket's close timeout; handshakes in progress are aborted) and
 * resolves once all of them are closed. Never rejects.
 *
 * @example
 * ```ts
 * await closeWebSockets(owner);
 * ```
 */
export async function closeWebSockets(owner: object): Promise<void> {
  const set = owners.get(owner);
  if (set === undefined || set.size === 0) return;
  const closers = [...set];
  set.clear();
  await Promise.all(closers.map((close) => close().catch(() => undefined)));
}

/**
 * How many WebSockets are registered under `owner` (open or opening).
 *
 * @example
 * ```ts
 * openWebSockets(owner); // 0 after closeWebSockets(owner)
 * ```
 */
export function openWebSockets(owner: object): number {
  return owners.get(owner)?.size ?? 0;
}

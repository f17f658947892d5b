/**
 * A connection whose first read returns bytes that were already received:
 * what a proxy sent right behind its handshake belongs to the tunnel.
 */
import type { Connection } from "@reqivo/transport";

/**
 * `connection` with `leftover` handed out before anything else it reads;
 * `connection` itself when there is nothing left over.
 *
 * @example
 * ```ts
 * const tunnel = withLeftover(connection, rest);
 * await tunnel.read(); // `rest` first, then what the connection reads
 * ```
 */
export function withLeftover(connection: Connection, leftover: Uint8Array): Connection {
  if (leftover.length === 0) return connection;
  let pending: Uint8Array | undefined = leftover;
  const wrapped: Connection = {
    get info() {
      return connection.info;
    },
    closed: connection.closed,
    read() {
      const first = pending;
      if (first === undefined) return connection.read();
      pending = undefined;
      return Promise.resolve(first);
    },
    write: (bytes) => connection.write(bytes),
    closeWrite: () => connection.closeWrite(),
    close: () => connection.close(),
    abort: (reason) => connection.abort(reason),
  };
  if (connection.unref !== undefined) wrapped.unref = () => connection.unref?.();
  if (connection.ref !== undefined) wrapped.ref = () => connection.ref?.();
  return wrapped;
}

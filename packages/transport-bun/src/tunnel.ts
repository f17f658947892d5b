// TLS over an existing connection (`tunnel`) on Bun goes through
// @reqivo/transport-node, on Bun's node:tls: Bun's own `socket.upgradeTLS`
// layers TLS only on a plain socket Bun holds, not on a TLS one (an HTTPS
// proxy) nor on any other Connection, while node:tls runs over any stream.
// Loaded on the first tunnel only.
import type { Connection, ConnectOptions, Transport } from "@reqivo/transport";

/**
 * Connects through a `tunnel` with the Node transport, made on first use; it
 * keeps its own TLS sessions, as many origins as the Bun transport does.
 */
export function tunnelConnector(
  readHighWaterMark: number,
  tlsSessionCacheSize: number | undefined,
): (options: ConnectOptions) => Promise<Connection> {
  let transport: Promise<Transport> | undefined;
  return async (options) => {
    transport ??= import("@reqivo/transport-node").then((node) =>
      node.createTransport({
        readHighWaterMark,
        ...(tlsSessionCacheSize !== undefined && { tlsSessionCacheSize }),
      }),
    );
    return (await transport).connect(options);
  };
}

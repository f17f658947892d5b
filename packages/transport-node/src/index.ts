/**
 * `@reqivo/transport-node`: the Reqivo transport on `node:net` and `node:tls`.
 *
 * @example
 * ```ts
 * import { createTransport } from "@reqivo/transport-node";
 * const conn = await createTransport().connect({ host: "example.com", port: 443, tls: true });
 * await conn.write(new TextEncoder().encode("HEAD / HTTP/1.1\r\nhost: example.com\r\n\r\n"));
 * console.log(new TextDecoder().decode((await conn.read()) ?? undefined));
 * conn.close();
 * ```
 */
import {
  abortedBy,
  type Connection,
  type ConnectOptions,
  resolveConnectOptions,
  type Transport,
} from "@reqivo/transport";
import { NodeConnection } from "./connection.ts";
import { openSocket, whenReady } from "./open-socket.ts";

/**
 * Tuning for {@link createTransport}.
 *
 * @example
 * ```ts
 * import type { NodeTransportOptions } from "@reqivo/transport-node";
 * const options: NodeTransportOptions = { readHighWaterMark: 256 * 1024 };
 * ```
 */
export interface NodeTransportOptions {
  /**
   * Bytes received but not yet read at which the socket stops reading from
   * the OS (backpressure). Default 128 KiB.
   */
  readonly readHighWaterMark?: number;
}

/**
 * Creates the Node transport: TCP and TLS with happy eyeballs
 * (`autoSelectFamily`), and Unix domain sockets.
 *
 * @example
 * ```ts
 * import { createTransport } from "@reqivo/transport-node";
 * const transport = createTransport();
 * const conn = await transport.connect({ host: "127.0.0.1", port: 8080, connectTimeout: 5_000 });
 * await conn.write(new TextEncoder().encode("ping"));
 * const reply = await conn.read(); // Uint8Array, or null at end of stream
 * conn.close();
 * ```
 */
export function createTransport(options: NodeTransportOptions = {}): Transport {
  const readHighWaterMark = options.readHighWaterMark ?? 128 * 1024;
  return {
    name: "node",
    async connect(connectOptions: ConnectOptions): Promise<Connection> {
      const target = resolveConnectOptions(connectOptions);
      if (target.signal?.aborted) throw abortedBy(target.signal);
      const socket = openSocket(target);
      await whenReady(socket, target);
      return new NodeConnection(socket, target, readHighWaterMark);
    },
  };
}

export type { NodeConnection } from "./connection.ts";

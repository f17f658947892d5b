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
import type { Connection, ConnectOptions, Transport } from "@reqivo/transport";
import {
  abortedBy,
  type ResolvedConnectOptions,
  resolveConnectOptions,
} from "@reqivo/transport/kit";
import { connectSocket } from "./connect.ts";
import { NodeConnection } from "./connection.ts";
import { nodeLookup } from "./lookup.ts";
import { createNodeTlsSessionCache } from "./session-cache.ts";

/**
 * Tuning for {@link createTransport}.
 *
 * @example
 * ```ts
 * import type { NodeTransportOptions } from "@reqivo/transport-node";
 * const options: NodeTransportOptions = { readHighWaterMark: 256 * 1024, tlsSessionCacheSize: 0 };
 * ```
 */
export interface NodeTransportOptions {
  /**
   * Bytes received but not yet read at which the socket stops reading from
   * the OS (backpressure). Default 128 KiB.
   */
  readonly readHighWaterMark?: number;
  /**
   * Origins whose TLS sessions are kept for resumption (the least recently
   * used is dropped first); `0` turns resumption off. Default 100, as
   * node:https's Agent.
   */
  readonly tlsSessionCacheSize?: number;
}

/**
 * Creates the Node transport: TCP with happy eyeballs (RFC 8305, over
 * `dns.lookup` or the `lookup` hook), TLS with session resumption, pins and
 * tunnels, and Unix domain sockets.
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
  const sessions = createNodeTlsSessionCache(options.tlsSessionCacheSize);
  return {
    name: "node",
    async connect(connectOptions: ConnectOptions): Promise<Connection> {
      let target: ResolvedConnectOptions;
      try {
        target = resolveConnectOptions(connectOptions);
        if (target.signal?.aborted) throw abortedBy(target.signal);
      } catch (error) {
        // The tunnel is ours from the call on, even when the options are wrong.
        connectOptions?.tunnel?.close();
        throw error;
      }
      const socket = await connectSocket(target, sessions);
      return new NodeConnection(socket, target, readHighWaterMark);
    },
    lookup: nodeLookup,
  };
}

export type { NodeConnection } from "./connection.ts";

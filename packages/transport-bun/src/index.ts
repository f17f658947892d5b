/**
 * `@reqivo/transport-bun`: the Reqivo transport on `Bun.connect`.
 *
 * @example
 * ```ts
 * import { createTransport } from "@reqivo/transport-bun";
 * const conn = await createTransport().connect({ host: "example.com", port: 443, tls: true });
 * await conn.write(new TextEncoder().encode("HEAD / HTTP/1.1\r\nhost: example.com\r\n\r\n"));
 * console.log(new TextDecoder().decode((await conn.read()) ?? undefined));
 * conn.close();
 * ```
 */
import type { Connection, ConnectOptions, Transport } from "@reqivo/transport";
import { abortedBy, resolveConnectOptions } from "@reqivo/transport/kit";
import { bunLookup } from "./lookup.ts";
import { openConnection } from "./open.ts";
import { createBunTlsSessionCache } from "./sessions.ts";
import { tunnelConnector } from "./tunnel.ts";

/**
 * Tuning for {@link createTransport}.
 *
 * @example
 * ```ts
 * import type { BunTransportOptions } from "@reqivo/transport-bun";
 * const options: BunTransportOptions = { readHighWaterMark: 256 * 1024, tlsSessionCacheSize: 0 };
 * ```
 */
export interface BunTransportOptions {
  /** Bytes received but not yet read at which the socket is paused. Default 128 KiB. */
  readonly readHighWaterMark?: number;
  /**
   * Origins whose TLS sessions are kept for resumption (the least recently
   * used is dropped first); `0` turns resumption off. Default 100, as
   * node:https's Agent. Throws `TypeError` unless an integer >= 0.
   */
  readonly tlsSessionCacheSize?: number;
}

/**
 * Creates the Bun transport: TCP, TLS (with session resumption) and Unix
 * domain sockets through `Bun.connect`, with reads paused past a bounded
 * queue and writes held until Bun's `drain`.
 *
 * @example
 * ```ts
 * import { createTransport } from "@reqivo/transport-bun";
 * const transport = createTransport();
 * const conn = await transport.connect({ host: "127.0.0.1", port: 8080, connectTimeout: 5_000 });
 * await conn.write(new TextEncoder().encode("ping"));
 * const reply = await conn.read(); // Uint8Array, or null at end of stream
 * conn.close();
 * ```
 */
export function createTransport(options: BunTransportOptions = {}): Transport {
  const readHighWaterMark = options.readHighWaterMark ?? 128 * 1024;
  const sessions = createBunTlsSessionCache(options.tlsSessionCacheSize);
  const connectOverTunnel = tunnelConnector(readHighWaterMark, options.tlsSessionCacheSize);
  return {
    name: "bun",
    async connect(connectOptions: ConnectOptions): Promise<Connection> {
      try {
        const target = resolveConnectOptions(connectOptions);
        if (target.signal?.aborted) throw abortedBy(target.signal);
        if (target.tunnel !== null) return await connectOverTunnel(connectOptions);
        return await openConnection(target, readHighWaterMark, sessions);
      } catch (error) {
        // The new connection owns a tunnel from the call on, even one that fails.
        connectOptions?.tunnel?.close();
        throw error;
      }
    },
    lookup: bunLookup,
  };
}

export type { BunConnection } from "./connection.ts";

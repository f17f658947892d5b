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
import {
  abortedBy,
  type Connection,
  type ConnectOptions,
  guardConnect,
  mapErrorByCode,
  type ResolvedConnectOptions,
  resolveConnectOptions,
  type Transport,
  TransportError,
} from "@reqivo/transport";
import { type BunConnectOptions, bunApi, runtime } from "./bun-types.ts";
import { BunConnection } from "./connection.ts";

/**
 * Tuning for {@link createTransport}.
 *
 * @example
 * ```ts
 * import type { BunTransportOptions } from "@reqivo/transport-bun";
 * const options: BunTransportOptions = { readHighWaterMark: 256 * 1024 };
 * ```
 */
export interface BunTransportOptions {
  /** Bytes received but not yet read at which the socket is paused. Default 128 KiB. */
  readonly readHighWaterMark?: number;
}

/**
 * Creates the Bun transport: TCP, TLS and Unix domain sockets through
 * `Bun.connect`, with reads paused past a bounded queue and writes held until
 * Bun's `drain`.
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
  return {
    name: "bun",
    async connect(connectOptions: ConnectOptions): Promise<Connection> {
      const target = resolveConnectOptions(connectOptions);
      if (target.signal?.aborted) throw abortedBy(target.signal);
      const conn = new BunConnection(target, readHighWaterMark);
      const attempt = bunApi()
        .connect(bunConnectOptions(target, conn))
        .then(
          (socket) => conn.whenReady(socket),
          (error: unknown) => {
            throw error instanceof TransportError
              ? error
              : mapErrorByCode(error, "connect", target);
          },
        );
      await guardConnect(attempt, {
        signal: target.signal,
        connectTimeout: target.connectTimeout,
        timers: runtime,
        cancel: (error) => conn.abort(error),
        discard: () => {},
      });
      return conn;
    },
  };
}

function bunConnectOptions(target: ResolvedConnectOptions, conn: BunConnection): BunConnectOptions {
  const where =
    target.path !== null ? { unix: target.path } : { hostname: target.host!, port: target.port! };
  const { tls } = target;
  return {
    ...where,
    // The peer's end of stream must not end our side (half-close).
    allowHalfOpen: true,
    socket: conn.handlers,
    ...(tls !== null && {
      tls: {
        ...(tls.servername !== null && { serverName: tls.servername }),
        ...(tls.ca !== null && { ca: [...tls.ca] }),
        ...(tls.cert !== null && { cert: tls.cert, key: tls.key! }),
        ...(tls.alpnProtocols.length > 0 && { ALPNProtocols: alpnWireFormat(tls.alpnProtocols) }),
        ...(tls.minVersion !== null && { minVersion: TLS_VERSION_NUMBERS[tls.minVersion] }),
        rejectUnauthorized: tls.rejectUnauthorized,
      },
    }),
  };
}

export type { BunConnection } from "./connection.ts";

/** Bun takes `minVersion` as the protocol's wire number (BoringSSL's TLS1_2_VERSION, …). */
const TLS_VERSION_NUMBERS = { "TLSv1.2": 0x0303, "TLSv1.3": 0x0304 } as const;

/** Bun takes ALPN protocols in wire format: each name prefixed by its length. */
function alpnWireFormat(protocols: readonly string[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts = protocols.map((protocol) => encoder.encode(protocol));
  const wire = new Uint8Array(parts.reduce((sum, part) => sum + 1 + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    wire[offset] = part.length;
    wire.set(part, offset + 1);
    offset += 1 + part.length;
  }
  return wire;
}

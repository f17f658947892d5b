/**
 * `@reqivo/transport-deno`: the Reqivo transport on `Deno.connect`,
 * `Deno.startTls` and `Deno.connectTls`.
 *
 * @example
 * ```ts
 * import { createTransport } from "@reqivo/transport-deno";
 * const conn = await createTransport().connect({ host: "example.com", port: 443, tls: true });
 * await conn.write(new TextEncoder().encode("HEAD / HTTP/1.1\r\nhost: example.com\r\n\r\n"));
 * console.log(new TextDecoder().decode((await conn.read()) ?? undefined));
 * conn.close();
 * ```
 */
import type { Connection, ConnectOptions, Transport } from "@reqivo/transport";
import { abortedBy, resolveConnectOptions } from "@reqivo/transport/kit";
import { DenoConnection } from "./connection.ts";
import { systemLookup } from "./lookup.ts";
import { checkSupported, openConn } from "./open.ts";

/**
 * Creates the Deno transport: TCP (happy eyeballs), TLS (rustls, or Deno's
 * node:tls for what rustls cannot do here: pins, TLS over a proxy tunnel, …)
 * and Unix domain sockets. `lookup` is the system resolver. Options Deno
 * cannot honour reject with `UnsupportedError` before any network activity;
 * see the README's support table.
 *
 * @example
 * ```ts
 * import { createTransport } from "@reqivo/transport-deno";
 * const transport = createTransport();
 * const conn = await transport.connect({ host: "127.0.0.1", port: 8080, connectTimeout: 5_000 });
 * await conn.write(new TextEncoder().encode("ping"));
 * const reply = await conn.read(); // Uint8Array, or null at end of stream
 * conn.close();
 * ```
 */
export function createTransport(): Transport {
  return {
    name: "deno",
    async connect(options: ConnectOptions): Promise<Connection> {
      try {
        const target = resolveConnectOptions(options);
        checkSupported(target);
        if (target.signal?.aborted) throw abortedBy(target.signal);
        return new DenoConnection(await openConn(target), target);
      } catch (error) {
        // The new connection owns a tunnel from the call on, even one that fails.
        options?.tunnel?.close();
        throw error;
      }
    },
    lookup: systemLookup,
  };
}

export type { DenoConnection } from "./connection.ts";

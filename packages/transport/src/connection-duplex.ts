// Any contract Connection as a node:stream Duplex, so that node:tls can run
// over it: a proxy tunnel from another transport, or (on Deno) a native
// socket whose TLS Deno's own stack cannot do. The Duplex class is passed in,
// so this package imports no `node:` module and Deno loads node:stream only
// when it takes that path.
import type { Connection } from "./contract.ts";

/**
 * What `node:stream`'s Duplex constructor takes, reduced to what
 * {@link connectionDuplex} uses.
 *
 * @example
 * ```ts
 * import type { DuplexOptionsLike } from "@reqivo/transport/kit";
 * declare const options: DuplexOptionsLike;
 * options.allowHalfOpen; // true: TLS close_notify, then the half-close under it
 * ```
 */
export interface DuplexOptionsLike {
  allowHalfOpen: boolean;
  read(this: DuplexLike): void;
  write(chunk: Uint8Array, encoding: string, callback: (error?: Error | null) => void): void;
  final(callback: (error?: Error | null) => void): void;
  destroy(error: Error | null, callback: (error?: Error | null) => void): void;
}

/**
 * The part of a `node:stream` Duplex that {@link connectionDuplex} uses.
 *
 * @example
 * ```ts
 * import type { DuplexLike } from "@reqivo/transport/kit";
 * declare const duplex: DuplexLike;
 * duplex.destroy(); // closes the connection under it
 * ```
 */
export interface DuplexLike {
  push(chunk: Uint8Array | null): boolean;
  destroy(error?: Error): void;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/**
 * `node:stream`'s `Duplex` class (Node, Deno and Bun all have one).
 *
 * @example
 * ```ts
 * import type { DuplexClass } from "@reqivo/transport/kit";
 * import { Duplex } from "node:stream";
 * const duplexClass: DuplexClass = Duplex;
 * ```
 */
export type DuplexClass = new (options: DuplexOptionsLike) => DuplexLike;

/**
 * Wraps `conn` in a Duplex of `duplexClass` for node:tls to read the
 * encrypted bytes from and write them to. A read is pulled only when the
 * stream wants more, one at a time, so the connection's backpressure holds;
 * half-close passes through; destroying the stream closes `conn`. Errors are
 * left to the TLS socket on top, which reports them.
 *
 * @example
 * ```ts
 * import { connectionDuplex } from "@reqivo/transport/kit";
 * import { Duplex } from "node:stream";
 * import * as tls from "node:tls";
 * const secured = tls.connect({ socket: connectionDuplex(Duplex, conn), servername: "example.com" });
 * ```
 */
export function connectionDuplex<D extends DuplexLike>(
  duplexClass: new (options: DuplexOptionsLike) => D,
  conn: Connection,
): D {
  let reading = false;
  const duplex = new duplexClass({
    allowHalfOpen: true,
    read() {
      // Node asks again after each push it wants more after; one read at a time.
      if (reading) return;
      reading = true;
      conn.read().then(
        (chunk) => {
          reading = false;
          this.push(chunk);
        },
        (error: Error) => {
          reading = false;
          this.destroy(error);
        },
      );
    },
    write(chunk, _encoding, callback) {
      conn.write(chunk).then(() => callback(), callback);
    },
    final(callback) {
      conn.closeWrite().then(() => callback(), callback);
    },
    destroy(error, callback) {
      conn.close();
      callback(error);
    },
  });
  // The TLS socket on top reports the failure; an unheard 'error' here would crash.
  duplex.on("error", () => {});
  return duplex;
}

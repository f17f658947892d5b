// Any contract Connection as a node:stream Duplex, so that node:tls can run
// on top of it: a tunnel from another transport, or a connection layered in
// some way this transport cannot reach the socket of.
import { Duplex } from "node:stream";
import type { Connection } from "@reqivo/transport";

/**
 * Wraps `conn` in a Duplex. Reads are pulled only when the stream wants
 * more, so the connection's backpressure holds; destroying the stream
 * closes the connection.
 */
export function connectionDuplex(conn: Connection): Duplex {
  const duplex: Duplex = new Duplex({
    allowHalfOpen: true,
    // Node calls read() again only after a push, so one read is pending at a time.
    read() {
      conn.read().then(
        (chunk) => duplex.push(chunk),
        (error: unknown) => duplex.destroy(error as Error),
      );
    },
    write(chunk: Uint8Array, _encoding, callback) {
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
  return duplex;
}

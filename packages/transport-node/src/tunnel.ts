// TLS over an existing connection (`tunnel`): a proxy's CONNECT tunnel,
// plain or itself TLS. A connection of this transport gives up its socket,
// so TLS runs natively on it (TLS inside TLS included); any other contract
// connection is adapted to a stream.
import { Duplex } from "node:stream";
import type * as tls from "node:tls";
import type { Connection } from "@reqivo/transport";
import { connectionDuplex, type ResolvedConnectOptions } from "@reqivo/transport/kit";
import { NodeConnection } from "./connection.ts";
import { secureSocket } from "./secure.ts";
import type { NodeTlsSessionCache } from "./session-cache.ts";

/**
 * Runs the TLS handshake over `tunnel`. The new socket owns the tunnel:
 * when it closes, the tunnel is closed; when the handshake fails, too.
 */
export async function secureTunnel(
  target: ResolvedConnectOptions,
  tunnel: Connection,
  timeout: number | null,
  sessions: NodeTlsSessionCache | null,
): Promise<tls.TLSSocket> {
  const native = tunnel instanceof NodeConnection ? tunnel.detachSocket() : null;
  const carrier = native ?? connectionDuplex(Duplex, tunnel);
  let secured: tls.TLSSocket;
  try {
    secured = await secureSocket(target, { socket: carrier }, { phase: "tls", timeout }, sessions);
  } catch (error) {
    tunnel.close();
    throw error;
  }
  secured.once("close", () => tunnel.close());
  return secured;
}

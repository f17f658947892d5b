// The TLS handshake, whatever carries it: a fresh TCP or Unix connection, a
// socket that happy eyeballs connected, or a tunnel. Sessions are resumed
// from the cache (never for a pinned target), and the connection is ready
// only after the pin check.
import type * as net from "node:net";
import type { Duplex } from "node:stream";
import * as tls from "node:tls";
import type {
  ConnectPhase,
  ResolvedConnectOptions,
  ResolvedTlsOptions,
} from "@reqivo/transport/kit";
import { tuneSocket, whenReady } from "./open-socket.ts";
import { checkPins } from "./pins.ts";
import { type NodeTlsSessionCache, watchSessions } from "./session-cache.ts";

/** What the handshake runs over: where to connect, or an already-connected carrier. */
export type TlsCarrier = net.NetConnectOpts | { readonly socket: net.Socket | Duplex };

/**
 * Starts TLS over `carrier` and resolves with the socket once the handshake
 * is done, the certificate verified and the pins checked. On failure the
 * socket is destroyed and the promise rejects with the contract's error.
 */
export async function secureSocket(
  target: ResolvedConnectOptions,
  carrier: TlsCarrier,
  ready: { readonly phase: ConnectPhase; readonly timeout: number | null },
  sessions: NodeTlsSessionCache | null,
): Promise<tls.TLSSocket> {
  const options = target.tls!;
  // No key for a pinned target: it neither resumes nor leaves a session.
  const key = sessions?.keyOf(target) ?? null;
  const session = key === null ? undefined : sessions!.take(key);
  const connectOptions = {
    // Over a carrier socket, `host` is what the certificate is checked against
    // when there is no servername (an IP); node:tls would fall back to the
    // carrier's own host, which for a tunnel is the proxy.
    ...(target.host !== null && { host: target.host }),
    ...carrier,
    ...tlsConnectOptions(options),
    ...(session !== undefined && { session }),
    // Not in node:tls's types, but passed on to the TLSSocket: the peer's end
    // of stream must not end our side (half-close).
    allowHalfOpen: true,
  };
  const socket = tls.connect(connectOptions);
  // A fresh TCP connection gets noDelay/keepAlive before the handshake runs on it.
  if (!("socket" in carrier)) tuneSocket(socket, target);
  const watch = key === null ? null : watchSessions(sessions!, socket, key);
  try {
    await whenReady(socket, target, { ...ready, check: () => checkPins(socket, options.pins) });
  } catch (error) {
    watch?.failed();
    throw error;
  }
  watch?.verified();
  return socket;
}

function tlsConnectOptions(options: ResolvedTlsOptions): tls.ConnectionOptions {
  return {
    ...(options.servername !== null && { servername: options.servername }),
    ...(options.ca !== null && { ca: [...options.ca] }),
    ...(options.cert !== null && { cert: options.cert, key: options.key! }),
    ...(options.alpnProtocols.length > 0 && { ALPNProtocols: [...options.alpnProtocols] }),
    ...(options.minVersion !== null && { minVersion: options.minVersion }),
    rejectUnauthorized: options.rejectUnauthorized,
  };
}

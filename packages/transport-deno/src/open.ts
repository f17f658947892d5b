// Opening a Deno connection (TCP, Unix, TLS, TLS over a tunnel) under the
// connect timeout and the abort signal, and refusing up front what Deno cannot do.
import { type Connection, type TransportError, UnsupportedError } from "@reqivo/transport";
import { guardConnect, type ResolvedConnectOptions } from "@reqivo/transport/kit";
import { ConnectScope, closeQuietly } from "./connect-scope.ts";
import { DenoConnection } from "./connection.ts";
import { type DenoConn, type DenoTcpConn, denoApi, runtime } from "./deno-types.ts";
import { dialTcp } from "./dial.ts";
import { mapDenoError, type Phase } from "./map-error.ts";
import { needsNodeTls, startNodeTls } from "./node-tls.ts";

/** An open Deno connection and what its handshake negotiated. */
export interface OpenedConn {
  readonly conn: DenoConn;
  readonly alpnProtocol: string | null;
  /** The negotiated TLS version; only the node:tls path can tell. */
  readonly tlsVersion?: string | null;
}

/** Throws `UnsupportedError` for options Deno's APIs have no way to honour. */
export function checkSupported(target: ResolvedConnectOptions): void {
  if (target.keepAliveDelay !== null && target.keepAliveDelay > 0) {
    throw new UnsupportedError("keepAlive delay (Deno sets keep-alive on or off only)", "deno");
  }
}

/** Connects and, for TLS, completes the handshake. Rejects with the contract's errors. */
export function openConn(target: ResolvedConnectOptions): Promise<OpenedConn> {
  const scope = new ConnectScope();
  return guardConnect(connectSteps(target, scope), {
    signal: target.signal,
    connectTimeout: target.connectTimeout,
    timers: runtime,
    cancel: (error) => scope.cancel(error),
    discard: (late) => closeQuietly(late.conn),
  });
}

async function connectSteps(
  target: ResolvedConnectOptions,
  scope: ConnectScope,
): Promise<OpenedConn> {
  const deno = denoApi();
  const { tls } = target;
  let phase: Phase = "connect";
  try {
    if (target.tunnel !== null) return await startNodeTls(target.tunnel, target, null, scope);
    if (target.path !== null) {
      const conn = scope.track(await deno.connect({ transport: "unix", path: target.path }));
      if (tls === null) return { conn, alpnProtocol: null };
      phase = "tls";
      return await startNodeTls(plainConnection(conn, target), target, conn, scope);
    }
    const host = target.host!;
    const caCerts = tls?.ca ? [...tls.ca] : undefined;
    const alpnProtocols = tls && tls.alpnProtocols.length > 0 ? [...tls.alpnProtocols] : undefined;
    const native = tls !== null && !needsNodeTls(target);
    if (native && tls.cert !== null) {
      // Deno.startTls takes no client certificate; Deno.connectTls dials `host` itself.
      const conn = scope.track(
        await deno.connectTls({
          hostname: host,
          port: target.port!,
          caCerts,
          alpnProtocols,
          cert: tls.cert,
          key: tls.key!,
          autoSelectFamilyAttemptDelay: target.happyEyeballsDelay,
        }),
      );
      phase = "tls";
      return { conn, alpnProtocol: (await conn.handshake()).alpnProtocol };
    }
    const tcp: DenoTcpConn = await dialTcp(target, scope);
    tcp.setNoDelay(target.noDelay);
    if (target.keepAliveDelay !== null) tcp.setKeepAlive(true);
    if (tls === null) return { conn: tcp, alpnProtocol: null };
    phase = "tls";
    if (!native) return await startNodeTls(plainConnection(tcp, target), target, tcp, scope);
    const secure = scope.track(
      await deno.startTls(tcp, { hostname: tls.servername ?? host, caCerts, alpnProtocols }),
    );
    return { conn: secure, alpnProtocol: (await secure.handshake()).alpnProtocol };
  } catch (error) {
    const mapped: TransportError = mapDenoError(error, phase, target);
    // A failed connect leaves nothing open.
    scope.cancel(mapped);
    throw mapped;
  }
}

/** `conn` as a contract Connection without TLS, for node:tls to run over. */
function plainConnection(conn: DenoConn, target: ResolvedConnectOptions): Connection {
  // The outer connection handles the signal; this one only carries bytes.
  return new DenoConnection(
    { conn, alpnProtocol: null },
    { ...target, kind: target.path === null ? "tcp" : "unix", tls: null, signal: null },
  );
}

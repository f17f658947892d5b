// Opening a Deno connection (TCP, Unix, TLS) under the connect timeout and
// the abort signal, and refusing up front what Deno cannot do.
import {
  guardConnect,
  type ResolvedConnectOptions,
  type TransportError,
  UnsupportedError,
} from "@reqivo/transport";
import { type DenoConn, type DenoTcpConn, denoApi, runtime } from "./deno-types.ts";
import { mapDenoError, type Phase } from "./map-error.ts";

/** An open Deno connection and what its handshake negotiated. */
export interface OpenedConn {
  readonly conn: DenoConn;
  readonly alpnProtocol: string | null;
}

/** Throws `UnsupportedError` for options Deno's APIs have no way to honour. */
export function checkSupported(target: ResolvedConnectOptions): void {
  const unsupported = (feature: string) => new UnsupportedError(feature, "deno");
  const { tls } = target;
  if (target.keepAliveDelay !== null && target.keepAliveDelay > 0) {
    throw unsupported("keepAlive delay (Deno sets keep-alive on or off only)");
  }
  if (tls === null) return;
  if (target.path !== null) throw unsupported("tls over a Unix socket");
  if (!tls.rejectUnauthorized) {
    throw unsupported("tls.rejectUnauthorized=false (Deno has only a process-wide flag)");
  }
  if (tls.minVersion === "TLSv1.3") {
    throw unsupported("tls.minVersion=TLSv1.3 (Deno always allows TLS 1.2 and 1.3)");
  }
  // Client certificates go through Deno.connectTls, which checks the
  // certificate against the host it dials; only Deno.startTls takes another name.
  if (tls.cert !== null && tls.servername !== null && tls.servername !== target.host) {
    throw unsupported("tls.cert together with a servername other than host");
  }
}

/** Connects and, for TLS, completes the handshake. Rejects with the contract's errors. */
export function openConn(target: ResolvedConnectOptions): Promise<OpenedConn> {
  let current: DenoConn | null = null;
  const track = <T extends DenoConn>(conn: T): T => {
    current = conn;
    return conn;
  };
  return guardConnect(connectSteps(target, track), {
    signal: target.signal,
    connectTimeout: target.connectTimeout,
    timers: runtime,
    cancel: () => closeQuietly(current),
    discard: (late) => closeQuietly(late.conn),
  });
}

async function connectSteps(
  target: ResolvedConnectOptions,
  track: <T extends DenoConn>(conn: T) => T,
): Promise<OpenedConn> {
  const deno = denoApi();
  const { tls } = target;
  let phase: Phase = "connect";
  try {
    if (target.path !== null) {
      return {
        conn: track(await deno.connect({ transport: "unix", path: target.path })),
        alpnProtocol: null,
      };
    }
    const host = target.host!;
    const port = target.port!;
    const caCerts = tls?.ca ? [...tls.ca] : undefined;
    const alpnProtocols = tls && tls.alpnProtocols.length > 0 ? [...tls.alpnProtocols] : undefined;
    if (tls !== null && tls.cert !== null) {
      const conn = track(
        await deno.connectTls({
          hostname: host,
          port,
          caCerts,
          alpnProtocols,
          cert: tls.cert,
          key: tls.key!,
        }),
      );
      phase = "tls";
      return { conn, alpnProtocol: (await conn.handshake()).alpnProtocol };
    }
    const signal = target.signal ?? undefined;
    const tcp: DenoTcpConn = track(
      await deno.connect({ hostname: host, port, signal, autoSelectFamily: true }),
    );
    tcp.setNoDelay(target.noDelay);
    if (target.keepAliveDelay !== null) tcp.setKeepAlive(true);
    if (tls === null) return { conn: tcp, alpnProtocol: null };
    phase = "tls";
    const secure = track(
      await deno.startTls(tcp, { hostname: tls.servername ?? host, caCerts, alpnProtocols }),
    );
    return { conn: secure, alpnProtocol: (await secure.handshake()).alpnProtocol };
  } catch (error) {
    throw mapDenoError(error, phase, target) satisfies TransportError;
  }
}

export function closeQuietly(conn: DenoConn | null): void {
  try {
    conn?.close();
  } catch {
    // Already closed.
  }
}

// Opening a Bun connection under the connect timeout and the abort signal:
// one Bun.connect to `host` (Bun resolves it and picks the address), or,
// with a `lookup` hook, one per address the hook returned, raced by the
// shared happy-eyeballs code; then, for TLS, the handshake on the winner.
import { type AbortSignalLike, TransportError } from "@reqivo/transport";
import {
  type ConnectionAttempt,
  guardConnect,
  happyEyeballs,
  isIpAddress,
  lookupAddresses,
  mapErrorByCode,
  type ResolvedConnectOptions,
} from "@reqivo/transport/kit";
import { type BunConnectOptions, type BunSocket, bunApi, runtime } from "./bun-types.ts";
import { BunConnection } from "./connection.ts";
import type { BunTlsSessionCache, SessionSlot } from "./sessions.ts";

/** A connection whose TCP (or Unix) socket is open; TLS may still be handshaking. */
interface Dialled {
  readonly conn: BunConnection;
  readonly socket: BunSocket;
}

/** Connects and, for TLS, completes the handshake. Rejects with the contract's errors. */
export function openConnection(
  target: ResolvedConnectOptions,
  readHighWaterMark: number,
  sessions: BunTlsSessionCache | null,
): Promise<BunConnection> {
  // No key for a pinned target: it neither resumes nor leaves a session.
  const key = sessions !== null && target.tls !== null ? sessions.keyOf(target) : null;
  const slot: SessionSlot | null = key === null ? null : { sessions: sessions!, key };
  const scope = new runtime.AbortController();
  let current: BunConnection | null = null;
  const track = (conn: BunConnection) => {
    current = conn;
  };
  const attempt = dial(target, readHighWaterMark, slot, scope.signal, track).then(
    ({ conn, socket }) => {
      track(conn);
      return conn.whenReady(socket).then(() => conn);
    },
  );
  return guardConnect(attempt, {
    signal: target.signal,
    connectTimeout: target.connectTimeout,
    timers: runtime,
    cancel: (error) => {
      scope.abort(error);
      current?.abort(error);
    },
    discard: (late) => late.close(),
  });
}

function dial(
  target: ResolvedConnectOptions,
  readHighWaterMark: number,
  slot: SessionSlot | null,
  signal: AbortSignalLike,
  track: (conn: BunConnection) => void,
): Promise<Dialled> {
  const host = target.host;
  if (target.lookup === null || host === null || isIpAddress(host)) {
    const conn = new BunConnection(target, readHighWaterMark, slot);
    track(conn);
    return connectTo(target, conn, host);
  }
  // Checked: IP literals only, never a name for Bun to resolve again.
  return lookupAddresses(target.lookup, host, signal, runtime).then((addresses) =>
    happyEyeballs<Dialled>({
      host,
      addresses,
      attempt: ({ address }): ConnectionAttempt<Dialled> => {
        const conn = new BunConnection(target, readHighWaterMark, slot);
        return { result: connectTo(target, conn, address), cancel: () => conn.abort() };
      },
      discard: ({ conn }) => conn.close(),
      delay: target.happyEyeballsDelay,
      timers: runtime,
      // The connect guard enforces the timeout; giving up aborts `signal`.
      signal,
    }),
  );
}

/** Bun.connect to `hostname` (the host, or one of its addresses), TLS settings still the host's. */
function connectTo(
  target: ResolvedConnectOptions,
  conn: BunConnection,
  hostname: string | null,
): Promise<Dialled> {
  return bunApi()
    .connect(bunConnectOptions(target, conn, hostname))
    .then(
      (socket) => ({ conn, socket }),
      (error: unknown) => {
        throw error instanceof TransportError ? error : mapErrorByCode(error, "connect", target);
      },
    );
}

function bunConnectOptions(
  target: ResolvedConnectOptions,
  conn: BunConnection,
  hostname: string | null,
): BunConnectOptions {
  const where =
    target.path !== null ? { unix: target.path } : { hostname: hostname!, port: target.port! };
  const { tls } = target;
  return {
    ...where,
    // The peer's end of stream must not end our side (half-close).
    allowHalfOpen: true,
    socket: conn.handlers,
    ...(tls !== null && {
      tls: {
        // Also when dialling an address: SNI and verification stay with the name.
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

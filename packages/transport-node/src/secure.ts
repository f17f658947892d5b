// The TLS handshake, whatever carries it: a fresh TCP or Unix connection
// (happy eyeballs races several), or a tunnel. Sessions are resumed from the
// cache (never for a pinned target), and the connection is ready only after
// the pin check.
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
import { type NodeTlsSessionCache, type SessionWatch, watchSessions } from "./session-cache.ts";
import { readingIntoSlab } from "./slab-reader.ts";

/** What the handshake runs over: where to connect, or an already-connected carrier. */
export type TlsCarrier = net.NetConnectOpts | { readonly socket: net.Socket | Duplex };

/** The session one connect offers (to each of its attempts), under its cache key. */
export interface TlsResumption {
  readonly sessions: NodeTlsSessionCache;
  readonly key: string;
  readonly session: Buffer | undefined;
}

/** A TLS socket whose handshake is under way, and the watch over the sessions it receives. */
export interface StartedTls {
  readonly socket: tls.TLSSocket;
  readonly watch: SessionWatch | null;
}

/**
 * What a connect to `target` resumes: a session taken from the cache, or
 * `null` without a cache or for a pinned target (no key: it neither resumes
 * nor leaves a session).
 */
export function resumptionFor(
  target: ResolvedConnectOptions,
  sessions: NodeTlsSessionCache | null,
): TlsResumption | null {
  const key = sessions?.keyOf(target) ?? null;
  return key === null ? null : { sessions: sessions!, key, session: sessions!.take(key) };
}

/**
 * Starts TLS over `carrier`. A fresh TCP or Unix connection reads through the
 * slab reader on Node and gets noDelay/keepAlive before the handshake runs on
 * it; its certificate is checked against the target's host, not the address
 * connected to.
 */
export function startTls(
  target: ResolvedConnectOptions,
  carrier: TlsCarrier,
  resumption: TlsResumption | null,
): StartedTls {
  const options = target.tls!;
  const session = resumption?.session;
  const connectOptions: NodeTlsConnectOptions = {
    // Over a carrier socket, `host` is what the certificate is checked against
    // when there is no servername (an IP); node:tls would fall back to the
    // carrier's own host, which for a tunnel is the proxy.
    ...(target.host !== null && { host: target.host }),
    ...carrier,
    ...tlsConnectOptions(options),
    ...(session !== undefined && { session }),
    // The peer's end of stream must not end our side (half-close).
    allowHalfOpen: true,
  };
  let socket: tls.TLSSocket;
  if ("socket" in carrier) socket = tls.connect(connectOptions);
  else {
    // Connecting to one of the host's addresses: with no servername node:tls
    // would check the certificate against that address instead of the host.
    if (!options.servername && target.host !== null) {
      const host = target.host;
      connectOptions.checkServerIdentity = (_address, cert) => tls.checkServerIdentity(host, cert);
    }
    // node:tls honours `onread` only for a socket it connects itself.
    socket = readingIntoSlab((onread) =>
      tls.connect(onread === undefined ? connectOptions : { ...connectOptions, onread }),
    );
    tuneSocket(socket, target);
  }
  const watch =
    resumption === null ? null : watchSessions(resumption.sessions, socket, resumption.key);
  return { socket, watch };
}

/**
 * Resolves with the socket of `started` once its handshake is done, the
 * certificate verified and the pins checked; then the sessions it received
 * are kept. On failure the socket is destroyed, the target's sessions are
 * dropped, and the promise rejects with the contract's error.
 */
export async function finishTls(
  started: StartedTls,
  target: ResolvedConnectOptions,
  ready: { readonly phase: ConnectPhase; readonly timeout: number | null },
): Promise<tls.TLSSocket> {
  const { socket, watch } = started;
  const pins = target.tls!.pins;
  try {
    await whenReady(socket, target, { ...ready, check: () => checkPins(socket, pins) });
  } catch (error) {
    watch?.failed();
    throw error;
  }
  watch?.verified();
  return socket;
}

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
  return finishTls(startTls(target, carrier, resumptionFor(target, sessions)), target, ready);
}

/**
 * tls.connect's options with two that node:tls passes on to the socket but
 * its types lack: `allowHalfOpen`, and `onread` (honoured when node:tls
 * connects the socket itself).
 */
type NodeTlsConnectOptions = tls.ConnectionOptions & {
  allowHalfOpen?: boolean;
  onread?: net.OnReadOpts;
};

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

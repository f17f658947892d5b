// Opening a node:net socket and waiting until a socket is ready for bytes,
// under the connect timeout and the abort signal.
import type * as net from "node:net";
import * as tls from "node:tls";
import { ConnectTimeoutError, TlsHandshakeError } from "@reqivo/transport";
import {
  abortedBy,
  type ConnectPhase,
  mapErrorByCode,
  type ResolvedConnectOptions,
} from "@reqivo/transport/kit";

/**
 * Where node:net connects: the Unix path, or `address` (an IP literal) and
 * the port. `allowHalfOpen`: the peer's end of stream must not end our side.
 */
export function socketAddress(
  target: ResolvedConnectOptions,
  address: string | null,
): net.NetConnectOpts {
  return target.path !== null
    ? { path: target.path, allowHalfOpen: true }
    : { host: address!, port: target.port!, allowHalfOpen: true };
}

/** Applies `noDelay` and `keepAlive` to a TCP socket (remembered until it connects). */
export function tuneSocket(socket: net.Socket, target: ResolvedConnectOptions): net.Socket {
  if (target.path === null) {
    socket.setNoDelay(target.noDelay);
    if (target.keepAliveDelay !== null) socket.setKeepAlive(true, target.keepAliveDelay);
  }
  return socket;
}

/** How {@link whenReady} waits. */
export interface ReadyOptions {
  /** `connect` while TCP is connecting, `tls` for a handshake over a connected carrier. */
  readonly phase: ConnectPhase;
  /** Milliseconds left of the connect timeout, or `null` for no limit. */
  readonly timeout: number | null;
  /** Last check once ready (pins); an error fails the connect instead. */
  readonly check?: () => Error | null;
}

/**
 * Resolves once `socket` can carry bytes (`connect`, or `secureConnect` for
 * TLS) and passed `check`. On failure, timeout or abort the socket is
 * destroyed and the promise rejects with the contract's error.
 */
export function whenReady(
  socket: net.Socket,
  target: ResolvedConnectOptions,
  options: ReadyOptions,
): Promise<void> {
  const { signal } = target;
  const secure = socket instanceof tls.TLSSocket;
  const readyEvent = secure ? "secureConnect" : "connect";
  return new Promise<void>((resolve, reject) => {
    let phase = options.phase;
    const fail = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onTcpConnected = () => {
      phase = "tls";
    };
    const onReady = () => {
      const failure = options.check?.() ?? null;
      if (failure !== null) return fail(failure);
      cleanup();
      resolve();
    };
    const onError = (error: Error) => fail(mapErrorByCode(error, phase, target));
    const onClose = () => fail(new TlsHandshakeError("socket closed during the handshake"));
    const onAbort = () => fail(abortedBy(signal!));
    const timer =
      options.timeout === null
        ? undefined
        : setTimeout(() => fail(new ConnectTimeoutError(target.connectTimeout!)), options.timeout);
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.off("connect", onTcpConnected);
      socket.off(readyEvent, onReady);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    if (secure && phase === "connect") socket.once("connect", onTcpConnected);
    socket.once(readyEvent, onReady);
    socket.once("error", onError);
    socket.once("close", onClose);
    signal?.addEventListener("abort", onAbort, { once: true });
    // Between two steps of a connect (lookup, TCP, TLS) the signal may have fired already.
    if (signal?.aborted) onAbort();
  });
}

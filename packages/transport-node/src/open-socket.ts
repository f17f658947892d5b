// Opening a node:net / node:tls socket and waiting until it is ready for
// bytes, under the connect timeout and the abort signal.
import * as net from "node:net";
import * as tls from "node:tls";
import {
  abortedBy,
  type ConnectPhase,
  ConnectTimeoutError,
  mapErrorByCode,
  type ResolvedConnectOptions,
  TlsHandshakeError,
} from "@reqivo/transport";

/** Creates the socket and starts connecting; nothing is awaited yet. */
export function openSocket(target: ResolvedConnectOptions): net.Socket {
  // allowHalfOpen: the peer's end of stream must not end our side (half-close).
  const where =
    target.path !== null
      ? { path: target.path, allowHalfOpen: true }
      : {
          host: target.host!,
          port: target.port!,
          allowHalfOpen: true,
          // Happy eyeballs (RFC 8305): race IPv6 and IPv4 addresses of a name.
          autoSelectFamily: true,
        };
  const socket =
    target.tls === null
      ? net.connect(where)
      : tls.connect({
          ...where,
          ...(target.tls.servername !== null && { servername: target.tls.servername }),
          ...(target.tls.ca !== null && { ca: [...target.tls.ca] }),
          ...(target.tls.cert !== null && { cert: target.tls.cert, key: target.tls.key! }),
          ...(target.tls.alpnProtocols.length > 0 && {
            ALPNProtocols: [...target.tls.alpnProtocols],
          }),
          ...(target.tls.minVersion !== null && { minVersion: target.tls.minVersion }),
          rejectUnauthorized: target.tls.rejectUnauthorized,
        });
  if (target.path === null) {
    socket.setNoDelay(target.noDelay);
    if (target.keepAliveDelay !== null) socket.setKeepAlive(true, target.keepAliveDelay);
  }
  return socket;
}

/**
 * Resolves once `socket` can carry bytes (`connect`, or `secureConnect` for
 * TLS). On failure, timeout or abort the socket is destroyed and the promise
 * rejects with the contract's error.
 */
export function whenReady(socket: net.Socket, target: ResolvedConnectOptions): Promise<void> {
  const { signal, connectTimeout } = target;
  return new Promise<void>((resolve, reject) => {
    let phase: ConnectPhase = "connect";
    const fail = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onTcpConnected = () => {
      phase = "tls";
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => fail(mapErrorByCode(error, phase, target));
    const onClose = () => fail(new TlsHandshakeError("socket closed during the handshake"));
    const onAbort = () => fail(abortedBy(signal!));
    const timer =
      connectTimeout === null
        ? undefined
        : setTimeout(() => fail(new ConnectTimeoutError(connectTimeout)), connectTimeout);
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.off("connect", onTcpConnected);
      socket.off(target.tls === null ? "connect" : "secureConnect", onReady);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    if (target.tls !== null) socket.once("connect", onTcpConnected);
    socket.once(target.tls === null ? "connect" : "secureConnect", onReady);
    socket.once("error", onError);
    socket.once("close", onClose);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

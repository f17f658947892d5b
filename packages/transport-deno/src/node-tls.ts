// TLS through Deno's node:tls, run over any contract Connection: a proxy
// tunnel (itself TLS or not), or a native Deno socket when the connection
// needs what Deno's own TLS (rustls behind Deno.startTls) cannot do: pins,
// rejectUnauthorized=false, minVersion=TLSv1.3, a client certificate with
// another name than the one dialled, TLS over a Unix socket.
import { type Connection, TlsHandshakeError, TransportError } from "@reqivo/transport";
import {
  checkServerPins,
  connectionDuplex,
  isIpAddress,
  mapErrorByCode,
  type ResolvedConnectOptions,
  type ResolvedTlsOptions,
  type Sha256Base64,
} from "@reqivo/transport/kit";
import type { ConnectScope } from "./connect-scope.ts";
import { dialsAddresses } from "./dial.ts";
import { type LayerAddresses, NodeTlsConn } from "./node-tls-conn.ts";
import { type NodeModules, type NodeTlsSocket, nodeModules } from "./node-types.ts";
import type { OpenedConn } from "./open.ts";

/** Whether TLS for `target` has to go through node:tls (see the file comment). */
export function needsNodeTls(target: ResolvedConnectOptions): boolean {
  const { tls } = target;
  if (tls === null) return false;
  const clientCertificateElsewhere =
    tls.cert !== null &&
    (dialsAddresses(target) || (tls.servername !== null && tls.servername !== target.host));
  return (
    target.tunnel !== null ||
    target.path !== null ||
    tls.pins.length > 0 ||
    !tls.rejectUnauthorized ||
    tls.minVersion === "TLSv1.3" ||
    clientCertificateElsewhere
  );
}

/**
 * Runs the TLS handshake over `under` and checks the pins (@reqivo/transport's
 * rule; this path never offers a session, so a pinned connection is always a
 * full handshake). On failure `under` is closed too: the new connection owns
 * it from the start.
 */
export async function startNodeTls(
  under: Connection,
  target: ResolvedConnectOptions,
  addresses: LayerAddresses | null,
  scope: ConnectScope,
): Promise<OpenedConn> {
  const tls = target.tls!;
  let socket: NodeTlsSocket | null = null;
  try {
    const modules = await nodeModules();
    socket = modules.tls.connect(nodeTlsOptions(modules, under, target.host!, tls));
    scope.track({ close: () => socket?.destroy() });
    await handshake(socket, target);
    // Nothing was written yet: a mismatch fails the connect before any byte goes out.
    const mismatch = checkServerPins(tls.pins, socket.getPeerCertificate().raw, sha256(modules));
    if (mismatch !== null) throw mismatch;
    return {
      conn: new NodeTlsConn(socket, under, addresses, target),
      alpnProtocol: socket.alpnProtocol || null,
      tlsVersion: socket.getProtocol(),
    };
  } catch (error) {
    socket?.destroy();
    under.close();
    throw error instanceof TransportError ? error : mapErrorByCode(error, "tls", target);
  }
}

function nodeTlsOptions(
  { stream }: NodeModules,
  under: Connection,
  host: string,
  tls: ResolvedTlsOptions,
) {
  // The certificate is checked against `host` here; SNI is never an IP address.
  const name = (tls.servername ?? host).replace(/^\[(.*)\]$/, "$1");
  return {
    socket: connectionDuplex(stream.Duplex, under),
    host: name,
    ...(!isIpAddress(name) && { servername: name }),
    ...(tls.ca !== null && { ca: [...tls.ca] }),
    ...(tls.cert !== null && { cert: tls.cert, key: tls.key! }),
    ...(tls.alpnProtocols.length > 0 && { ALPNProtocols: [...tls.alpnProtocols] }),
    ...(tls.minVersion !== null && { minVersion: tls.minVersion }),
    rejectUnauthorized: tls.rejectUnauthorized,
  };
}

/** Resolves on `secureConnect` (certificate and name verified unless told not to). */
function handshake(socket: NodeTlsSocket, target: ResolvedConnectOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error: TransportError | null) => {
      socket.off("secureConnect", onSecure);
      socket.off("error", onError);
      socket.off("close", onClose);
      if (error === null) resolve();
      else reject(error);
    };
    const onSecure = () => settle(null);
    const onError = (error: Error) =>
      settle(error instanceof TransportError ? error : mapErrorByCode(error, "tls", target));
    const onClose = () => settle(new TlsHandshakeError("connection closed during the handshake"));
    socket.on("secureConnect", onSecure);
    socket.on("error", onError);
    socket.on("close", onClose);
  });
}

/** node:crypto's SHA-256, base64, for the pin check. */
function sha256({ crypto }: NodeModules): Sha256Base64 {
  return (bytes) => crypto.createHash("sha256").update(bytes).digest("base64");
}

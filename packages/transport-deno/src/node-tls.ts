// TLS through Deno's node:tls, run over any contract Connection: a proxy
// tunnel (itself TLS or not), or a native Deno socket when the connection
// needs what Deno's own TLS (rustls behind Deno.startTls) cannot do: pins,
// rejectUnauthorized=false, minVersion=TLSv1.3, a client certificate with
// another name than the one dialled, TLS over a Unix socket.
import {
  type Connection,
  isIpAddress,
  mapErrorByCode,
  type ResolvedConnectOptions,
  type ResolvedTlsOptions,
  TlsHandshakeError,
  TlsPinMismatchError,
  TransportError,
} from "@reqivo/transport";
import type { ConnectScope } from "./connect-scope.ts";
import { dialsAddresses } from "./dial.ts";
import { connectionDuplex, type LayerAddresses, NodeTlsConn } from "./node-tls-conn.ts";
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
 * Runs the TLS handshake over `under` and checks the pins. On failure `under`
 * is closed too: the new connection owns it from the start.
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
    if (tls.pins.length > 0) checkPins(modules, socket, tls.pins);
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
    socket: connectionDuplex(stream, under),
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

/** Throws `TlsPinMismatchError` unless the leaf's SPKI SHA-256 is one of `pins`; nothing was written yet. */
function checkPins({ crypto }: NodeModules, socket: NodeTlsSocket, pins: readonly string[]): void {
  const der = socket.getPeerCertificate().raw;
  if (der === undefined) throw new TlsPinMismatchError("no server certificate");
  const spki = new crypto.X509Certificate(der).publicKey.export({ type: "spki", format: "der" });
  const actual = crypto.createHash("sha256").update(spki).digest("base64");
  if (!pins.includes(actual)) throw new TlsPinMismatchError(`sha256/${actual}`);
}

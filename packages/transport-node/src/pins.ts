// Certificate pinning (`tls.pins`): the SHA-256 of the leaf certificate's
// SubjectPublicKeyInfo, compared after the handshake and before the
// connection is handed to the caller, so no application byte goes out first.
import { createHash, X509Certificate } from "node:crypto";
import type * as tls from "node:tls";
import { TlsPinMismatchError } from "@reqivo/transport";

/**
 * Checks the server's key against `pins` (bare base64, as resolved). Returns
 * the error to fail with, or `null` when a pin matches.
 *
 * A resumed session carries no certificate in TLS 1.3. It is accepted: the
 * session cache is keyed by the pins too and only keeps sessions of
 * handshakes that passed this check, and resuming proves the server holds
 * that session's secret.
 */
export function checkPins(socket: tls.TLSSocket, pins: readonly string[]): Error | null {
  if (pins.length === 0) return null;
  const certificate = peerCertificate(socket);
  if (certificate === null) {
    return socket.isSessionReused() ? null : new TlsPinMismatchError("no server certificate");
  }
  const actual = spkiPin(certificate);
  return pins.includes(actual) ? null : new TlsPinMismatchError(`sha256/${actual}`);
}

function peerCertificate(socket: tls.TLSSocket): X509Certificate | null {
  const x509 = socket.getPeerX509Certificate?.();
  if (x509 !== undefined) return x509;
  // Runtimes whose node:tls lacks getPeerX509Certificate still give the DER.
  const raw = socket.getPeerCertificate(false)?.raw;
  return raw === undefined || raw.length === 0 ? null : new X509Certificate(raw);
}

/** Base64 SHA-256 of the certificate's DER SubjectPublicKeyInfo. */
function spkiPin(certificate: X509Certificate): string {
  const spki = certificate.publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

// Certificate pinning (`tls.pins`) on node:tls: @reqivo/transport's one rule
// (the leaf's SPKI SHA-256, every pinned connection a full handshake, no
// certificate refused), fed with the leaf's DER and node:crypto's SHA-256.
// Checked after the handshake and before the connection is handed to the
// caller, so no application byte goes out first.
import { createHash } from "node:crypto";
import type * as tls from "node:tls";
import { checkServerPins } from "@reqivo/transport/kit";

/** The error to fail with unless the server's key matches one of `pins` (bare base64); `null` when it does. */
export function checkPins(socket: tls.TLSSocket, pins: readonly string[]): Error | null {
  if (pins.length === 0) return null;
  return checkServerPins(pins, leafCertificate(socket), sha256Base64);
}

/** The server's leaf certificate as DER, or `null` when the handshake gave none. */
function leafCertificate(socket: tls.TLSSocket): Uint8Array | null {
  const x509 = socket.getPeerX509Certificate?.();
  if (x509 !== undefined) return x509.raw;
  // Runtimes whose node:tls lacks getPeerX509Certificate still give the DER.
  return socket.getPeerCertificate(false)?.raw ?? null;
}

function sha256Base64(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64");
}

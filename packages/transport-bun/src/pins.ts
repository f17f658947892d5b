// Certificate pinning (`tls.pins`) on Bun's own TLS: the SHA-256 of the leaf
// certificate's SubjectPublicKeyInfo, checked in the handshake callback,
// before the connection is handed out and before any byte is written.
import { TlsPinMismatchError } from "@reqivo/transport";
import { type BunSocket, bunApi } from "./bun-types.ts";

/** The error to fail with unless the server's key matches one of `pins` (bare base64); `null` when it does. */
export function checkPins(socket: BunSocket, pins: readonly string[]): TlsPinMismatchError | null {
  let actual: string;
  try {
    const certificate = socket.getPeerX509Certificate();
    if (certificate === undefined) return new TlsPinMismatchError("no server certificate");
    const spki = certificate.publicKey.export({ type: "spki", format: "der" });
    actual = new (bunApi().CryptoHasher)("sha256").update(spki).digest("base64");
  } catch (error) {
    // Runs in Bun's handshake callback: a throw must become the connect's failure.
    return new TlsPinMismatchError("server certificate unreadable", { cause: error });
  }
  return pins.includes(actual) ? null : new TlsPinMismatchError(`sha256/${actual}`);
}

// Certificate pinning (`tls.pins`) on Bun's own TLS: @reqivo/transport's one
// rule (the leaf's SPKI SHA-256, every pinned connection a full handshake, no
// certificate refused), fed with the leaf's DER and Bun.CryptoHasher.
// Checked in the handshake callback, before the connection is handed out and
// before any byte is written.
import { TlsPinMismatchError } from "@reqivo/transport";
import { checkServerPins } from "@reqivo/transport/kit";
import { type BunSocket, bunApi } from "./bun-types.ts";

/** The error to fail with unless the server's key matches one of `pins` (bare base64); `null` when it does. */
export function checkPins(socket: BunSocket, pins: readonly string[]): TlsPinMismatchError | null {
  let leaf: Uint8Array | null;
  try {
    leaf = socket.getPeerX509Certificate()?.raw ?? null;
  } catch (error) {
    // Runs in Bun's handshake callback: a throw must become the connect's failure.
    return new TlsPinMismatchError("server certificate unreadable", { cause: error });
  }
  return checkServerPins(pins, leaf, sha256Base64);
}

function sha256Base64(bytes: Uint8Array): string {
  return new (bunApi().CryptoHasher)("sha256").update(bytes).digest("base64");
}

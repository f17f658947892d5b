// Deno throws its own error classes (Deno.errors.ConnectionRefused, …) with a
// `name`, sometimes an errno `code`, and for TLS the rustls message. This maps
// them onto the contract's error classes, keeping the raw error as `cause`.
// The node:tls path maps its errors itself (Node's `code`s) before they get here.
import {
  ConnectionRefusedError,
  ConnectionResetError,
  DnsError,
  TlsCertificateError,
  TlsHandshakeError,
  TlsNameMismatchError,
  TransportError,
} from "@reqivo/transport";
import type { ResolvedConnectOptions } from "@reqivo/transport/kit";

/** Where the connection was when the error happened. */
export type Phase = "connect" | "tls" | "open";

const RESET_NAMES = new Set(["ConnectionReset", "BrokenPipe", "ConnectionAborted"]);

/** Maps an error thrown by a Deno network call to the contract's error class. */
export function mapDenoError(
  error: unknown,
  phase: Phase,
  target: ResolvedConnectOptions,
): TransportError {
  // Already mapped: a lookup or happy-eyeballs failure, a pin mismatch, a tunnel's own error.
  if (error instanceof TransportError) return error;
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  const cause = { cause: error };
  if (phase === "connect") {
    if (name === "ConnectionRefused" || (name === "NotFound" && target.path !== null)) {
      return new ConnectionRefusedError(target.address, cause);
    }
    if (/failed to lookup address|name or service not known|no address associated/i.test(message)) {
      return new DnsError(target.host ?? "", cause);
    }
  }
  // rustls reports certificate problems as "invalid peer certificate: <Reason>".
  const certificate = /invalid peer certificate:?\s*(.*)/i.exec(message);
  if (certificate !== null) {
    const reason = certificate[1] || message;
    return /NotValidForName|not valid for name/i.test(reason)
      ? new TlsNameMismatchError(reason, cause)
      : new TlsCertificateError(reason, cause);
  }
  if (phase === "tls") return new TlsHandshakeError(`${name}: ${message}`, cause);
  if (RESET_NAMES.has(name)) return new ConnectionResetError(cause);
  return new TransportError("NETWORK_ERROR", `${target.address}: ${message}`, cause);
}

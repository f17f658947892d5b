// Node and Bun report failures as errors with a string `code`: a libc errno
// name, a getaddrinfo code, an OpenSSL verify code or an ERR_SSL_* code. This
// maps them onto the contract's error classes, keeping the raw error as `cause`.
import {
  ConnectionRefusedError,
  ConnectionResetError,
  DnsError,
  TlsCertificateError,
  TlsHandshakeError,
  TlsNameMismatchError,
  TransportError,
} from "./errors.ts";
import type { ResolvedConnectOptions } from "./options.ts";

/**
 * Where a connection was when an error happened: name lookup and TCP connect,
 * TLS handshake, or open.
 *
 * @example
 * ```ts
 * import type { ConnectPhase } from "@reqivo/transport/kit";
 * let phase: ConnectPhase = "connect";
 * ```
 */
export type ConnectPhase = "connect" | "tls" | "open";

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);
const NAME_MISMATCH_CODES = new Set(["ERR_TLS_CERT_ALTNAME_INVALID", "HOSTNAME_MISMATCH"]);
// OpenSSL's X509_V_ERR_* names, as Node reports them in `code`.
const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
]);

/**
 * The string `code` of an error; for an AggregateError (Node's happy
 * eyeballs), the first attempt's.
 *
 * @example
 * ```ts
 * import { errorCode } from "@reqivo/transport/kit";
 * errorCode(Object.assign(new Error("x"), { code: "ECONNRESET" })); // "ECONNRESET"
 * ```
 */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === "string") return code;
  if (Array.isArray(errors)) return errorCode(errors[0]);
  return undefined;
}

/**
 * Maps an error carrying a Node-style `code` (Node, Bun) to the contract's
 * error class for the phase it happened in; a `TransportError` is returned
 * as is. For transport authors.
 *
 * @example
 * ```ts
 * import { mapErrorByCode, resolveConnectOptions } from "@reqivo/transport/kit";
 * const target = resolveConnectOptions({ host: "127.0.0.1", port: 1 });
 * const raw = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
 * mapErrorByCode(raw, "connect", target).code; // "CONNECTION_REFUSED"
 * ```
 */
export function mapErrorByCode(
  error: unknown,
  phase: ConnectPhase,
  target: ResolvedConnectOptions,
): TransportError {
  // Already mapped, e.g. a tunnel's own failure surfacing through the TLS layer on top.
  if (error instanceof TransportError) return error;
  const code = errorCode(error) ?? "";
  const message = error instanceof Error ? error.message : String(error);
  const cause = { cause: error };
  if (phase === "connect") {
    if (DNS_CODES.has(code)) return new DnsError(target.host ?? "", cause);
    if (code === "ECONNREFUSED" || (code === "ENOENT" && target.path !== null)) {
      return new ConnectionRefusedError(target.address, cause);
    }
  }
  if (NAME_MISMATCH_CODES.has(code)) return new TlsNameMismatchError(code, cause);
  if (CERTIFICATE_CODES.has(code)) return new TlsCertificateError(code, cause);
  if (phase === "tls" || code.startsWith("ERR_SSL_")) {
    // Includes the peer hanging up mid-handshake (ECONNRESET).
    return new TlsHandshakeError(code === "" ? message : `${code}: ${message}`, cause);
  }
  if (RESET_CODES.has(code)) return new ConnectionResetError(cause);
  return new TransportError("NETWORK_ERROR", `${target.address}: ${message}`, cause);
}

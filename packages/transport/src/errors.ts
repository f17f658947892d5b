/**
 * Errors raised by transports.
 *
 * Each runtime maps its own failures into these classes. Every one carries a
 * stable string `code`, the runtime's raw error as `cause`, and two
 * `Symbol.for` brands, so `instanceof` keeps working when two copies of the
 * package are loaded: `reqivo.error` marks any Reqivo error (the protocol
 * package uses the same symbol), `reqivo.error.<Name>` marks the class.
 */

/**
 * Brand shared by every Reqivo error, in every package.
 *
 * @example
 * ```ts
 * import { REQIVO_ERROR_BRAND } from "@reqivo/transport";
 * const isReqivoError = (e: unknown) => (e as Record<symbol, unknown>)?.[REQIVO_ERROR_BRAND] === true;
 * ```
 */
export const REQIVO_ERROR_BRAND: unique symbol = Symbol.for("reqivo.error") as never;

const TRANSPORT_BRAND = Symbol.for("reqivo.error.TransportError");
const REFUSED_BRAND = Symbol.for("reqivo.error.ConnectionRefusedError");
const DNS_BRAND = Symbol.for("reqivo.error.DnsError");
const TIMEOUT_BRAND = Symbol.for("reqivo.error.ConnectTimeoutError");
const TLS_BRAND = Symbol.for("reqivo.error.TlsError");
const TLS_CERTIFICATE_BRAND = Symbol.for("reqivo.error.TlsCertificateError");
const TLS_NAME_BRAND = Symbol.for("reqivo.error.TlsNameMismatchError");
const TLS_HANDSHAKE_BRAND = Symbol.for("reqivo.error.TlsHandshakeError");
const TLS_PIN_BRAND = Symbol.for("reqivo.error.TlsPinMismatchError");
const RESET_BRAND = Symbol.for("reqivo.error.ConnectionResetError");
const CLOSED_BRAND = Symbol.for("reqivo.error.ConnectionClosedError");
const ABORTED_BRAND = Symbol.for("reqivo.error.AbortedError");
const UNSUPPORTED_BRAND = Symbol.for("reqivo.error.UnsupportedError");
const INVALID_ARGUMENT_BRAND = Symbol.for("reqivo.error.InvalidArgumentError");

function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/**
 * Options shared by the transport error constructors.
 *
 * @example
 * ```ts
 * import { ConnectionResetError, type TransportErrorOptions } from "@reqivo/transport";
 * const options: TransportErrorOptions = { cause: new Error("ECONNRESET") };
 * new ConnectionResetError(options);
 * ```
 */
export interface TransportErrorOptions {
  /** The runtime's raw error, or the abort reason. */
  cause?: unknown;
}

function errorOptions(options: TransportErrorOptions): { cause: unknown } | undefined {
  return options.cause === undefined ? undefined : { cause: options.cause };
}

/**
 * Base of every transport error. Used as is (code `NETWORK_ERROR`) for
 * failures no subclass describes, such as an unreachable network.
 *
 * @example
 * ```ts
 * import { TransportError } from "@reqivo/transport";
 * try { await conn.read(); } catch (e) {
 *   if (e instanceof TransportError) console.log(e.code, e.cause);
 * }
 * ```
 */
export class TransportError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: string;
  readonly [REQIVO_ERROR_BRAND] = true;
  readonly [TRANSPORT_BRAND] = true;

  constructor(code: string, message: string, options: TransportErrorOptions = {}) {
    super(message, errorOptions(options));
    this.name = "TransportError";
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, TRANSPORT_BRAND);
  }
}

/**
 * Nothing listens at the address (TCP RST to the SYN, or no socket at a Unix path).
 *
 * @example
 * ```ts
 * import { ConnectionRefusedError } from "@reqivo/transport";
 * new ConnectionRefusedError("127.0.0.1:1").code; // "CONNECTION_REFUSED"
 * ```
 */
export class ConnectionRefusedError extends TransportError {
  /** `host:port` or the Unix socket path that refused. */
  readonly address: string;
  readonly [REFUSED_BRAND] = true;
  constructor(address: string, options: TransportErrorOptions = {}) {
    super("CONNECTION_REFUSED", `connection refused by ${address}`, options);
    this.name = "ConnectionRefusedError";
    this.address = address;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, REFUSED_BRAND);
  }
}

/**
 * The host name could not be resolved.
 *
 * @example
 * ```ts
 * import { DnsError } from "@reqivo/transport";
 * new DnsError("nowhere.invalid").hostname; // "nowhere.invalid"
 * ```
 */
export class DnsError extends TransportError {
  readonly hostname: string;
  readonly [DNS_BRAND] = true;
  constructor(hostname: string, options: TransportErrorOptions = {}) {
    super("DNS_FAILURE", `cannot resolve host ${hostname}`, options);
    this.name = "DnsError";
    this.hostname = hostname;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, DNS_BRAND);
  }
}

/**
 * Name lookup, TCP connect and TLS handshake together took longer than `connectTimeout`.
 *
 * @example
 * ```ts
 * import { ConnectTimeoutError } from "@reqivo/transport";
 * new ConnectTimeoutError(5_000).timeoutMs; // 5000
 * ```
 */
export class ConnectTimeoutError extends TransportError {
  readonly timeoutMs: number;
  readonly [TIMEOUT_BRAND] = true;
  constructor(timeoutMs: number, options: TransportErrorOptions = {}) {
    super("CONNECT_TIMEOUT", `connect timed out after ${timeoutMs} ms`, options);
    this.name = "ConnectTimeoutError";
    this.timeoutMs = timeoutMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, TIMEOUT_BRAND);
  }
}

/**
 * A TLS failure. `reason` keeps the runtime's own wording (an OpenSSL code,
 * a rustls message) for diagnosis; match on `code` or the subclass instead.
 *
 * @example
 * ```ts
 * import { TlsError } from "@reqivo/transport";
 * try { await transport.connect({ host: "example.com", port: 443, tls: true }); } catch (e) {
 *   if (e instanceof TlsError) console.log(e.code, e.reason);
 * }
 * ```
 */
export class TlsError extends TransportError {
  /** The runtime's reason, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`. */
  readonly reason: string;
  readonly [TLS_BRAND] = true;
  constructor(code: string, message: string, reason: string, options: TransportErrorOptions = {}) {
    super(code, `${message}: ${reason}`, options);
    this.name = "TlsError";
    this.reason = reason;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, TLS_BRAND);
  }
}

/**
 * The server certificate is not trusted: unknown issuer, self-signed, expired, revoked…
 *
 * @example
 * ```ts
 * import { TlsCertificateError } from "@reqivo/transport";
 * new TlsCertificateError("UNABLE_TO_VERIFY_LEAF_SIGNATURE").code; // "TLS_CERTIFICATE_INVALID"
 * ```
 */
export class TlsCertificateError extends TlsError {
  readonly [TLS_CERTIFICATE_BRAND] = true;
  constructor(reason: string, options: TransportErrorOptions = {}) {
    super("TLS_CERTIFICATE_INVALID", "server certificate is not trusted", reason, options);
    this.name = "TlsCertificateError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, TLS_CERTIFICATE_BRAND);
  }
}

/**
 * The server certificate is trusted but not valid for the requested name.
 *
 * @example
 * ```ts
 * import { TlsNameMismatchError } from "@reqivo/transport";
 * new TlsNameMismatchError("ERR_TLS_CERT_ALTNAME_INVALID").code; // "TLS_NAME_MISMATCH"
 * ```
 */
export class TlsNameMismatchError extends TlsError {
  readonly [TLS_NAME_BRAND] = true;
  constructor(reason: string, options: TransportErrorOptions = {}) {
    super("TLS_NAME_MISMATCH", "server certificate does not match the host name", reason, options);
    this.name = "TlsNameMismatchError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, TLS_NAME_BRAND);
  }
}

/**
 * The TLS handshake failed for another reason: no common version or cipher,
 * an alert from the server, the peer hung up mid-handshake.
 *
 * @example
 * ```ts
 * import { TlsHandshakeError } from "@reqivo/transport";
 * new TlsHandshakeError("ERR_SSL_WRONG_VERSION_NUMBER").code; // "TLS_HANDSHAKE_FAILED"
 * ```
 */
export class TlsHandshakeError extends TlsError {
  readonly [TLS_HANDSHAKE_BRAND] = true;
  constructor(reason: string, options: TransportErrorOptions = {}) {
    super("TLS_HANDSHAKE_FAILED", "TLS handshake failed", reason, options);
    this.name = "TlsHandshakeError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, TLS_HANDSHAKE_BRAND);
  }
}

/**
 * The server's certificate is valid, but its public key matches none of the
 * pins in `tls.pins`. `reason` carries the key's actual pin, so a rotated
 * certificate can be told from an interception.
 *
 * @example
 * ```ts
 * import { TlsPinMismatchError } from "@reqivo/transport";
 * new TlsPinMismatchError("sha256/AAAA").code; // "TLS_PIN_MISMATCH"
 * ```
 */
export class TlsPinMismatchError extends TlsError {
  readonly [TLS_PIN_BRAND] = true;
  constructor(reason: string, options: TransportErrorOptions = {}) {
    super("TLS_PIN_MISMATCH", "server public key matches no pin", reason, options);
    this.name = "TlsPinMismatchError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, TLS_PIN_BRAND);
  }
}

/**
 * The peer reset the connection (TCP RST) after it was established.
 *
 * @example
 * ```ts
 * import { ConnectionResetError } from "@reqivo/transport";
 * new ConnectionResetError().code; // "CONNECTION_RESET"
 * ```
 */
export class ConnectionResetError extends TransportError {
  readonly [RESET_BRAND] = true;
  constructor(options: TransportErrorOptions = {}) {
    super("CONNECTION_RESET", "connection reset by peer", options);
    this.name = "ConnectionResetError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, RESET_BRAND);
  }
}

/**
 * The operation needs a side of the connection that is already closed: a read
 * or write after `close()`, or a write after `closeWrite()`.
 *
 * @example
 * ```ts
 * import { ConnectionClosedError } from "@reqivo/transport";
 * new ConnectionClosedError("write after closeWrite()").code; // "CONNECTION_CLOSED"
 * ```
 */
export class ConnectionClosedError extends TransportError {
  readonly [CLOSED_BRAND] = true;
  constructor(message = "connection is closed", options: TransportErrorOptions = {}) {
    super("CONNECTION_CLOSED", message, options);
    this.name = "ConnectionClosedError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, CLOSED_BRAND);
  }
}

/**
 * The caller aborted, through `signal` or `abort()`. `cause` is the abort reason.
 *
 * @example
 * ```ts
 * import { AbortedError } from "@reqivo/transport";
 * const reason = new Error("user went away");
 * new AbortedError({ cause: reason }).cause === reason; // true
 * ```
 */
export class AbortedError extends TransportError {
  readonly [ABORTED_BRAND] = true;
  constructor(options: TransportErrorOptions = {}) {
    super("ABORTED", "operation aborted", options);
    this.name = "AbortedError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, ABORTED_BRAND);
  }
}

/**
 * The runtime cannot honour an option. Thrown by `connect()` before any
 * network activity, so nothing is silently ignored.
 *
 * @example
 * ```ts
 * import { UnsupportedError } from "@reqivo/transport";
 * new UnsupportedError("tls.minVersion=TLSv1.3", "deno").feature; // "tls.minVersion=TLSv1.3"
 * ```
 */
export class UnsupportedError extends TransportError {
  /** The option that cannot be honoured, e.g. `tls.rejectUnauthorized=false`. */
  readonly feature: string;
  readonly [UNSUPPORTED_BRAND] = true;
  constructor(feature: string, runtime: string, options: TransportErrorOptions = {}) {
    super("UNSUPPORTED", `${feature} is not supported by the ${runtime} transport`, options);
    this.name = "UnsupportedError";
    this.feature = feature;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, UNSUPPORTED_BRAND);
  }
}

/**
 * The caller passed something a transport cannot use (no host, a port out of
 * range, a malformed ALPN list, an empty `readInto` buffer, ...). Thrown before
 * any I/O. A `TypeError`, as the runtimes throw for bad arguments, with the
 * stable code `INVALID_ARGUMENT`; not a `TransportError`, since nothing on the
 * network failed.
 *
 * @example
 * ```ts
 * import { InvalidArgumentError } from "@reqivo/transport";
 * try { await transport.connect({ host: "127.0.0.1", port: 0 }); } catch (e) {
 *   if (e instanceof InvalidArgumentError) console.log(e.code); // "INVALID_ARGUMENT"
 * }
 * ```
 */
export class InvalidArgumentError extends TypeError {
  /** Always `INVALID_ARGUMENT`. */
  readonly code = "INVALID_ARGUMENT";
  readonly [REQIVO_ERROR_BRAND] = true;
  readonly [INVALID_ARGUMENT_BRAND] = true;

  constructor(message: string, options: TransportErrorOptions = {}) {
    super(message, errorOptions(options));
    this.name = "InvalidArgumentError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, INVALID_ARGUMENT_BRAND);
  }
}

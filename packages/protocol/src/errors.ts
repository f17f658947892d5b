/**
 * Errors raised by the protocol core.
 *
 * Every Reqivo error carries a stable string `code` and two `Symbol.for`
 * brands, so `instanceof` keeps working when two copies of a package are
 * loaded (a bundled one and a hoisted one, say): `reqivo.error` marks any
 * Reqivo error, `reqivo.error.<Name>` marks the class.
 */

/** Brand shared by every Reqivo error, in every package. */
export const REQIVO_ERROR_BRAND: unique symbol = Symbol.for("reqivo.error") as never;

const PROTOCOL_ERROR_BRAND = Symbol.for("reqivo.error.ProtocolError");
const REMOTE_BRAND = Symbol.for("reqivo.error.RemoteProtocolError");
const LOCAL_BRAND = Symbol.for("reqivo.error.LocalProtocolError");

function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/** Options shared by the protocol error constructors. */
export interface ProtocolErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** WebSocket only: the close code to send in the closing frame (1002, 1007, 1009, …). */
  closeCode?: number;
}

/**
 * A violation of HTTP/1.1 or RFC 6455, by the peer or by the caller.
 * After a `ProtocolError` from `nextEvent()` the connection is unusable.
 *
 * @example
 * ```ts
 * import { ClientConnection, ProtocolError } from "@reqivo/protocol";
 * const conn = new ClientConnection();
 * conn.send({ type: "request", method: "GET", target: "/", headers: [["host", "a"]] });
 * conn.send({ type: "end" });
 * conn.receiveData(new TextEncoder().encode("HTTP/1.1 99x OK\r\n\r\n"));
 * try { conn.nextEvent(); } catch (e) {
 *   if (e instanceof ProtocolError) console.log(e.code); // "INVALID_STATUS_LINE"
 * }
 * ```
 */
export class ProtocolError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: string;
  /** Who broke the protocol: the peer (`remote`) or the caller (`local`). */
  readonly origin: "remote" | "local";
  /** WebSocket only: the close code the caller should send. */
  readonly closeCode: number | undefined;
  readonly [REQIVO_ERROR_BRAND] = true;
  readonly [PROTOCOL_ERROR_BRAND] = true;

  constructor(
    code: string,
    message: string,
    origin: "remote" | "local" = "remote",
    options: ProtocolErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ProtocolError";
    this.code = code;
    this.origin = origin;
    this.closeCode = options.closeCode;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, PROTOCOL_ERROR_BRAND);
  }
}

/**
 * The peer sent bytes that break the protocol.
 *
 * @example
 * ```ts
 * import { RemoteProtocolError } from "@reqivo/protocol";
 * const err = new RemoteProtocolError("INVALID_CHUNK_SIZE", "bad chunk size");
 * err.origin; // "remote"
 * ```
 */
export class RemoteProtocolError extends ProtocolError {
  readonly [REMOTE_BRAND] = true;
  constructor(code: string, message: string, options: ProtocolErrorOptions = {}) {
    super(code, message, "remote", options);
    this.name = "RemoteProtocolError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, REMOTE_BRAND);
  }
}

/**
 * The caller asked for something the protocol forbids (a CR in a header value,
 * a body on a request that declared none, a send in the wrong state). Thrown
 * before any byte is produced.
 *
 * @example
 * ```ts
 * import { LocalProtocolError } from "@reqivo/protocol";
 * const err = new LocalProtocolError("INVALID_HEADER_VALUE", "CR in header value");
 * err.origin; // "local"
 * ```
 */
export class LocalProtocolError extends ProtocolError {
  readonly [LOCAL_BRAND] = true;
  constructor(code: string, message: string, options: ProtocolErrorOptions = {}) {
    super(code, message, "local", options);
    this.name = "LocalProtocolError";
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, LOCAL_BRAND);
  }
}

/** The WebSocket client's error class and its stable codes. */
import type { Headers } from "@reqivo/protocol";
import { brandErrorClass, ReqivoError } from "../errors.ts";

/**
 * The stable codes of {@link WebSocketError}.
 *
 * - `HANDSHAKE_FAILED`: the server did not answer with a valid 101 (`status` and
 *   `headers` are set when it answered with something else; `cause` holds the
 *   protocol core's `HANDSHAKE_*` error for a bad 101).
 * - `HANDSHAKE_TIMEOUT`: no valid 101 within `timeout.handshake`.
 * - `PROTOCOL_ERROR`: the peer broke RFC 6455; `closeCode` (1002, 1007, 1009…) was sent.
 * - `CONNECTION_LOST`: the stream ended or failed without a close handshake (1006).
 * - `PING_TIMEOUT`: nothing came back within `pingInterval` after a keepalive ping.
 * - `CLOSE_TIMEOUT`: the close handshake did not finish within `timeout.close`; the connection was aborted.
 * - `CLOSED`: `send` or `ping` on a socket that is closing or closed.
 *
 * @example
 * ```ts
 * import type { WebSocketErrorCode } from "@reqivo/client";
 * const code: WebSocketErrorCode = "HANDSHAKE_FAILED";
 * ```
 */
export type WebSocketErrorCode =
  | "HANDSHAKE_FAILED"
  | "HANDSHAKE_TIMEOUT"
  | "PROTOCOL_ERROR"
  | "CONNECTION_LOST"
  | "PING_TIMEOUT"
  | "CLOSE_TIMEOUT"
  | "CLOSED";

/** Extra fields of a {@link WebSocketError}. */
export interface WebSocketErrorOptions {
  cause?: unknown;
  /** HANDSHAKE_FAILED: the status the server answered with. */
  status?: number;
  /** HANDSHAKE_FAILED: the response headers. */
  headers?: Headers;
  /** PROTOCOL_ERROR: the close code sent to the peer. */
  closeCode?: number;
}

/**
 * A WebSocket failure with a stable `code` (see {@link WebSocketErrorCode}).
 * Like every Reqivo error, `instanceof ReqivoError` holds and `instanceof`
 * survives two copies of the package.
 *
 * @example
 * ```ts
 * import { WebSocketError } from "@reqivo/client";
 * try { await session.websocket("ws://127.0.0.1:8080/nope"); }
 * catch (e) { if (e instanceof WebSocketError && e.code === "HANDSHAKE_FAILED") console.log(e.status); }
 * ```
 */
export class WebSocketError extends ReqivoError {
  static {
    brandErrorClass(WebSocketError, "WebSocketError");
  }

  declare readonly code: WebSocketErrorCode;
  /** HANDSHAKE_FAILED: the HTTP status of a non-101 answer. */
  readonly status: number | undefined;
  /** HANDSHAKE_FAILED: the headers of a non-101 answer. */
  readonly headers: Headers | undefined;
  /** PROTOCOL_ERROR: the close code sent to the peer. */
  readonly closeCode: number | undefined;

  constructor(code: WebSocketErrorCode, message: string, options: WebSocketErrorOptions = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.headers = options.headers;
    this.closeCode = options.closeCode;
  }
}

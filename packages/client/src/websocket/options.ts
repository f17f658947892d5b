/** Options of `session.websocket()` and their normalization. */
import type { PerMessageDeflateOffer } from "@reqivo/protocol";
import type { ProxyInput } from "../connection/proxy/config.ts";
import { InvalidRequestError } from "../errors.ts";
import type { HeadersInput } from "../header-input.ts";

/**
 * Time limits of a WebSocket, in milliseconds.
 *
 * @example
 * ```ts
 * import type { WebSocketTimeouts } from "@reqivo/client";
 * const timeout: WebSocketTimeouts = { connect: 2_000, handshake: 5_000, close: 1_000 };
 * ```
 */
export interface WebSocketTimeouts {
  /** TCP and TLS set-up. Default: the session's `timeout.connect`. */
  connect?: number;
  /** From the start of connecting until the 101 is validated. Default: the session's `timeout.headers`, else none. */
  handshake?: number;
  /** How long `close()` (or the echo of the peer's close) waits for the peer before aborting. Default 5000. */
  close?: number;
}

/**
 * permessage-deflate settings: the offer (RFC 7692 parameters) and the size
 * below which a message is sent uncompressed.
 *
 * @example
 * ```ts
 * import type { WebSocketCompressOptions } from "@reqivo/client";
 * const compress: WebSocketCompressOptions = { clientNoContextTakeover: true, threshold: 256 };
 * ```
 */
export interface WebSocketCompressOptions extends PerMessageDeflateOffer {
  /** Messages shorter than this many bytes are sent uncompressed. Default 128. */
  threshold?: number;
}

/**
 * Options of `session.websocket()`.
 *
 * @example
 * ```ts
 * const ws = await session.websocket("wss://example.com/chat", {
 *   protocols: ["v2.chat", "v1.chat"],
 *   headers: { "x-room": "42" },
 *   maxMessageSize: 1 << 20,
 *   pingInterval: 30_000,
 *   timeout: { handshake: 10_000, close: 2_000 },
 * });
 * ```
 */
export interface WebSocketOptions {
  /** Subprotocols to offer, in preference order. */
  protocols?: string | readonly string[];
  /** Extra handshake headers; they replace the session's headers of the same name. */
  headers?: HeadersInput;
  /** The `Origin` header to send, if any. */
  origin?: string;
  /** Aborts the handshake and, once open, the connection (AbortError). */
  signal?: AbortSignal;
  /** Largest message accepted, after decompression; beyond it the connection closes with 1009. Default 64 MiB. */
  maxMessageSize?: number;
  /** Offer permessage-deflate (default `true` where node:zlib is available). */
  compress?: boolean | WebSocketCompressOptions;
  /** Send a ping every this many ms; if nothing comes back before the next one, fail with PING_TIMEOUT. Off by default. */
  pingInterval?: number;
  /** A number is the handshake limit. */
  timeout?: number | WebSocketTimeouts;
  /** Received messages buffered for async iteration before reading pauses (backpressure). Default 16. */
  highWaterMark?: number;
  /** This socket's proxy, replacing the session's (`false`: direct); always a `CONNECT` or SOCKS5 tunnel. */
  proxy?: ProxyInput;
}

function positive(value: unknown, name: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== "number" ||
    !(value > 0) ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new InvalidRequestError(`${name} must be a positive ${integer ? "integer" : "number"}`);
  }
  return value;
}

/** The options, checked, with defaults filled in. */
export interface ResolvedWebSocketOptions {
  protocols: string[];
  maxMessageSize: number | undefined;
  pingInterval: number | undefined;
  connectTimeout: number | undefined;
  handshakeTimeout: number | undefined;
  closeTimeout: number;
  highWaterMark: number;
  compress: WebSocketCompressOptions | null;
  threshold: number;
}

export function resolveWebSocketOptions(
  options: WebSocketOptions,
  session: { connect?: number; headers?: number },
): ResolvedWebSocketOptions {
  const timeout =
    typeof options.timeout === "number" ? { handshake: options.timeout } : (options.timeout ?? {});
  const protocols =
    options.protocols === undefined
      ? []
      : typeof options.protocols === "string"
        ? [options.protocols]
        : [...options.protocols];
  const compress =
    options.compress === false
      ? null
      : options.compress === true || options.compress === undefined
        ? {}
        : { ...options.compress };
  const threshold = compress?.threshold ?? 128;
  if (!(threshold >= 0)) throw new InvalidRequestError("compress.threshold must be >= 0");
  if (compress !== null) delete compress.threshold;
  return {
    protocols,
    maxMessageSize: positive(options.maxMessageSize, "maxMessageSize", true),
    pingInterval: positive(options.pingInterval, "pingInterval"),
    connectTimeout: positive(timeout.connect, "timeout.connect") ?? session.connect,
    handshakeTimeout: positive(timeout.handshake, "timeout.handshake") ?? session.headers,
    closeTimeout: positive(timeout.close, "timeout.close") ?? 5000,
    highWaterMark: positive(options.highWaterMark, "highWaterMark", true) ?? 16,
    compress,
    threshold,
  };
}

import { LocalProtocolError, RemoteProtocolError } from "../../errors.ts";
import { HTTP2_ERROR } from "../frames/constants.ts";
import { http2ErrorFor } from "../frames/errors.ts";

/**
 * Codes of the errors the HTTP/2 connection reports for what the peer did
 * (beyond the frame and HPACK codes), each with the HTTP/2 error code it is
 * sent with (see {@link http2ErrorCodeOf}).
 *
 * @example
 * ```ts
 * const code: Http2ConnectionErrorCode = "H2_PING_FLOOD";
 * ```
 */
export type Http2ConnectionErrorCode =
  /** The server's first frame was not SETTINGS (PROTOCOL_ERROR). */
  | "H2_BAD_PREFACE"
  /**
   * The server's first octets were an HTTP/1.x status line, not SETTINGS: it
   * speaks only HTTP/1.x there, and h2c prior knowledge was wrong (PROTOCOL_ERROR).
   */
  | "H2_PEER_SPOKE_HTTP1"
  /** A frame the stream's state forbids: DATA on an idle stream, a server-opened stream, … (PROTOCOL_ERROR). */
  | "H2_INVALID_STREAM_STATE"
  /** A frame on a stream that is half-closed (remote) or closed (STREAM_CLOSED). */
  | "H2_STREAM_CLOSED"
  /** PUSH_PROMISE although this client disabled push (PROTOCOL_ERROR). */
  | "H2_PUSH_REFUSED"
  /** A SETTINGS ACK with no SETTINGS of ours waiting for it (PROTOCOL_ERROR). */
  | "H2_UNEXPECTED_SETTINGS_ACK"
  /** A server setting the protocol forbids, such as ENABLE_PUSH = 1 (PROTOCOL_ERROR). */
  | "H2_INVALID_PEER_SETTING"
  /** More octets than the receive window allowed, or a window pushed above 2^31 - 1 (FLOW_CONTROL_ERROR). */
  | "H2_FLOW_CONTROL"
  /** A response head that breaks RFC 9113 §8.2/§8.3 (PROTOCOL_ERROR, a stream error). */
  | "H2_INVALID_RESPONSE_HEADERS"
  /** DATA octets that disagree with the response's content-length (PROTOCOL_ERROR, a stream error). */
  | "H2_CONTENT_LENGTH_MISMATCH"
  /** Too many SETTINGS frames waiting for an ACK we could not send yet (ENHANCE_YOUR_CALM). */
  | "H2_SETTINGS_FLOOD"
  /** Too many PINGs waiting for an ACK we could not send yet (ENHANCE_YOUR_CALM). */
  | "H2_PING_FLOOD"
  /** Too many frames in a row that carry nothing: empty DATA, PRIORITY, unknown types (ENHANCE_YOUR_CALM). */
  | "H2_EMPTY_FRAME_FLOOD"
  /** Too many informational (1xx) heads on one stream (ENHANCE_YOUR_CALM). */
  | "H2_HEADERS_FLOOD"
  /** A stream's header list above our SETTINGS_MAX_HEADER_LIST_SIZE (a stream error, PROTOCOL_ERROR). */
  | "H2_HEADER_LIST_TOO_LARGE"
  /** Our SETTINGS left unacknowledged longer than the caller allows (SETTINGS_TIMEOUT). */
  | "H2_SETTINGS_TIMEOUT";

const HTTP2_ERROR_OF: Readonly<Record<Http2ConnectionErrorCode, number>> = {
  H2_BAD_PREFACE: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_PEER_SPOKE_HTTP1: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_INVALID_STREAM_STATE: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_STREAM_CLOSED: HTTP2_ERROR.STREAM_CLOSED,
  H2_PUSH_REFUSED: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_UNEXPECTED_SETTINGS_ACK: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_INVALID_PEER_SETTING: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_FLOW_CONTROL: HTTP2_ERROR.FLOW_CONTROL_ERROR,
  H2_INVALID_RESPONSE_HEADERS: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_CONTENT_LENGTH_MISMATCH: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_SETTINGS_FLOOD: HTTP2_ERROR.ENHANCE_YOUR_CALM,
  H2_PING_FLOOD: HTTP2_ERROR.ENHANCE_YOUR_CALM,
  H2_EMPTY_FRAME_FLOOD: HTTP2_ERROR.ENHANCE_YOUR_CALM,
  H2_HEADERS_FLOOD: HTTP2_ERROR.ENHANCE_YOUR_CALM,
  H2_HEADER_LIST_TOO_LARGE: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_SETTINGS_TIMEOUT: HTTP2_ERROR.SETTINGS_TIMEOUT,
};

/**
 * The HTTP/2 error code (RST_STREAM or GOAWAY) of any error code the HTTP/2
 * core raises for the peer: connection, frame and HPACK codes alike.
 * Unknown codes give INTERNAL_ERROR.
 *
 * @example
 * ```ts
 * http2ErrorCodeOf("H2_PING_FLOOD"); // 0xb, ENHANCE_YOUR_CALM
 * ```
 */
export function http2ErrorCodeOf(code: string): number {
  return (
    (HTTP2_ERROR_OF as Record<string, number>)[code] ??
    http2ErrorFor(code) ??
    HTTP2_ERROR.INTERNAL_ERROR
  );
}

/**
 * The error for something the peer did on the connection.
 *
 * @example
 * ```ts
 * throw peerError("H2_PING_FLOOD", "too many PINGs unanswered");
 * ```
 */
export function peerError(code: Http2ConnectionErrorCode, message: string): RemoteProtocolError {
  return new RemoteProtocolError(code, `HTTP/2: ${message}`);
}

/**
 * Codes of the errors the HTTP/2 connection throws at its caller (nothing is
 * sent, nothing changes).
 *
 * @example
 * ```ts
 * const code: Http2UsageErrorCode = "H2_TOO_MANY_STREAMS";
 * ```
 */
export type Http2UsageErrorCode =
  /** A request head that breaks RFC 9113 §8.2/§8.3. */
  | "H2_INVALID_REQUEST_HEADERS"
  /** A send the stream's state forbids (DATA after END_STREAM, an unknown stream, …). */
  | "H2_INVALID_STREAM_STATE"
  /** A stream id that is not odd, not above the last one, or beyond 2^31 - 1. */
  | "H2_INVALID_STREAM_ID"
  /** Opening a stream beyond the peer's SETTINGS_MAX_CONCURRENT_STREAMS. */
  | "H2_TOO_MANY_STREAMS"
  /** Opening a stream after a GOAWAY, or any send after the connection closed. */
  | "H2_CONNECTION_CLOSED"
  /** Acknowledging more received octets than are outstanding, a bad option, … */
  | "INVALID_OPTION";

/**
 * The error for a caller's request the protocol forbids.
 *
 * @example
 * ```ts
 * throw usageError("H2_TOO_MANY_STREAMS", "the server allows 100 streams");
 * ```
 */
export function usageError(code: Http2UsageErrorCode, message: string): LocalProtocolError {
  return new LocalProtocolError(code, `HTTP/2: ${message}`);
}

import { LocalProtocolError, RemoteProtocolError } from "../../errors.ts";
import { HTTP2_ERROR } from "./constants.ts";

/**
 * Codes of the errors the frame reader throws for a peer's malformed frame.
 * Each is a connection error (RFC 9113 §5.4.1 lets an endpoint treat any
 * stream error as one); {@link http2ErrorFor} gives the GOAWAY error code.
 *
 * @example
 * ```ts
 * const code: FrameErrorCode = "H2_FRAME_TOO_LARGE";
 * ```
 */
export type FrameErrorCode =
  /** Length above the SETTINGS_MAX_FRAME_SIZE this side announced (FRAME_SIZE_ERROR). */
  | "H2_FRAME_TOO_LARGE"
  /** A fixed-size payload of the wrong length, or too short for its fields (FRAME_SIZE_ERROR). */
  | "H2_INVALID_FRAME_LENGTH"
  /** Padding as long as the payload or longer (PROTOCOL_ERROR). */
  | "H2_INVALID_PADDING"
  /** A frame on stream 0 that needs a stream, or on a stream that must be 0 (PROTOCOL_ERROR). */
  | "H2_INVALID_STREAM_ID"
  /** ENABLE_PUSH not 0 or 1, MAX_FRAME_SIZE out of range, … (PROTOCOL_ERROR). */
  | "H2_INVALID_SETTING"
  /** INITIAL_WINDOW_SIZE above 2^31 - 1 (FLOW_CONTROL_ERROR). */
  | "H2_INVALID_WINDOW_SIZE"
  /** WINDOW_UPDATE with an increment of 0 (PROTOCOL_ERROR). */
  | "H2_ZERO_WINDOW_INCREMENT"
  /** A stream that depends on itself (PROTOCOL_ERROR). */
  | "H2_SELF_DEPENDENCY"
  /** A frame other than CONTINUATION on the same stream while a header block is open (PROTOCOL_ERROR). */
  | "H2_EXPECTED_CONTINUATION"
  /** A CONTINUATION frame with no header block open (PROTOCOL_ERROR). */
  | "H2_UNEXPECTED_CONTINUATION"
  /** A header block above the size or CONTINUATION-count limit: a flood (ENHANCE_YOUR_CALM). */
  | "H2_HEADER_BLOCK_TOO_LARGE";

const HTTP2_ERROR_OF: Readonly<Record<string, number>> = {
  H2_FRAME_TOO_LARGE: HTTP2_ERROR.FRAME_SIZE_ERROR,
  H2_INVALID_FRAME_LENGTH: HTTP2_ERROR.FRAME_SIZE_ERROR,
  H2_INVALID_PADDING: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_INVALID_STREAM_ID: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_INVALID_SETTING: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_INVALID_WINDOW_SIZE: HTTP2_ERROR.FLOW_CONTROL_ERROR,
  H2_ZERO_WINDOW_INCREMENT: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_SELF_DEPENDENCY: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_EXPECTED_CONTINUATION: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_UNEXPECTED_CONTINUATION: HTTP2_ERROR.PROTOCOL_ERROR,
  H2_HEADER_BLOCK_TOO_LARGE: HTTP2_ERROR.ENHANCE_YOUR_CALM,
  HPACK_INVALID_INDEX: HTTP2_ERROR.COMPRESSION_ERROR,
  HPACK_INTEGER_OVERFLOW: HTTP2_ERROR.COMPRESSION_ERROR,
  HPACK_TRUNCATED: HTTP2_ERROR.COMPRESSION_ERROR,
  HPACK_INVALID_HUFFMAN: HTTP2_ERROR.COMPRESSION_ERROR,
  HPACK_TABLE_SIZE_UPDATE: HTTP2_ERROR.COMPRESSION_ERROR,
};

/**
 * The HTTP/2 error code (for GOAWAY) of a frame or HPACK error code, or
 * `undefined` for a code that is not a connection error of its own.
 *
 * @example
 * ```ts
 * http2ErrorFor("HPACK_INVALID_HUFFMAN"); // 0x9, COMPRESSION_ERROR
 * ```
 */
export function http2ErrorFor(code: string): number | undefined {
  return HTTP2_ERROR_OF[code];
}

/**
 * The error for a peer's malformed frame.
 *
 * @example
 * ```ts
 * throw frameError("H2_INVALID_PADDING", "padding longer than the payload");
 * ```
 */
export function frameError(code: FrameErrorCode, message: string): RemoteProtocolError {
  return new RemoteProtocolError(code, `HTTP/2: ${message}`);
}

/**
 * The error for a frame the caller asked for that the protocol forbids
 * (thrown before any octet is produced).
 *
 * @example
 * ```ts
 * throw frameUsageError("H2_INVALID_STREAM_ID", "DATA needs a stream id above 0");
 * ```
 */
export function frameUsageError(
  code: FrameErrorCode | "INVALID_OPTION",
  message: string,
): LocalProtocolError {
  return new LocalProtocolError(code, `HTTP/2: ${message}`);
}

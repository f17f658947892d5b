/**
 * Frame type codes (RFC 9113 §6).
 *
 * @example
 * ```ts
 * FRAME_TYPE.SETTINGS; // 0x4
 * ```
 */
export const FRAME_TYPE = Object.freeze({
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
});

/**
 * Frame flags (RFC 9113 §6); a bit means something only on the frame types
 * that define it (END_STREAM and ACK share 0x1).
 *
 * @example
 * ```ts
 * const flags = FLAG.END_STREAM | FLAG.END_HEADERS; // 0x5
 * ```
 */
export const FLAG = Object.freeze({
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
});

/**
 * Error codes of RST_STREAM and GOAWAY (RFC 9113 §7).
 *
 * @example
 * ```ts
 * HTTP2_ERROR.COMPRESSION_ERROR; // 0x9
 * ```
 */
export const HTTP2_ERROR = Object.freeze({
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
});

/**
 * SETTINGS parameter identifiers (RFC 9113 §6.5.2; 8 is RFC 8441, 9 is RFC 9218).
 *
 * @example
 * ```ts
 * const setting: [number, number] = [SETTING.MAX_CONCURRENT_STREAMS, 100];
 * ```
 */
export const SETTING = Object.freeze({
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
  ENABLE_CONNECT_PROTOCOL: 0x8,
  NO_RFC7540_PRIORITIES: 0x9,
});

/**
 * Octets of the frame header before every payload (RFC 9113 §4.1).
 *
 * @example
 * ```ts
 * const frameOctets = FRAME_HEADER_LENGTH + 8; // a PING frame: 17
 * ```
 */
export const FRAME_HEADER_LENGTH = 9;

/**
 * SETTINGS_MAX_FRAME_SIZE until the peer says otherwise, and its lowest legal value.
 *
 * @example
 * ```ts
 * const reader = new FrameReader({ maxFrameSize: DEFAULT_MAX_FRAME_SIZE });
 * ```
 */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;

/**
 * The highest legal SETTINGS_MAX_FRAME_SIZE: 2^24 - 1, the 24-bit length field.
 *
 * @example
 * ```ts
 * const reader = new FrameReader({ maxFrameSize: MAX_FRAME_SIZE_LIMIT });
 * ```
 */
export const MAX_FRAME_SIZE_LIMIT = 2 ** 24 - 1;

/**
 * Largest stream id, flow-control window and window increment: 2^31 - 1.
 *
 * @example
 * ```ts
 * const lastClientStream = MAX_STREAM_ID; // odd, so a client may use it
 * ```
 */
export const MAX_STREAM_ID = 2 ** 31 - 1;

/**
 * The octets a client sends first on every HTTP/2 connection (RFC 9113 §3.4),
 * followed by its SETTINGS frame.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(CLIENT_PREFACE); // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
 * ```
 */
export const CLIENT_PREFACE: Uint8Array = Uint8Array.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", (c) =>
  c.charCodeAt(0),
);

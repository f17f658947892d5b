// The public face of the HTTP/2 core: the client connection, its events,
// options and error codes, and the two constant tables a caller needs to read
// them (error codes, SETTINGS identifiers). Frames, HPACK and the transition
// tables stay internal: they are the connection's implementation.
export { Http2ClientConnection, type Http2SendOptions } from "./connection/connection.ts";
export type { ConnectionState as Http2ConnectionState } from "./connection/connection-state.ts";
export {
  type Http2ConnectionErrorCode,
  type Http2UsageErrorCode,
  http2ErrorCodeOf,
} from "./connection/errors.ts";
export type { Http2Event } from "./connection/events.ts";
export type { Http2ClientOptions } from "./connection/options.ts";
export type { StreamState as Http2StreamState } from "./connection/stream-state.ts";
export { HTTP2_ERROR, SETTING } from "./frames/constants.ts";

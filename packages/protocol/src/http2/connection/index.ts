// The client HTTP/2 connection and its internals (the package entry exports
// the public part through ../index.ts).
export { Http2ClientConnection, type Http2SendOptions } from "./connection.ts";
export {
  type ConnectionInput,
  type ConnectionState,
  connectionTransition,
} from "./connection-state.ts";
export {
  type Http2ConnectionErrorCode,
  type Http2UsageErrorCode,
  http2ErrorCodeOf,
} from "./errors.ts";
export type { Http2Event } from "./events.ts";
export type { Http2ClientOptions } from "./options.ts";
export {
  type StreamInput,
  type StreamRefusal,
  type StreamState,
  streamTransition,
} from "./stream-state.ts";

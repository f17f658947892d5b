import type { ProtocolError } from "../../errors.ts";
import type { HeaderPair } from "../../http/headers.ts";
import type { SettingPair } from "../frames/types.ts";

/**
 * What {@link Http2ClientConnection.receiveData} reports, in wire order.
 * Stream errors (a bad response head, a content-length mismatch, …) reset
 * the stream and come as `stream_reset` with `error`; a connection error is
 * the last event, `connection_error`, after which the connection is closed
 * and a GOAWAY is queued.
 *
 * @example
 * ```ts
 * function describe(event: Http2Event): string {
 *   return event.type === "response" ? `stream ${event.streamId}: ${event.status}` : event.type;
 * }
 * ```
 */
export type Http2Event =
  /** A 1xx head (there may be several before the response). */
  | { type: "informational"; streamId: number; status: number; headers: HeaderPair[] }
  /** The final response head. */
  | { type: "response"; streamId: number; status: number; headers: HeaderPair[] }
  /**
   * Response body octets: a view of the received octets when a frame sat
   * in one chunk (copy it to keep it if the transport reuses its buffers).
   * Give them back with `acknowledgeReceivedData` once consumed, or the
   * server's window stays shut.
   */
  | { type: "data"; streamId: number; data: Uint8Array }
  /** Trailer fields, which end the stream (a `stream_end` follows). */
  | { type: "trailers"; streamId: number; headers: HeaderPair[] }
  /** The server finished its side of the stream. */
  | { type: "stream_end"; streamId: number }
  /**
   * The stream is gone: the server reset it (`error` undefined) or we did,
   * for a stream error the server made (`error` set).
   */
  | { type: "stream_reset"; streamId: number; errorCode: number; error: ProtocolError | undefined }
  /** The server's SETTINGS, applied (only the parameters it sent). */
  | { type: "settings_changed"; settings: SettingPair[] }
  /** The server acknowledged our SETTINGS, which are now in force. */
  | { type: "settings_acknowledged" }
  /** The answer to one of our PINGs. */
  | { type: "ping_ack"; opaqueData: Uint8Array }
  /**
   * The server is going away. Streams above `lastStreamId` were not processed
   * and are closed: `unprocessedStreamIds` are safe to retry elsewhere.
   */
  | {
      type: "goaway";
      lastStreamId: number;
      errorCode: number;
      debugData: Uint8Array;
      unprocessedStreamIds: number[];
    }
  /** A send window opened (stream 0: the connection's); queued DATA goes out. */
  | { type: "window_update"; streamId: number; increment: number }
  /** The server broke the protocol: GOAWAY queued, the connection is closed. */
  | { type: "connection_error"; error: ProtocolError; errorCode: number };

/**
 * A stream's priority as HEADERS and PRIORITY frames carry it (RFC 9113
 * §5.3.2, deprecated but still on the wire): `weight` is 1–256.
 *
 * @example
 * ```ts
 * const priority: PrioritySpec = { exclusive: false, dependency: 0, weight: 16 };
 * ```
 */
export interface PrioritySpec {
  exclusive: boolean;
  dependency: number;
  weight: number;
}

/**
 * One SETTINGS parameter: `[identifier, value]`, in the order sent. Unknown
 * identifiers are kept (the receiver must ignore them, RFC 9113 §6.5.2).
 *
 * @example
 * ```ts
 * const setting: SettingPair = [0x3, 100]; // MAX_CONCURRENT_STREAMS
 * ```
 */
export type SettingPair = [identifier: number, value: number];

/**
 * A decoded HTTP/2 frame (RFC 9113 §6). Byte fields are views into the
 * received chunks when a payload sits in one chunk, copies otherwise.
 *
 * @example
 * ```ts
 * function describe(frame: Http2Frame): string {
 *   return frame.type === "data" ? `${frame.data.length} octets on ${frame.streamId}` : frame.type;
 * }
 * ```
 */
export type Http2Frame =
  | {
      type: "data";
      streamId: number;
      data: Uint8Array;
      /**
       * Only from a FrameReader with `dataPieces`: the payload's further
       * pieces when it arrived split across received chunks (`data` is the
       * first), as views instead of one joined copy.
       */
      more?: Uint8Array[];
      endStream: boolean;
      /** Octets the frame counts for in flow control: its whole payload, padding included. */
      flowControlledLength: number;
    }
  | {
      type: "headers";
      streamId: number;
      fragment: Uint8Array;
      endStream: boolean;
      endHeaders: boolean;
      priority: PrioritySpec | undefined;
    }
  | { type: "priority"; streamId: number; priority: PrioritySpec }
  | { type: "rst_stream"; streamId: number; errorCode: number }
  | { type: "settings"; ack: boolean; settings: SettingPair[] }
  | {
      type: "push_promise";
      streamId: number;
      promisedStreamId: number;
      fragment: Uint8Array;
      endHeaders: boolean;
    }
  | { type: "ping"; ack: boolean; opaqueData: Uint8Array }
  | { type: "goaway"; lastStreamId: number; errorCode: number; debugData: Uint8Array }
  | { type: "window_update"; streamId: number; increment: number }
  | { type: "continuation"; streamId: number; fragment: Uint8Array; endHeaders: boolean }
  /** A frame type this implementation does not know; the connection must ignore it (§5.5). */
  | { type: "unknown"; frameType: number; flags: number; streamId: number; payload: Uint8Array };

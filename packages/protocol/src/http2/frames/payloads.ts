import { EMPTY_BYTES } from "../../bytes.ts";
import { FLAG, FRAME_TYPE, MAX_FRAME_SIZE_LIMIT, MAX_STREAM_ID, SETTING } from "./constants.ts";
import { frameError } from "./errors.ts";
import type { Http2Frame, PrioritySpec, SettingPair } from "./types.ts";

const uint32 = (p: Uint8Array, at: number): number =>
  p[at]! * 0x1000000 + ((p[at + 1]! << 16) | (p[at + 2]! << 8) | p[at + 3]!);
const uint31 = (p: Uint8Array, at: number): number => uint32(p, at) % 0x80000000;

function requireStream(streamId: number, what: string): void {
  if (streamId === 0) throw frameError("H2_INVALID_STREAM_ID", `${what} on stream 0`);
}

function requireConnection(streamId: number, what: string): void {
  if (streamId !== 0) throw frameError("H2_INVALID_STREAM_ID", `${what} on stream ${streamId}`);
}

function requireLength(payload: Uint8Array, length: number, what: string): void {
  if (payload.length !== length) {
    throw frameError(
      "H2_INVALID_FRAME_LENGTH",
      `${what} payload of ${payload.length} octets, not ${length}`,
    );
  }
}

/** The payload without its pad length octet and padding (§6.1), checked to hold `fixed` octets of fields. */
function unpadded(payload: Uint8Array, flags: number, fixed: number, what: string): Uint8Array {
  if (!(flags & FLAG.PADDED)) {
    if (payload.length < fixed) {
      throw frameError("H2_INVALID_FRAME_LENGTH", `${what} payload too short for its fields`);
    }
    return payload;
  }
  if (payload.length < 1 + fixed) {
    throw frameError("H2_INVALID_FRAME_LENGTH", `${what} payload too short for its fields`);
  }
  const padLength = payload[0]!;
  if (1 + fixed + padLength > payload.length) {
    throw frameError(
      "H2_INVALID_PADDING",
      `${what} padding of ${padLength} octets exceeds the ${payload.length}-octet payload`,
    );
  }
  return payload.subarray(1, payload.length - padLength);
}

function priorityAt(p: Uint8Array, at: number, streamId: number): PrioritySpec {
  const dependency = uint31(p, at);
  if (dependency === streamId) {
    throw frameError("H2_SELF_DEPENDENCY", `stream ${streamId} depends on itself`);
  }
  return { exclusive: (p[at]! & 0x80) !== 0, dependency, weight: p[at + 4]! + 1 };
}

function settingsOf(payload: Uint8Array): SettingPair[] {
  if (payload.length % 6 !== 0) {
    throw frameError("H2_INVALID_FRAME_LENGTH", "SETTINGS payload not a multiple of 6 octets");
  }
  const settings: SettingPair[] = [];
  for (let at = 0; at < payload.length; at += 6) {
    const identifier = (payload[at]! << 8) | payload[at + 1]!;
    const value = uint32(payload, at + 2);
    checkSetting(identifier, value, frameError);
    settings.push([identifier, value]);
  }
  return settings;
}

/**
 * Throws (through `fail`) when a known setting has a value RFC 9113 §6.5.2
 * forbids; shared by the reader and the writer.
 *
 * @example
 * ```ts
 * checkSetting(0x5, 100, frameError); // throws H2_INVALID_SETTING: below 16384
 * ```
 */
export function checkSetting(
  identifier: number,
  value: number,
  fail: (code: "H2_INVALID_SETTING" | "H2_INVALID_WINDOW_SIZE", message: string) => Error,
): void {
  if (identifier === SETTING.ENABLE_PUSH && value > 1) {
    throw fail("H2_INVALID_SETTING", `ENABLE_PUSH of ${value}, not 0 or 1`);
  }
  if (identifier === SETTING.INITIAL_WINDOW_SIZE && value > MAX_STREAM_ID) {
    throw fail("H2_INVALID_WINDOW_SIZE", `INITIAL_WINDOW_SIZE of ${value}, above 2^31 - 1`);
  }
  if (identifier === SETTING.MAX_FRAME_SIZE && (value < 16_384 || value > MAX_FRAME_SIZE_LIMIT)) {
    throw fail("H2_INVALID_SETTING", `MAX_FRAME_SIZE of ${value}, outside [2^14, 2^24 - 1]`);
  }
  if (identifier === SETTING.ENABLE_CONNECT_PROTOCOL && value > 1) {
    throw fail("H2_INVALID_SETTING", `ENABLE_CONNECT_PROTOCOL of ${value}, not 0 or 1`);
  }
}

/**
 * A DATA frame whose payload of `length` octets sits in several `pieces`
 * (views into received chunks, in order): its data as views too, padding
 * stripped, no copy. The same checks and result as {@link parseFrame} on the
 * joined payload, with the data's further pieces in `more`.
 *
 * @example
 * ```ts
 * parseDataPieces(0x1, 1, [Uint8Array.of(104), Uint8Array.of(105)], 2);
 * // { type: "data", streamId: 1, data: Uint8Array [104], more: [Uint8Array [105]], endStream: true, flowControlledLength: 2 }
 * ```
 */
export function parseDataPieces(
  flags: number,
  streamId: number,
  pieces: readonly Uint8Array[],
  length: number,
): Extract<Http2Frame, { type: "data" }> {
  requireStream(streamId, "DATA");
  let start = 0;
  let end = length;
  if (flags & FLAG.PADDED) {
    if (length < 1)
      throw frameError("H2_INVALID_FRAME_LENGTH", "DATA payload too short for its fields");
    const padLength = pieces[0]![0]!;
    if (1 + padLength > length) {
      throw frameError(
        "H2_INVALID_PADDING",
        `DATA padding of ${padLength} octets exceeds the ${length}-octet payload`,
      );
    }
    start = 1;
    end = length - padLength;
  }
  const data: Uint8Array[] = [];
  let at = 0;
  for (const piece of pieces) {
    const from = Math.max(start - at, 0);
    const to = Math.min(end - at, piece.length);
    if (to > from) data.push(from === 0 && to === piece.length ? piece : piece.subarray(from, to));
    at += piece.length;
  }
  const endStream = (flags & FLAG.END_STREAM) !== 0;
  const first = data[0] ?? EMPTY_BYTES;
  return data.length > 1
    ? {
        type: "data",
        streamId,
        data: first,
        more: data.slice(1),
        endStream,
        flowControlledLength: length,
      }
    : { type: "data", streamId, data: first, endStream, flowControlledLength: length };
}

/**
 * Decodes one frame's payload, given its header fields, checking what RFC
 * 9113 §6 requires of each type.
 *
 * @example
 * ```ts
 * parseFrame(0x8, 0, 1, Uint8Array.of(0, 0, 0x40, 0)); // { type: "window_update", streamId: 1, increment: 16384 }
 * ```
 */
export function parseFrame(
  frameType: number,
  flags: number,
  streamId: number,
  payload: Uint8Array,
): Http2Frame {
  switch (frameType) {
    case FRAME_TYPE.DATA: {
      requireStream(streamId, "DATA");
      return {
        type: "data",
        streamId,
        data: unpadded(payload, flags, 0, "DATA"),
        endStream: (flags & FLAG.END_STREAM) !== 0,
        flowControlledLength: payload.length,
      };
    }
    case FRAME_TYPE.HEADERS: {
      requireStream(streamId, "HEADERS");
      const hasPriority = (flags & FLAG.PRIORITY) !== 0;
      const content = unpadded(payload, flags, hasPriority ? 5 : 0, "HEADERS");
      return {
        type: "headers",
        streamId,
        fragment: hasPriority ? content.subarray(5) : content,
        endStream: (flags & FLAG.END_STREAM) !== 0,
        endHeaders: (flags & FLAG.END_HEADERS) !== 0,
        priority: hasPriority ? priorityAt(content, 0, streamId) : undefined,
      };
    }
    case FRAME_TYPE.PRIORITY:
      requireStream(streamId, "PRIORITY");
      requireLength(payload, 5, "PRIORITY");
      return { type: "priority", streamId, priority: priorityAt(payload, 0, streamId) };
    case FRAME_TYPE.RST_STREAM:
      requireStream(streamId, "RST_STREAM");
      requireLength(payload, 4, "RST_STREAM");
      return { type: "rst_stream", streamId, errorCode: uint32(payload, 0) };
    case FRAME_TYPE.SETTINGS: {
      requireConnection(streamId, "SETTINGS");
      const ack = (flags & FLAG.ACK) !== 0;
      if (ack) requireLength(payload, 0, "SETTINGS with ACK");
      return { type: "settings", ack, settings: settingsOf(payload) };
    }
    case FRAME_TYPE.PUSH_PROMISE: {
      requireStream(streamId, "PUSH_PROMISE");
      const content = unpadded(payload, flags, 4, "PUSH_PROMISE");
      return {
        type: "push_promise",
        streamId,
        promisedStreamId: uint31(content, 0),
        fragment: content.subarray(4),
        endHeaders: (flags & FLAG.END_HEADERS) !== 0,
      };
    }
    case FRAME_TYPE.PING:
      requireConnection(streamId, "PING");
      requireLength(payload, 8, "PING");
      return { type: "ping", ack: (flags & FLAG.ACK) !== 0, opaqueData: payload };
    case FRAME_TYPE.GOAWAY:
      requireConnection(streamId, "GOAWAY");
      if (payload.length < 8) {
        throw frameError("H2_INVALID_FRAME_LENGTH", "GOAWAY payload shorter than 8 octets");
      }
      return {
        type: "goaway",
        lastStreamId: uint31(payload, 0),
        errorCode: uint32(payload, 4),
        debugData: payload.subarray(8),
      };
    case FRAME_TYPE.WINDOW_UPDATE: {
      requireLength(payload, 4, "WINDOW_UPDATE");
      const increment = uint31(payload, 0);
      if (increment === 0) {
        throw frameError("H2_ZERO_WINDOW_INCREMENT", `WINDOW_UPDATE of 0 on stream ${streamId}`);
      }
      return { type: "window_update", streamId, increment };
    }
    case FRAME_TYPE.CONTINUATION:
      requireStream(streamId, "CONTINUATION");
      return {
        type: "continuation",
        streamId,
        fragment: payload,
        endHeaders: (flags & FLAG.END_HEADERS) !== 0,
      };
    default:
      return { type: "unknown", frameType, flags, streamId, payload };
  }
}

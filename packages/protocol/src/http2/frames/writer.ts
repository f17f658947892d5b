import { concatBytes, EMPTY_BYTES } from "../../bytes.ts";
import {
  DEFAULT_MAX_FRAME_SIZE,
  FLAG,
  FRAME_HEADER_LENGTH,
  FRAME_TYPE,
  MAX_FRAME_SIZE_LIMIT,
  MAX_STREAM_ID,
} from "./constants.ts";
import { type FrameErrorCode, frameUsageError } from "./errors.ts";
import { checkSetting } from "./payloads.ts";
import type { PrioritySpec, SettingPair } from "./types.ts";

/**
 * Options of {@link FrameWriter.data}.
 *
 * @example
 * ```ts
 * const options: DataFrameOptions = { endStream: true, padLength: 0 };
 * ```
 */
export interface DataFrameOptions {
  endStream?: boolean;
  /** Padding octets (0–255); any value, 0 included, sets PADDED. */
  padLength?: number;
}

/**
 * Options of {@link FrameWriter.headers}.
 *
 * @example
 * ```ts
 * const options: HeadersFrameOptions = { endStream: true };
 * ```
 */
export interface HeadersFrameOptions extends DataFrameOptions {
  priority?: PrioritySpec;
}

const fail = (code: FrameErrorCode | "INVALID_OPTION", message: string): Error =>
  frameUsageError(code, message);

function checkStreamId(streamId: number, what: string, allowZero = false): void {
  if (!Number.isInteger(streamId) || streamId < (allowZero ? 0 : 1) || streamId > MAX_STREAM_ID) {
    throw fail(
      "H2_INVALID_STREAM_ID",
      `${what} needs a stream id in [${allowZero ? 0 : 1}, 2^31 - 1], got ${streamId}`,
    );
  }
}

function checkUint32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw fail("INVALID_OPTION", `${what} must be an integer in [0, 2^32 - 1]`);
  }
}

function writeUint32(target: Uint8Array, at: number, value: number): void {
  target[at] = value >>> 24;
  target[at + 1] = (value >>> 16) & 0xff;
  target[at + 2] = (value >>> 8) & 0xff;
  target[at + 3] = value & 0xff;
}

/**
 * Writes HTTP/2 frames (RFC 9113 §6), checking each against the protocol
 * and the peer's SETTINGS_MAX_FRAME_SIZE before producing any octet; a
 * refusal is a `LocalProtocolError` with a {@link FrameErrorCode}. Every
 * method returns fresh octets (payloads are copied in).
 *
 * @example
 * ```ts
 * const writer = new FrameWriter();
 * writer.settings([[0x2, 0]]); // SETTINGS, ENABLE_PUSH = 0
 * writer.data(1, new TextEncoder().encode("hi"), { endStream: true });
 * ```
 */
export class FrameWriter {
  #maxFrameSize = DEFAULT_MAX_FRAME_SIZE;

  /** The peer's SETTINGS_MAX_FRAME_SIZE: the largest payload this writer produces. */
  get maxFrameSize(): number {
    return this.#maxFrameSize;
  }

  /** Applies the peer's SETTINGS_MAX_FRAME_SIZE. */
  setMaxFrameSize(maxFrameSize: number): void {
    if (
      !Number.isInteger(maxFrameSize) ||
      maxFrameSize < DEFAULT_MAX_FRAME_SIZE ||
      maxFrameSize > MAX_FRAME_SIZE_LIMIT
    ) {
      throw fail("INVALID_OPTION", "maxFrameSize must be an integer in [2^14, 2^24 - 1]");
    }
    this.#maxFrameSize = maxFrameSize;
  }

  /** A DATA frame; the caller splits bodies to the window and the frame size. */
  data(streamId: number, data: Uint8Array, options: DataFrameOptions = {}): Uint8Array {
    checkStreamId(streamId, "DATA");
    const flags = options.endStream ? FLAG.END_STREAM : 0;
    return this.#padded(FRAME_TYPE.DATA, flags, streamId, EMPTY_BYTES, data, options.padLength);
  }

  /**
   * A header block: one HEADERS frame, followed by CONTINUATION frames when
   * the block does not fit in one frame. END_HEADERS is set on the last.
   */
  headers(streamId: number, block: Uint8Array, options: HeadersFrameOptions = {}): Uint8Array {
    checkStreamId(streamId, "HEADERS");
    let flags = options.endStream ? FLAG.END_STREAM : 0;
    let prefix = EMPTY_BYTES;
    if (options.priority !== undefined) {
      flags |= FLAG.PRIORITY;
      prefix = priorityOctets(options.priority, streamId);
    }
    const padOverhead = options.padLength === undefined ? 0 : 1 + options.padLength;
    const room = this.#maxFrameSize - prefix.length - padOverhead;
    if (room < 0) throw fail("H2_INVALID_PADDING", "padding leaves no room in the frame");
    const first = block.subarray(0, room);
    if (first.length === block.length) flags |= FLAG.END_HEADERS;
    const frames = [
      this.#padded(FRAME_TYPE.HEADERS, flags, streamId, prefix, first, options.padLength),
    ];
    for (let at = first.length; at < block.length; at += this.#maxFrameSize) {
      const fragment = block.subarray(at, at + this.#maxFrameSize);
      const last = at + fragment.length === block.length;
      frames.push(this.continuation(streamId, fragment, last));
    }
    return concatBytes(frames);
  }

  /** A CONTINUATION frame (normally written by {@link headers}). */
  continuation(streamId: number, fragment: Uint8Array, endHeaders: boolean): Uint8Array {
    checkStreamId(streamId, "CONTINUATION");
    const flags = endHeaders ? FLAG.END_HEADERS : 0;
    return this.#frame(FRAME_TYPE.CONTINUATION, flags, streamId, EMPTY_BYTES, fragment, 0);
  }

  /** A PRIORITY frame. */
  priority(streamId: number, priority: PrioritySpec): Uint8Array {
    checkStreamId(streamId, "PRIORITY");
    return this.#frame(FRAME_TYPE.PRIORITY, 0, streamId, priorityOctets(priority, streamId));
  }

  /** An RST_STREAM frame with an error code (see HTTP2_ERROR). */
  rstStream(streamId: number, errorCode: number): Uint8Array {
    checkStreamId(streamId, "RST_STREAM");
    checkUint32(errorCode, "error code");
    const payload = new Uint8Array(4);
    writeUint32(payload, 0, errorCode);
    return this.#frame(FRAME_TYPE.RST_STREAM, 0, streamId, payload);
  }

  /** A SETTINGS frame with these parameters, in order (known values are range-checked). */
  settings(settings: readonly SettingPair[]): Uint8Array {
    const payload = new Uint8Array(settings.length * 6);
    settings.forEach(([identifier, value], i) => {
      if (!Number.isInteger(identifier) || identifier < 0 || identifier > 0xffff) {
        throw fail("H2_INVALID_SETTING", `setting identifier ${identifier} is not 16-bit`);
      }
      checkUint32(value, `setting ${identifier}`);
      checkSetting(identifier, value, fail);
      payload[i * 6] = identifier >> 8;
      payload[i * 6 + 1] = identifier & 0xff;
      writeUint32(payload, i * 6 + 2, value);
    });
    return this.#frame(FRAME_TYPE.SETTINGS, 0, 0, payload);
  }

  /** The empty SETTINGS frame with ACK that acknowledges the peer's SETTINGS. */
  settingsAck(): Uint8Array {
    return this.#frame(FRAME_TYPE.SETTINGS, FLAG.ACK, 0, EMPTY_BYTES);
  }

  /** A PUSH_PROMISE frame (servers only; here for tests and test servers). */
  pushPromise(
    streamId: number,
    promisedStreamId: number,
    fragment: Uint8Array,
    options: { endHeaders?: boolean; padLength?: number } = {},
  ): Uint8Array {
    checkStreamId(streamId, "PUSH_PROMISE");
    checkStreamId(promisedStreamId, "PUSH_PROMISE's promised stream");
    const prefix = new Uint8Array(4);
    writeUint32(prefix, 0, promisedStreamId);
    const flags = options.endHeaders === false ? 0 : FLAG.END_HEADERS;
    return this.#padded(
      FRAME_TYPE.PUSH_PROMISE,
      flags,
      streamId,
      prefix,
      fragment,
      options.padLength,
    );
  }

  /** A PING frame with 8 octets of opaque data (an ACK echoes the peer's). */
  ping(opaqueData: Uint8Array, ack = false): Uint8Array {
    if (opaqueData.length !== 8) {
      throw fail("H2_INVALID_FRAME_LENGTH", `PING data of ${opaqueData.length} octets, not 8`);
    }
    return this.#frame(FRAME_TYPE.PING, ack ? FLAG.ACK : 0, 0, opaqueData);
  }

  /** A GOAWAY frame. */
  goaway(lastStreamId: number, errorCode: number, debugData: Uint8Array = EMPTY_BYTES): Uint8Array {
    checkStreamId(lastStreamId, "GOAWAY's last stream", true);
    checkUint32(errorCode, "error code");
    const prefix = new Uint8Array(8);
    writeUint32(prefix, 0, lastStreamId);
    writeUint32(prefix, 4, errorCode);
    return this.#frame(FRAME_TYPE.GOAWAY, 0, 0, prefix, debugData);
  }

  /** A WINDOW_UPDATE frame; stream 0 is the connection's window. */
  windowUpdate(streamId: number, increment: number): Uint8Array {
    checkStreamId(streamId, "WINDOW_UPDATE", true);
    if (!Number.isInteger(increment) || increment < 1 || increment > MAX_STREAM_ID) {
      throw fail("H2_ZERO_WINDOW_INCREMENT", `window increment ${increment} not in [1, 2^31 - 1]`);
    }
    const payload = new Uint8Array(4);
    writeUint32(payload, 0, increment);
    return this.#frame(FRAME_TYPE.WINDOW_UPDATE, 0, streamId, payload);
  }

  /** A frame of any type with a raw payload (for tests and hostile test servers). */
  raw(frameType: number, flags: number, streamId: number, payload: Uint8Array): Uint8Array {
    checkStreamId(streamId, "a frame", true);
    return this.#frame(frameType & 0xff, flags & 0xff, streamId, EMPTY_BYTES, payload);
  }

  #padded(
    frameType: number,
    flags: number,
    streamId: number,
    prefix: Uint8Array,
    content: Uint8Array,
    padLength: number | undefined,
  ): Uint8Array {
    if (padLength === undefined) return this.#frame(frameType, flags, streamId, prefix, content);
    if (!Number.isInteger(padLength) || padLength < 0 || padLength > 255) {
      throw fail("H2_INVALID_PADDING", `padding of ${padLength} octets, not in [0, 255]`);
    }
    const head = new Uint8Array(1 + prefix.length);
    head[0] = padLength;
    head.set(prefix, 1);
    return this.#frame(frameType, flags | FLAG.PADDED, streamId, head, content, padLength);
  }

  /** Header, then `prefix`, `content` and `padding` zero octets as the payload. */
  #frame(
    frameType: number,
    flags: number,
    streamId: number,
    prefix: Uint8Array,
    content: Uint8Array = EMPTY_BYTES,
    padding = 0,
  ): Uint8Array {
    const length = prefix.length + content.length + padding;
    if (length > this.#maxFrameSize) {
      throw fail(
        "H2_FRAME_TOO_LARGE",
        `payload of ${length} octets, above the peer's SETTINGS_MAX_FRAME_SIZE ${this.#maxFrameSize}`,
      );
    }
    const out = new Uint8Array(FRAME_HEADER_LENGTH + length);
    out[0] = length >>> 16;
    out[1] = (length >>> 8) & 0xff;
    out[2] = length & 0xff;
    out[3] = frameType;
    out[4] = flags;
    writeUint32(out, 5, streamId);
    out.set(prefix, FRAME_HEADER_LENGTH);
    out.set(content, FRAME_HEADER_LENGTH + prefix.length);
    return out;
  }
}

function priorityOctets(priority: PrioritySpec, streamId: number): Uint8Array {
  const { exclusive, dependency, weight } = priority;
  if (!Number.isInteger(dependency) || dependency < 0 || dependency > MAX_STREAM_ID) {
    throw fail("H2_INVALID_STREAM_ID", `dependency ${dependency} not in [0, 2^31 - 1]`);
  }
  if (dependency === streamId) throw fail("H2_SELF_DEPENDENCY", `stream ${streamId} on itself`);
  if (!Number.isInteger(weight) || weight < 1 || weight > 256) {
    throw fail("INVALID_OPTION", `priority weight ${weight} not in [1, 256]`);
  }
  const out = new Uint8Array(5);
  writeUint32(out, 0, dependency);
  if (exclusive) out[0] = out[0]! | 0x80;
  out[4] = weight - 1;
  return out;
}

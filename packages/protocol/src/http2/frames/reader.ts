import { EMPTY_BYTES } from "../../bytes.ts";
import type { ProtocolError } from "../../errors.ts";
import { NEED_DATA, type NeedData } from "../../need-data.ts";
import { ByteQueue } from "../../websocket/byte-queue.ts";
import {
  DEFAULT_MAX_FRAME_SIZE,
  FRAME_HEADER_LENGTH,
  FRAME_TYPE,
  MAX_FRAME_SIZE_LIMIT,
} from "./constants.ts";
import { frameError, frameUsageError } from "./errors.ts";
import { parseDataPieces, parseFrame } from "./payloads.ts";
import type { Http2Frame } from "./types.ts";

/**
 * Options of {@link FrameReader}.
 *
 * @example
 * ```ts
 * const options: FrameReaderOptions = { maxFrameSize: 16_384 };
 * ```
 */
export interface FrameReaderOptions {
  /** The SETTINGS_MAX_FRAME_SIZE this side announced. Default 16384. */
  maxFrameSize?: number;
  /**
   * A DATA frame whose payload straddles received chunks comes as views of
   * its pieces (`more`) instead of one joined copy. Its frames then depend
   * on how the octets were split (their data, joined, does not). Default false.
   */
  dataPieces?: boolean;
}

function checkMaxFrameSize(value: number): number {
  if (!Number.isInteger(value) || value < DEFAULT_MAX_FRAME_SIZE || value > MAX_FRAME_SIZE_LIMIT) {
    throw frameUsageError("INVALID_OPTION", "maxFrameSize must be an integer in [2^14, 2^24 - 1]");
  }
  return value;
}

/**
 * Splits received octets into HTTP/2 frames (RFC 9113 §4), whatever the
 * chunking: any split of the same octets gives the same frames. A frame longer
 * than the announced SETTINGS_MAX_FRAME_SIZE is refused from its 9-octet
 * header, before its payload is buffered. Errors are `RemoteProtocolError`s
 * with a {@link FrameErrorCode}, and stick: every later call rethrows.
 *
 * The client connection preface is not read here (a client sends it; the
 * server's preface is its first frame, SETTINGS).
 *
 * @example
 * ```ts
 * const reader = new FrameReader();
 * reader.receiveData(Uint8Array.of(0, 0, 0, 4, 1, 0, 0, 0, 0)); // SETTINGS with ACK
 * reader.nextFrame(); // { type: "settings", ack: true, settings: [] }
 * reader.nextFrame(); // NEED_DATA
 * ```
 */
export class FrameReader {
  readonly #queue = new ByteQueue();
  /** The current frame's 9-octet header, copied out of the queue. */
  readonly #header = new Uint8Array(FRAME_HEADER_LENGTH);
  #maxFrameSize: number;
  readonly #dataPieces: boolean;
  #failure: ProtocolError | undefined;

  constructor(options: FrameReaderOptions = {}) {
    this.#maxFrameSize = checkMaxFrameSize(options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
    this.#dataPieces = options.dataPieces === true;
  }

  /** Applies a new SETTINGS_MAX_FRAME_SIZE of this side, once the peer acknowledged it. */
  setMaxFrameSize(maxFrameSize: number): void {
    this.#maxFrameSize = checkMaxFrameSize(maxFrameSize);
  }

  /** Octets received and not yet returned as frames. */
  get buffered(): number {
    return this.#queue.length;
  }

  /**
   * Drops every octet buffered (after a connection error nothing more is
   * read, so nothing needs keeping); later octets start a new frame.
   */
  discard(): void {
    this.#queue.clear();
  }

  /** Adds received octets; the reader keeps views of them until their frames are returned. */
  receiveData(bytes: Uint8Array): void {
    this.#queue.push(bytes);
  }

  /** The next whole frame, or `NEED_DATA` when more octets are needed. */
  nextFrame(): Http2Frame | NeedData {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      return this.#next();
    } catch (error) {
      this.#failure = error as ProtocolError;
      throw error;
    }
  }

  #next(): Http2Frame | NeedData {
    const queue = this.#queue;
    if (queue.length < FRAME_HEADER_LENGTH) return NEED_DATA;
    const header = this.#header;
    const front = queue.front();
    const at = queue.frontOffset;
    if (front.length - at >= FRAME_HEADER_LENGTH) {
      for (let i = 0; i < FRAME_HEADER_LENGTH; i++) header[i] = front[at + i]!;
    } else {
      for (let i = 0; i < FRAME_HEADER_LENGTH; i++) header[i] = queue.peek(i);
    }
    const length = (header[0]! << 16) | (header[1]! << 8) | header[2]!;
    if (length > this.#maxFrameSize) {
      throw frameError(
        "H2_FRAME_TOO_LARGE",
        `frame of ${length} octets, above SETTINGS_MAX_FRAME_SIZE ${this.#maxFrameSize}`,
      );
    }
    if (queue.length < FRAME_HEADER_LENGTH + length) return NEED_DATA;
    // The reserved bit is ignored on receipt (§4.1).
    const streamId =
      (header[5]! & 0x7f) * 0x1000000 + ((header[6]! << 16) | (header[7]! << 8) | header[8]!);
    queue.skip(FRAME_HEADER_LENGTH);
    if (
      this.#dataPieces &&
      header[3] === FRAME_TYPE.DATA &&
      length > 0 &&
      queue.front().length - queue.frontOffset < length
    ) {
      // Straddles chunks: views of its pieces, not a joined copy.
      const pieces: Uint8Array[] = [];
      for (let left = length; left > 0; ) {
        const piece = queue.takeSome(left);
        pieces.push(piece);
        left -= piece.length;
      }
      return parseDataPieces(header[4]!, streamId, pieces, length);
    }
    const payload = length === 0 ? EMPTY_BYTES : queue.take(length);
    return parseFrame(header[3]!, header[4]!, streamId, payload);
  }
}

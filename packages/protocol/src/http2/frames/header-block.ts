import { concatBytes } from "../../bytes.ts";
import { frameError, frameUsageError } from "./errors.ts";
import type { Http2Frame } from "./types.ts";

/**
 * Options of {@link HeaderBlockJoiner}.
 *
 * @example
 * ```ts
 * const options: HeaderBlockJoinerOptions = { maxHeaderBlockSize: 64 * 1024 };
 * ```
 */
export interface HeaderBlockJoinerOptions {
  /** Largest header block (HEADERS or PUSH_PROMISE fragment plus CONTINUATIONs), encoded. Default 64 KiB. */
  maxHeaderBlockSize?: number;
  /** Most CONTINUATION frames one block may take. Default 128. */
  maxContinuationFrames?: number;
}

type BlockStart = Extract<Http2Frame, { type: "headers" } | { type: "push_promise" }>;

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw frameUsageError("INVALID_OPTION", `${name} must be a positive integer`);
  }
  return value;
}

/**
 * Joins a HEADERS or PUSH_PROMISE frame and its CONTINUATIONs into one frame
 * carrying the whole header block (RFC 9113 §4.3, §6.10), so the HPACK
 * decoder sees whole blocks only. Refuses, as connection errors: any other
 * frame while a block is open (`H2_EXPECTED_CONTINUATION`), a CONTINUATION
 * with no open block (`H2_UNEXPECTED_CONTINUATION`), and a CONTINUATION flood
 * — a block above `maxHeaderBlockSize` or with more than
 * `maxContinuationFrames` frames (`H2_HEADER_BLOCK_TOO_LARGE`), checked frame
 * by frame, before the block is kept.
 *
 * @example
 * ```ts
 * const joiner = new HeaderBlockJoiner();
 * const reader = new FrameReader();
 * reader.receiveData(bytes);
 * for (let f = reader.nextFrame(); f !== NEED_DATA; f = reader.nextFrame()) {
 *   const frame = joiner.accept(f); // undefined while a block is still open
 *   if (frame?.type === "headers") console.log(frame.fragment.length, "octets of HPACK");
 * }
 * ```
 */
export class HeaderBlockJoiner {
  readonly #maxBlockSize: number;
  readonly #maxContinuations: number;
  #open: BlockStart | undefined;
  #fragments: Uint8Array[] = [];
  #size = 0;

  constructor(options: HeaderBlockJoinerOptions = {}) {
    this.#maxBlockSize = positiveInteger(
      "maxHeaderBlockSize",
      options.maxHeaderBlockSize ?? 65_536,
    );
    this.#maxContinuations = positiveInteger(
      "maxContinuationFrames",
      options.maxContinuationFrames ?? 128,
    );
  }

  /** Whether a header block is open (waiting for CONTINUATION frames). */
  get inBlock(): boolean {
    return this.#open !== undefined;
  }

  /** Octets of the open header block kept so far (0 with none open); never above `maxHeaderBlockSize`. */
  get bufferedLength(): number {
    return this.#size;
  }

  /** Drops an open header block (after a connection error nothing more is read). */
  discard(): void {
    this.#open = undefined;
    this.#fragments = [];
    this.#size = 0;
  }

  /**
   * The frame to act on: `frame` itself, a HEADERS or PUSH_PROMISE frame with
   * the whole block as `fragment` and `endHeaders` true, or `undefined` when
   * `frame` only started or continued a block that is not finished.
   */
  accept(frame: Http2Frame): Http2Frame | undefined {
    const open = this.#open;
    if (open === undefined) {
      if (frame.type === "continuation") {
        throw frameError(
          "H2_UNEXPECTED_CONTINUATION",
          `CONTINUATION on stream ${frame.streamId} with no header block open`,
        );
      }
      if ((frame.type !== "headers" && frame.type !== "push_promise") || frame.endHeaders) {
        return frame;
      }
      this.#check(frame.fragment.length, 0);
      this.#open = frame;
      this.#fragments = [frame.fragment];
      this.#size = frame.fragment.length;
      return undefined;
    }
    if (frame.type !== "continuation" || frame.streamId !== open.streamId) {
      throw frameError(
        "H2_EXPECTED_CONTINUATION",
        `${frame.type} frame while the header block of stream ${open.streamId} is open`,
      );
    }
    this.#check(this.#size + frame.fragment.length, this.#fragments.length);
    this.#fragments.push(frame.fragment);
    this.#size += frame.fragment.length;
    if (!frame.endHeaders) return undefined;
    const fragment = concatBytes(this.#fragments);
    this.#open = undefined;
    this.#fragments = [];
    this.#size = 0;
    return { ...open, fragment, endHeaders: true };
  }

  #check(size: number, continuations: number): void {
    if (size > this.#maxBlockSize) {
      throw frameError(
        "H2_HEADER_BLOCK_TOO_LARGE",
        `header block above ${this.#maxBlockSize} octets`,
      );
    }
    if (continuations > this.#maxContinuations) {
      throw frameError(
        "H2_HEADER_BLOCK_TOO_LARGE",
        `header block in more than ${this.#maxContinuations} CONTINUATION frames`,
      );
    }
  }
}

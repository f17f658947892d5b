import { EMPTY_BYTES } from "../bytes.ts";

/**
 * Bytes received from the peer and not yet consumed.
 *
 * When everything was consumed, a new chunk is adopted as is (no copy), so body
 * data can be handed out as views of the caller's chunks. Only a partial head
 * or framing line left over from a previous chunk is ever copied, into a
 * growable array so that byte-by-byte feeding stays linear.
 */
export class ReceiveBuffer {
  /** Backing bytes; the unconsumed part is `bytes[start, end)`. */
  bytes: Uint8Array = EMPTY_BYTES;
  start = 0;
  end = 0;
  /** Whether `bytes` is ours (may be appended to in place) or the caller's chunk. */
  #owned = false;

  get length(): number {
    return this.end - this.start;
  }

  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.start === this.end) {
      this.bytes = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.#owned = false;
      return;
    }
    // In-place append never touches bytes before `end`, so views handed out
    // earlier stay valid.
    if (this.#owned && this.bytes.length - this.end >= chunk.length) {
      this.bytes.set(chunk, this.end);
      this.end += chunk.length;
      return;
    }
    const kept = this.end - this.start;
    const needed = kept + chunk.length;
    const grown = new Uint8Array(Math.max(needed, kept * 2, 1024));
    grown.set(this.bytes.subarray(this.start, this.end), 0);
    grown.set(chunk, kept);
    this.bytes = grown;
    this.start = 0;
    this.end = needed;
    this.#owned = true;
  }

  /**
   * Lets go of a fully consumed chunk, so that an idle connection does not
   * keep its last read alive (see HttpConnection.startNextCycle).
   */
  releaseConsumed(): void {
    if (this.start !== this.end) return;
    this.bytes = EMPTY_BYTES;
    this.start = 0;
    this.end = 0;
    this.#owned = false;
  }

  /** Consumes up to `max` bytes and returns them as a view. */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.end - this.start);
    const view = this.bytes.subarray(this.start, this.start + n);
    this.start += n;
    return view;
  }

  /** Consumes everything and returns it as a view. */
  takeAll(): Uint8Array {
    return this.take(this.end - this.start);
  }

  /**
   * Index (absolute, into `bytes`) of the next LF in `bytes[from, end)`, or -1.
   * The search stops at `end`: a grown array has spare room after it, and
   * searching that on every drip-fed piece made the cost quadratic.
   */
  indexOfLF(from: number): number {
    if (this.end === this.bytes.length) return this.bytes.indexOf(0x0a, from);
    const i = this.bytes.subarray(from, this.end).indexOf(0x0a);
    return i === -1 ? -1 : from + i;
  }
}

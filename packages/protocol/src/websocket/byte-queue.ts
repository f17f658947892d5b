const EMPTY = new Uint8Array(0);

/** Slots an emptied queue keeps for reuse. */
const MAX_IDLE_SLOTS = 64;

/**
 * A FIFO of received chunks. Reads hand out views into the chunks (no copy)
 * whenever the bytes sit in one chunk, which is the common case for payloads.
 */
export class ByteQueue {
  /**
   * Slots `[#head, #tail)` hold the queued chunks. Slots are reused: a spent
   * one is cleared (so its chunk can be collected) and the array is not
   * emptied with `length = 0`, which is a call into V8's runtime and frees the
   * backing store that the next push then grows again: reading a 16 B
   * WebSocket frame, 2,260 → 1,581 user-space instructions (`node
   * scripts/ws-frame-costs.mjs` in apps/bench, results/2026-12-07-ws-margin.md).
   */
  #chunks: Uint8Array[] = [];
  #head = 0;
  #tail = 0;
  #offset = 0;
  #length = 0;

  /** Bytes buffered. */
  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks[this.#tail++] = chunk;
    this.#length += chunk.length;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#tail = 0;
    this.#offset = 0;
    this.#length = 0;
  }

  /** The byte at `index` from the front; the caller checks `index < length`. */
  peek(index: number): number {
    let i = this.#head;
    let at = this.#offset + index;
    let chunk = this.#chunks[i]!;
    while (at >= chunk.length) {
      at -= chunk.length;
      chunk = this.#chunks[++i]!;
    }
    return chunk[at]!;
  }

  /** The front chunk and the offset of the first unread byte in it (length > 0). */
  front(): Uint8Array {
    return this.#chunks[this.#head]!;
  }

  get frontOffset(): number {
    return this.#offset;
  }

  /** Unread bytes in the front chunk (0 when empty). */
  get frontLeft(): number {
    return this.#head === this.#tail ? 0 : this.#chunks[this.#head]!.length - this.#offset;
  }

  /** Drops `count` bytes from the front (count ≤ length). */
  skip(count: number): void {
    this.#length -= count;
    while (count > 0) {
      const chunk = this.#chunks[this.#head]!;
      const left = chunk.length - this.#offset;
      if (count < left) {
        this.#offset += count;
        return;
      }
      count -= left;
      this.#advance();
    }
  }

  /**
   * Up to `max` bytes from the front chunk, as a view (never crosses chunks).
   * The caller checks `length > 0`.
   */
  takeSome(max: number): Uint8Array {
    const chunk = this.#chunks[this.#head]!;
    const start = this.#offset;
    const left = chunk.length - start;
    if (max < left) {
      this.#offset = start + max;
      this.#length -= max;
      return chunk.subarray(start, start + max);
    }
    this.#length -= left;
    this.#advance();
    return start === 0 ? chunk : chunk.subarray(start);
  }

  /** Exactly `count` bytes (count ≤ length): a view when contiguous, else a copy. */
  take(count: number): Uint8Array {
    const first = this.takeSome(count);
    if (first.length === count) return first;
    const out = new Uint8Array(count);
    out.set(first);
    let filled = first.length;
    while (filled < count) {
      const piece = this.takeSome(count - filled);
      out.set(piece, filled);
      filled += piece.length;
    }
    return out;
  }

  #advance(): void {
    this.#chunks[this.#head++] = EMPTY;
    this.#offset = 0;
    if (this.#head === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
      // A burst that queued many chunks does not keep its slots forever.
      if (this.#chunks.length > MAX_IDLE_SLOTS) this.#chunks = [];
    } else if (this.#head >= 1024) {
      // Compact now and then so a long-lived queue does not keep dead slots.
      this.#chunks = this.#chunks.slice(this.#head, this.#tail);
      this.#tail -= this.#head;
      this.#head = 0;
    }
  }
}

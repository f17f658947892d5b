import { EMPTY_BYTES } from "./bytes.ts";

const SLAB_SIZE = 16 * 1024;

/**
 * Small outgoing byte arrays (message heads) cut from a shared slab.
 *
 * A `new Uint8Array(n)` above V8's on-heap limit (64 bytes) is an off-heap
 * allocation: for a ~100-byte request head it cost more than writing the head
 * (about 0.7 µs against 0.1 µs for a view of a slab). Each array handed out is
 * a view of its own bytes, which are never written again: later ones go after
 * it, and a full slab is left to the views that still point into it (the
 * garbage collector frees it with the last one). So a caller may keep a view
 * as long as it likes, e.g. while the transport writes it.
 *
 * Use is synchronous: {@link reserve}, write into {@link bytes}, then
 * {@link take}; anything written but not taken is overwritten by the next
 * reservation (a head refused half-way leaves no trace).
 */
export class ByteSlab {
  /** The array to write into, from the offset {@link reserve} returned. */
  bytes: Uint8Array = EMPTY_BYTES;
  /** `bytes.buffer`, kept: the getter is a call into the runtime each time. */
  #buffer: ArrayBufferLike = EMPTY_BYTES.buffer;
  #used = 0;

  /** Makes `size` bytes writable in {@link bytes} and returns the offset they start at. */
  reserve(size: number): number {
    if (this.bytes.length - this.#used < size) this.#fresh(size);
    return this.#used;
  }

  /**
   * Makes `size` bytes writable from a reservation's start, keeping what was
   * written so far (`bytes[start, written)`): when the slab ends too soon, that
   * part moves to the start of a fresh slab. Returns the (new) start.
   */
  grow(start: number, written: number, size: number): number {
    if (start + size <= this.bytes.length) return start;
    const kept = this.bytes.subarray(start, written);
    this.#fresh(size);
    this.bytes.set(kept, 0);
    return 0;
  }

  #fresh(size: number): void {
    this.bytes = new Uint8Array(Math.max(SLAB_SIZE, size));
    this.#buffer = this.bytes.buffer;
    this.#used = 0;
  }

  /** Hands out `bytes[start, end)` (written since {@link reserve}); later reservations come after it. */
  take(start: number, end: number): Uint8Array {
    this.#used = end;
    // A view built on the kept buffer (the slab starts at its offset 0) costs
    // less than `subarray` (species lookup, then the same construction): 16 B
    // WebSocket send, 1,241 → 1,091 user-space instructions (`node
    // scripts/ws-frame-costs.mjs` in apps/bench, results/2026-12-07-ws-margin.md).
    return new Uint8Array(this.#buffer, start, end - start);
  }
}

/** The slab outgoing HTTP heads are written into. */
export const HEAD_SLAB: ByteSlab = new ByteSlab();

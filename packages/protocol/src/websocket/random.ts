/**
 * Randomness for masking keys and `Sec-WebSocket-Key`. Injectable, so tests
 * are deterministic and runtimes without a global `crypto` can plug one in.
 */

/**
 * Fills `buffer` with cryptographically strong random bytes.
 *
 * @example
 * ```ts
 * import type { RandomSource } from "@reqivo/protocol";
 * const zeros: RandomSource = (buffer) => buffer.fill(0); // tests only!
 * ```
 */
export type RandomSource = (buffer: Uint8Array) => void;

/** `crypto.getRandomValues`, the default {@link RandomSource}. */
export const defaultRandomSource: RandomSource = (buffer) => {
  crypto.getRandomValues(buffer);
};

const POOL_SIZE = 1024;

/**
 * Hands out 4-byte masking keys from a pool refilled in bulk: one
 * `getRandomValues` call per 256 frames instead of one per frame. Every key
 * is fresh: pool bytes are never handed out twice.
 */
export class MaskKeyPool {
  readonly #random: RandomSource;
  // Allocated on first use: a connection that never sends costs nothing here.
  #pool: Uint8Array | undefined;
  #position = POOL_SIZE;

  constructor(random: RandomSource) {
    this.#random = random;
  }

  /** Writes the next 4 random bytes into `target` at `offset`. */
  next(target: Uint8Array, offset: number): void {
    let pool = this.#pool;
    if (pool === undefined || this.#position === POOL_SIZE) {
      pool ??= this.#pool = new Uint8Array(POOL_SIZE);
      this.#random(pool);
      this.#position = 0;
    }
    const p = this.#position;
    target[offset] = pool[p]!;
    target[offset + 1] = pool[p + 1]!;
    target[offset + 2] = pool[p + 2]!;
    target[offset + 3] = pool[p + 3]!;
    this.#position = p + 4;
  }
}

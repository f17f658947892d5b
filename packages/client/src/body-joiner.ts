/**
 * Joins a response body's pieces into one array for `bytes()`. When the
 * protocol vouches for the body's length (an HTTP/2 response's
 * content-length, which the core checks the DATA total against), the array
 * is allocated at the first piece and each piece copied in as it is taken:
 * no list of pieces, and the chunks the pieces are views of (shared with
 * other streams' pieces) are let go at once instead of at the body's end.
 * Measured (GET 64 KiB over h2, `client-http2.bench.ts --allocations=5000
 * --scenario=get-64k-1c`): JS heap per request 22,308 → 21,824 bytes; CPU
 * per request unchanged within the noise, the copy costing what the join
 * did (apps/bench/results/2026-12-07-http2-round3.md, round 2).
 */

import { bytesToOverwrite, concatBytes } from "./connection/bytes.ts";

/** Lengths up to this are allocated up front; a larger claim is joined from its pieces as they come. */
const ALLOCATE_UP_FRONT_LIMIT = 1024 * 1024;

/**
 * Pieces in, one array out. More or fewer bytes than `expected` still join
 * correctly (a list once the array is full, a copy of what came when short).
 *
 * @example
 * ```ts
 * const joiner = new BodyJoiner(5);
 * joiner.add(new Uint8Array([1, 2]));
 * joiner.add(new Uint8Array([3, 4, 5]));
 * joiner.result(); // Uint8Array [1, 2, 3, 4, 5], allocated at the first add
 * ```
 */
export class BodyJoiner {
  readonly #expected: number;
  #pieces: Uint8Array[] | undefined;
  /** The array allocated up front, while pieces fit in it. */
  #out: Uint8Array | undefined;
  #total = 0;

  /** `expected`: the body's length when known (else `undefined`). */
  constructor(expected: number | undefined) {
    this.#expected = expected !== undefined && expected <= ALLOCATE_UP_FRONT_LIMIT ? expected : 0;
  }

  add(piece: Uint8Array): void {
    const length = piece.length;
    if (length === 0) return;
    const out = this.#out;
    if (out !== undefined) {
      if (this.#total + length <= out.length) {
        out.set(piece, this.#total);
        this.#total += length;
        return;
      }
      // More than promised: joined from a list after all.
      this.#out = undefined;
      this.#pieces = [out.subarray(0, this.#total)];
    } else if (this.#total === 0 && this.#expected > length) {
      // A body that came whole in its first piece needs no copy (the list path returns it as is).
      // Not zero-filled: every byte is written before the array is handed out (see result()).
      const fresh = bytesToOverwrite(this.#expected);
      fresh.set(piece);
      this.#out = fresh;
      this.#total = length;
      return;
    }
    (this.#pieces ??= []).push(piece);
    this.#total += length;
  }

  /** Everything added, as one array. */
  result(): Uint8Array {
    const out = this.#out;
    // Short of the promise: a copy of what came, never a view of memory not written.
    if (out !== undefined) return this.#total === out.length ? out : out.slice(0, this.#total);
    return this.#pieces === undefined ? new Uint8Array(0) : concatBytes(this.#pieces, this.#total);
  }
}

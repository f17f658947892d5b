/**
 * Byte arrays joined into one: the client's one place for it (request head and
 * body, a turn's HTTP/2 frames, a response body for `bytes()`).
 */

/**
 * `pieces` as one array: the first piece itself when it holds every byte (one
 * piece, or the rest empty), else a new array of `total` bytes.
 *
 * @example
 * ```ts
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(
  pieces: readonly Uint8Array[],
  total: number = totalLength(pieces),
): Uint8Array {
  const first = pieces[0];
  if (first === undefined) return new Uint8Array(0);
  if (first.length === total) return first;
  const out = bytesToOverwrite(total);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  // A `total` above the pieces' sum must not show memory never written.
  if (at < total) out.fill(0, at);
  return out;
}

/** Below this, a plain `new Uint8Array` (V8 zero-fills small arrays for next to nothing). */
const UNINITIALIZED_AT_LEAST = 4096;

/** `Buffer.allocUnsafeSlow` where the runtime has it (Node, Bun): memory that is not zero-filled. */
const allocUnsafeSlow = (
  globalThis as { Buffer?: { allocUnsafeSlow?: (size: number) => Uint8Array } }
).Buffer?.allocUnsafeSlow;

/**
 * A plain Uint8Array of `length` bytes, over an ArrayBuffer of its own, whose
 * content is undefined: for a caller that writes every byte before anyone
 * else sees the array (or hands out a copy of the written part only).
 * Skips the zero-fill where the runtime allows (Node, Bun); elsewhere it is
 * `new Uint8Array(length)`. Measured on GET 64 KiB over HTTP/2 (bytes()):
 * memset 72.4 k → 6.9 k instructions per request, all of the client's main
 * thread 1.855 M → 1.781 M (callgrind over `npx tsx
 * src/client-http2-costs.ts --paths=/64k --requests=1000` in apps/bench);
 * client CPU within the noise of a shared machine
 * (apps/bench/results/2026-12-07-h2-64k-round4.md).
 *
 * @example
 * ```ts
 * const out = bytesToOverwrite(8192);
 * out.fill(1); // every byte written before it is handed out
 * ```
 */
export function bytesToOverwrite(length: number): Uint8Array {
  if (length < UNINITIALIZED_AT_LEAST || allocUnsafeSlow === undefined) {
    return new Uint8Array(length);
  }
  const buffer = allocUnsafeSlow(length);
  // A plain Uint8Array (a Buffer's slice() is a view, not a copy).
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

function totalLength(pieces: readonly Uint8Array[]): number {
  let total = 0;
  for (const piece of pieces) total += piece.length;
  return total;
}

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
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function totalLength(pieces: readonly Uint8Array[]): number {
  let total = 0;
  for (const piece of pieces) total += piece.length;
  return total;
}

// The ways the verdict tests cut one byte string into pieces: whatever the cut,
// a reader must reach the same events and the same error code.

/** A named way to cut a byte string. */
export interface Splitting {
  name: string;
  pieces: Uint8Array[];
}

/** Cuts `bytes` before each of the given offsets (sorted, deduplicated, in range). */
export function cutAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  return cutAtPoints(
    bytes,
    [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length),
  );
}

/**
 * Cuts `bytes` at offsets taken modulo its length plus one, keeping the empty
 * pieces a cut at either end gives (a reader must take an empty piece too).
 * The fuzzers' and property tests' cut (apps/e2e imports it from here).
 */
export function cutModulo(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  return cutAtPoints(bytes, [...new Set(offsets.map((o) => o % (bytes.length + 1)))]);
}

function cutAtPoints(bytes: Uint8Array, points: number[]): Uint8Array[] {
  points.sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

/**
 * A small seeded generator (mulberry32), so random cuts and fuzz cases replay
 * from their seed (apps/e2e imports it from here).
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Whole, byte by byte, cut after every CR (so a CRLF straddles two pieces), and
 * `random` seeded random cuttings of up to 32 cuts each.
 */
export function splittings(bytes: Uint8Array, { seed = 1, random = 4 } = {}): Splitting[] {
  const crs: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0d) crs.push(i + 1);
  const out: Splitting[] = [
    { name: "whole", pieces: [bytes] },
    { name: "byte by byte", pieces: Array.from(bytes, (b) => Uint8Array.of(b)) },
    { name: "after every CR", pieces: cutAt(bytes, crs) },
  ];
  const next = prng(seed);
  for (let r = 0; r < random; r++) {
    const count = 1 + Math.floor(next() * 32);
    const offsets = Array.from({ length: count }, () => Math.floor(next() * bytes.length));
    out.push({ name: `random cuts (seed ${seed}, #${r})`, pieces: cutAt(bytes, offsets) });
  }
  return out;
}

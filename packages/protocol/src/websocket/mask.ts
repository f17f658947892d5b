/**
 * XOR masking (RFC 6455 §5.3), the hot loop of every client send. Large
 * payloads are masked a 32-bit word at a time over a 4-byte-aligned view.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Below this, building a Uint32Array view costs more than it saves.
const WORD_THRESHOLD = 64;

/**
 * XORs `length` bytes of `buffer` from `start` with the 4-byte key
 * `m0..m3`, the key phase starting at `phase` (0..3). In place.
 */
export function applyMask(
  buffer: Uint8Array,
  start: number,
  length: number,
  m0: number,
  m1: number,
  m2: number,
  m3: number,
  phase = 0,
): void {
  const key = [m0, m1, m2, m3];
  let i = 0;
  if (length >= WORD_THRESHOLD) {
    // Walk bytes until the absolute address is word-aligned, then use words.
    const absolute = buffer.byteOffset + start;
    const lead = (4 - (absolute & 3)) & 3;
    for (; i < lead; i++) buffer[start + i]! ^= key[(phase + i) & 3]!;
    const p = (phase + lead) & 3;
    const k0 = key[p]!;
    const k1 = key[(p + 1) & 3]!;
    const k2 = key[(p + 2) & 3]!;
    const k3 = key[(p + 3) & 3]!;
    const word = LITTLE_ENDIAN
      ? (k0 | (k1 << 8) | (k2 << 16) | (k3 << 24)) >>> 0
      : ((k0 << 24) | (k1 << 16) | (k2 << 8) | k3) >>> 0;
    const words = (length - lead) >>> 2;
    const view = new Uint32Array(buffer.buffer, absolute + lead, words);
    for (let w = 0; w < words; w++) view[w]! ^= word;
    i = lead + words * 4;
  }
  for (; i < length; i++) buffer[start + i]! ^= key[(phase + i) & 3]!;
}

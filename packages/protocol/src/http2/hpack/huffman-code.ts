/**
 * RFC 7541 Appendix B, the Huffman code, as bit lengths only: the code is
 * canonical (codes of one length are consecutive, in symbol order, and each
 * length starts where the shorter ones left off, shifted), so the lengths
 * determine every code. Symbols 0–255 are octets, 256 is EOS.
 */
// biome-ignore format: one row per 16 symbols, as the RFC lists them
const CODE_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 00–0f
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 10–1f
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // 20–2f
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // 30–3f
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // 40–4f
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 50–5f
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // 60–6f
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 70–7f
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 80–8f
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 90–9f
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // a0–af
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // b0–bf
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // c0–cf
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // d0–df
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // e0–ef
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // f0–ff
  30, // EOS (256)
];

/**
 * The symbol that marks the end of a string; its code (30 ones) must never
 * appear in a decoded string, only its first bits as padding.
 *
 * @example
 * ```ts
 * HUFFMAN_LENGTHS[EOS]; // 30
 * ```
 */
export const EOS = 256;

/**
 * Code of each symbol, right-aligned (`HUFFMAN_CODES[s]` has `HUFFMAN_LENGTHS[s]` bits).
 *
 * @example
 * ```ts
 * HUFFMAN_CODES[0x61]; // 0x3: "a" is 00011
 * ```
 */
export const HUFFMAN_CODES: Uint32Array = new Uint32Array(EOS + 1);

/**
 * Bit length of each symbol's code (5 to 30).
 *
 * @example
 * ```ts
 * HUFFMAN_LENGTHS[0x61]; // 5
 * ```
 */
export const HUFFMAN_LENGTHS: Uint8Array = Uint8Array.from(CODE_LENGTHS);

{
  const symbols = CODE_LENGTHS.map((_, symbol) => symbol).sort(
    (a, b) => CODE_LENGTHS[a]! - CODE_LENGTHS[b]! || a - b,
  );
  let code = 0;
  let length = CODE_LENGTHS[symbols[0]!]!;
  for (const symbol of symbols) {
    code *= 2 ** (CODE_LENGTHS[symbol]! - length);
    length = CODE_LENGTHS[symbol]!;
    HUFFMAN_CODES[symbol] = code++;
  }
}

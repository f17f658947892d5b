/**
 * Standard base64 (RFC 4648 §4, with padding), written out because the
 * protocol package may not use `btoa` or `Buffer`.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Encodes bytes as padded base64.
 *
 * @example
 * ```ts
 * import { encodeBase64 } from "@reqivo/protocol";
 * encodeBase64(new TextEncoder().encode("hi")); // "aGk="
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[v >>> 18]! +
      ALPHABET[(v >>> 12) & 63]! +
      ALPHABET[(v >>> 6) & 63]! +
      ALPHABET[v & 63]!;
  }
  const rest = n - i;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + "==";
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]! + "=";
  }
  return out;
}

/**
 * Decodes padded base64, or returns `null` when `text` is not canonical padded
 * base64 (wrong length, stray characters, non-zero padding bits).
 *
 * @example
 * ```ts
 * import { decodeBase64 } from "@reqivo/protocol";
 * decodeBase64("aGk=");  // Uint8Array [0x68, 0x69]
 * decodeBase64("aGk");   // null
 * ```
 */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const ch = text[i + j]!;
      let d = ALPHABET.indexOf(ch);
      if (ch === "=" && i + 4 === text.length && j >= 4 - padding) d = 0;
      else if (d < 0) return null;
      v = (v << 6) | d;
    }
    out[o++] = v >>> 16;
    if (o < out.length) out[o++] = (v >>> 8) & 0xff;
    if (o < out.length) out[o++] = v & 0xff;
  }
  // Canonical form only: the bits hidden under the padding must be zero.
  return encodeBase64(out) === text ? out : null;
}

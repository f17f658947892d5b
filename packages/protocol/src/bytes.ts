/** Byte helpers shared by the HTTP and WebSocket code. */

/** A shared empty byte array (never written to). */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/**
 * Decodes `bytes[start, end)` as latin1 (ISO-8859-1: each byte is one code
 * point). `TextDecoder("latin1")` is windows-1252 per the WHATWG Encoding
 * standard and remaps 0x80–0x9F, so it cannot be used here.
 */
export function decodeLatin1(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= 0) return "";
  if (length <= 2048) {
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  let out = "";
  for (let i = start; i < end; i += 2048) {
    const stop = Math.min(end, i + 2048);
    out += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return out;
}

/**
 * Writes `text` as latin1 into `target` at `offset` and returns the new offset.
 * The caller has checked every code unit is ≤ 0xFF.
 */
export function writeLatin1(text: string, target: Uint8Array, offset: number): number {
  for (let i = 0; i < text.length; i++) target[offset++] = text.charCodeAt(i);
  return offset;
}

/** Encodes an ASCII/latin1 string whose code units are all ≤ 0xFF. */
export function encodeLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  writeLatin1(text, out, 0);
  return out;
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

import { decodeLatin1, writeLatin1 } from "../../bytes.ts";
import { hpackError } from "./errors.ts";
import { huffmanDecode, huffmanEncode, huffmanEncodedLength } from "./huffman.ts";

/**
 * Largest integer the decoder accepts (RFC 7541 §5.1 leaves the bound to the
 * implementation): every HPACK integer is an index, a string length or a
 * table size, and HTTP/2 settings are 32-bit.
 *
 * @example
 * ```ts
 * MAX_HPACK_INTEGER === 0xffffffff; // true
 * ```
 */
export const MAX_HPACK_INTEGER = 2 ** 32 - 1;

/** Continuation octets after the prefix: 5 carry 35 bits, enough for any value up to the bound. */
const MAX_CONTINUATION_OCTETS = 5;

/**
 * Reads HPACK primitives (RFC 7541 §5) from one header block, refusing
 * anything that would run past its end or grow without bound.
 *
 * @example
 * ```ts
 * const reader = new HpackReader(Uint8Array.of(0x1f, 0x9a, 0x0a));
 * reader.readInteger(5); // 1337 (RFC 7541 C.1.2)
 * ```
 */
export class HpackReader {
  /** Offset of the next octet to read. */
  pos: number;
  /** Length of the string literal last read or skipped. */
  #stringLength = 0;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end: number = bytes.length,
  ) {
    this.pos = start;
  }

  /** Whether every octet was read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next octet, not consumed (the caller checked {@link done}). */
  peek(): number {
    return this.bytes[this.pos]!;
  }

  /**
   * Reads an integer whose first octet keeps its low `prefixBits` bits for it
   * (the high bits are the representation's flags, ignored here).
   */
  readInteger(prefixBits: number): number {
    if (this.pos >= this.end) throw hpackError("HPACK_TRUNCATED", "block ends before an integer");
    const prefixMax = (1 << prefixBits) - 1;
    let value = this.bytes[this.pos++]! & prefixMax;
    if (value < prefixMax) return value;
    for (let i = 0; i < MAX_CONTINUATION_OCTETS; i++) {
      if (this.pos >= this.end) throw hpackError("HPACK_TRUNCATED", "block ends inside an integer");
      const octet = this.bytes[this.pos++]!;
      value += (octet & 0x7f) * 2 ** (7 * i);
      if (value > MAX_HPACK_INTEGER) {
        throw hpackError("HPACK_INTEGER_OVERFLOW", "integer above 2^32 - 1");
      }
      if ((octet & 0x80) === 0) return value;
    }
    throw hpackError("HPACK_INTEGER_OVERFLOW", "integer longer than 5 continuation octets");
  }

  /** Reads a string literal (§5.2): an H flag, a length, then raw or Huffman-coded octets. */
  readString(): string {
    const huffman = this.#readStringLength();
    const end = this.pos;
    const start = end - this.#stringLength;
    return huffman ? huffmanDecode(this.bytes, start, end) : decodeLatin1(this.bytes, start, end);
  }

  /** Steps over a string literal without decoding it; returns its raw (wire) length. */
  skipString(): number {
    this.#readStringLength();
    return this.#stringLength;
  }

  /** Reads a string's H flag and length, checks it fits, and moves past the octets. */
  #readStringLength(): boolean {
    if (this.pos >= this.end) throw hpackError("HPACK_TRUNCATED", "block ends before a string");
    const huffman = (this.bytes[this.pos]! & 0x80) !== 0;
    const length = this.readInteger(7);
    if (length > this.end - this.pos) {
      throw hpackError(
        "HPACK_TRUNCATED",
        `string of ${length} octets but ${this.end - this.pos} left in the block`,
      );
    }
    this.#stringLength = length;
    this.pos += length;
    return huffman;
  }
}

/**
 * Writes `value` with a `prefixBits`-bit prefix after the representation's
 * `flags` (high bits of the first octet) and returns the offset after it.
 *
 * @example
 * ```ts
 * const out = new Uint8Array(3);
 * writeInteger(out, 0, 1337, 5, 0); // 3; out is 1f 9a 0a
 * ```
 */
export function writeInteger(
  target: Uint8Array,
  offset: number,
  value: number,
  prefixBits: number,
  flags: number,
): number {
  const prefixMax = (1 << prefixBits) - 1;
  if (value < prefixMax) {
    target[offset++] = flags | value;
    return offset;
  }
  target[offset++] = flags | prefixMax;
  let rest = value - prefixMax;
  while (rest >= 0x80) {
    target[offset++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  target[offset++] = rest;
  return offset;
}

/**
 * Whether {@link writeString} Huffman-codes: when shorter, always, or never.
 *
 * @example
 * ```ts
 * const policy: HuffmanPolicy = "shorter";
 * ```
 */
export type HuffmanPolicy = "shorter" | "always" | "never";

/**
 * Writes a string literal (§5.2) and returns the offset after it. With
 * `"shorter"`, Huffman coding is used only when it saves octets. `target`
 * has room for the raw form: length integer plus `text.length` octets.
 *
 * @example
 * ```ts
 * const out = new Uint8Array(16);
 * writeString(out, 0, "no-cache", "shorter"); // 7: 86 a8 eb 10 64 9c bf
 * ```
 */
export function writeString(
  target: Uint8Array,
  offset: number,
  text: string,
  huffman: HuffmanPolicy,
): number {
  const coded = huffman === "never" ? text.length : huffmanEncodedLength(text);
  if (huffman === "always" || coded < text.length) {
    offset = writeInteger(target, offset, coded, 7, 0x80);
    return huffmanEncode(text, target, offset);
  }
  offset = writeInteger(target, offset, text.length, 7, 0);
  return writeLatin1(text, target, offset);
}

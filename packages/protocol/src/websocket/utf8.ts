/**
 * UTF-8 validation for text messages (RFC 3629 as RFC 6455 §8.1 requires).
 *
 * Two tools: an incremental validator, for bytes that arrive before their
 * message is complete (so an invalid byte fails the connection at once, as
 * Autobahn 6.4 checks), and a fatal `TextDecoder` for whole messages, which
 * validates and decodes in native code.
 */

/**
 * Incremental UTF-8 validator: feed byte ranges in order, then ask whether the
 * input ended on a character boundary. Follows the WHATWG decoder's bounds, so
 * overlong forms, surrogates and code points above U+10FFFF fail on the first
 * byte that makes them impossible.
 *
 * @example
 * ```ts
 * import { Utf8Validator } from "@reqivo/protocol";
 * const v = new Utf8Validator();
 * v.push(new Uint8Array([0xe2, 0x82])); // true: a valid prefix
 * v.push(new Uint8Array([0xac]));       // true
 * v.complete;                           // true: "€" ended cleanly
 * ```
 */
export class Utf8Validator {
  #needed = 0;
  #lower = 0x80;
  #upper = 0xbf;

  /** True when the bytes so far end on a character boundary. */
  get complete(): boolean {
    return this.#needed === 0;
  }

  /** Forgets any partial character, ready for a new message. */
  reset(): void {
    this.#needed = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
  }

  /**
   * Checks `bytes[start..end)`. Returns false on the first byte that cannot
   * continue valid UTF-8; the validator is then in an undefined state.
   */
  push(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    let needed = this.#needed;
    let lower = this.#lower;
    let upper = this.#upper;
    let i = start;
    while (i < end) {
      const b = bytes[i++]!;
      if (needed === 0) {
        if (b < 0x80) continue;
        if (b >= 0xc2 && b <= 0xdf) {
          needed = 1;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) lower = 0xa0;
          else if (b === 0xed) upper = 0x9f;
          needed = 2;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) lower = 0x90;
          else if (b === 0xf4) upper = 0x8f;
          needed = 3;
        } else {
          return false;
        }
      } else {
        if (b < lower || b > upper) return false;
        lower = 0x80;
        upper = 0xbf;
        needed--;
      }
    }
    this.#needed = needed;
    this.#lower = lower;
    this.#upper = upper;
    return true;
  }
}

/**
 * True when `bytes` is complete, valid UTF-8.
 *
 * @example
 * ```ts
 * import { isValidUtf8 } from "@reqivo/protocol";
 * isValidUtf8(new Uint8Array([0xc3, 0xa9])); // true ("é")
 * isValidUtf8(new Uint8Array([0xc0, 0x80])); // false (overlong NUL)
 * ```
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const v = new Utf8Validator();
  return v.push(bytes) && v.complete;
}

// ignoreBOM keeps a leading U+FEFF: it is part of the message, not a marker.
const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes a whole message, or returns `null` when it is not valid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | null {
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    return null;
  }
}

/** A streaming decoder for pieces of a message validated on the way in. */
export function createStreamingDecoder(): TextDecoder {
  return new TextDecoder("utf-8", { ignoreBOM: true });
}

const encoder = new TextEncoder();

/** UTF-8 bytes of `text` (lone surrogates become U+FFFD, as `TextEncoder` does). */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

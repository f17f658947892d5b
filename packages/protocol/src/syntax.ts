/**
 * RFC 9110 grammar helpers shared by the HTTP and WebSocket code:
 * tokens, field values, comma lists. Byte tables make the hot checks O(1).
 */

/** tchar per RFC 9110 §5.6.2, indexed by byte. */
export const TOKEN_CHARS: Uint8Array = (() => {
  const table = new Uint8Array(256);
  const extra = "!#$%&'*+-.^_`|~";
  for (let c = 0x30; c <= 0x39; c++) table[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) table[c] = 1;
  for (let i = 0; i < extra.length; i++) table[extra.charCodeAt(i)] = 1;
  return table;
})();

/** field-vchar / SP / HTAB / obs-text per RFC 9110 §5.5, indexed by byte. */
export const FIELD_VALUE_CHARS: Uint8Array = (() => {
  const table = new Uint8Array(256);
  table[0x09] = 1;
  for (let c = 0x20; c <= 0x7e; c++) table[c] = 1;
  for (let c = 0x80; c <= 0xff; c++) table[c] = 1;
  return table;
})();

/** True when `value` is a non-empty RFC 9110 token. */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff || TOKEN_CHARS[c] !== 1) return false;
  }
  return true;
}

/**
 * How strict {@link isFieldValue} is beyond the field-value grammar.
 *
 * @example
 * ```ts
 * import { type FieldValueRule, isFieldValue } from "@reqivo/protocol";
 * // A multipart part header, written as UTF-8: ASCII only, padding left as is.
 * const partHeader: FieldValueRule = { obsText: false, trimmed: false };
 * isFieldValue("text/plain", partHeader); // true
 * ```
 */
export interface FieldValueRule {
  /**
   * Accept obs-text, U+0080–U+00FF (sent as latin1 bytes). Default true;
   * false where the head is encoded as UTF-8 and those characters would
   * change bytes on the way.
   */
  obsText?: boolean;
  /** Refuse leading and trailing SP/HTAB, which a recipient strips (changing the value). Default true. */
  trimmed?: boolean;
}

/**
 * True when `value` is safe in a message head as a field value: no CR, LF, NUL
 * or other control character, nothing beyond latin1 (or beyond ASCII, with
 * `obsText: false`), and no leading or trailing whitespace unless `trimmed`
 * is false. The one rule for every value Reqivo writes into a head, the
 * request head and the multipart part headers alike.
 *
 * @example
 * ```ts
 * import { isFieldValue } from "@reqivo/protocol";
 * isFieldValue("text/plain");                          // true
 * isFieldValue("a\r\nX-Injected: 1");                // false
 * isFieldValue("caf\u00e9");                          // true: obs-text, sent as latin1
 * isFieldValue("caf\u00e9", { obsText: false });      // false
 * ```
 */
export function isFieldValue(value: string, rule?: FieldValueRule): boolean {
  const n = value.length;
  if (n === 0) return true;
  const highest = rule?.obsText === false ? 0x7f : 0xff;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c > highest || FIELD_VALUE_CHARS[c] !== 1) return false;
  }
  if (rule?.trimmed === false) return true;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(n - 1);
  return first !== 0x20 && first !== 0x09 && last !== 0x20 && last !== 0x09;
}

/**
 * `value` without leading and trailing OWS: SP and HTAB only (RFC 9110
 * §5.6.3). Unlike `String.prototype.trim()`, which also strips 0xA0 (NBSP)
 * and other Unicode spaces, so that a value like "\xa05" would pass as "5".
 *
 * @example
 * ```ts
 * trimOws(" \t5 "); // "5"
 * trimOws("\u00a05"); // "\u00a05" (NBSP is not whitespace on the wire)
 * ```
 */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Splits a comma-separated list (RFC 9110 §5.6.1) into lower-cased elements
 * trimmed of OWS (SP and HTAB only: a 0xA0 byte stays part of its element),
 * dropping empty ones.
 *
 * @example
 * ```ts
 * splitList("keep-alive, Upgrade,,") // ["keep-alive", "upgrade"]
 * ```
 */
export function splitList(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(",")) {
    const trimmed = trimOws(part);
    if (trimmed.length > 0) out.push(trimmed.toLowerCase());
  }
  return out;
}

/**
 * Whether `name` equals `lower` (a lower-case ASCII name of the same length)
 * ASCII-case-insensitively. Comparing in place avoids a `toLowerCase()` string
 * per field on every message; field names are tokens, so ASCII folding is all
 * that `toLowerCase()` would have done for a match. The caller checks the
 * lengths first.
 */
export function isNamed(name: string, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

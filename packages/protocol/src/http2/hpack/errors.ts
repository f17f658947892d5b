import { LocalProtocolError, RemoteProtocolError } from "../../errors.ts";

/**
 * Codes of the errors the HPACK decoder throws for a peer's bad header block.
 * In HTTP/2 terms every one but `HEADER_LIST_TOO_LARGE` is a connection error
 * of type COMPRESSION_ERROR (RFC 9113 §4.3): the decoder's table can no longer
 * be trusted. `HEADER_LIST_TOO_LARGE` is thrown only after the whole block was
 * decoded, so the table stays in step and the stream alone can be refused.
 *
 * @example
 * ```ts
 * const code: HpackErrorCode = "HPACK_INVALID_INDEX";
 * ```
 */
export type HpackErrorCode =
  /** An indexed reference to 0, or beyond the static and dynamic tables. */
  | "HPACK_INVALID_INDEX"
  /** An integer longer than 5 continuation bytes or above 2^32 - 1. */
  | "HPACK_INTEGER_OVERFLOW"
  /** The block ends inside a representation (an integer, a string length beyond the block). */
  | "HPACK_TRUNCATED"
  /** Huffman data with the EOS symbol, padding over 7 bits, or padding that is not all ones. */
  | "HPACK_INVALID_HUFFMAN"
  /** A table size update after a field, above the announced limit, or missing after the limit shrank. */
  | "HPACK_TABLE_SIZE_UPDATE"
  /** The decoded list exceeds the limit (sum of name + value + 32 per field). */
  | "HEADER_LIST_TOO_LARGE";

/**
 * The error for a peer's bad header block.
 *
 * @example
 * ```ts
 * throw hpackError("HPACK_TRUNCATED", "block ends inside an integer");
 * ```
 */
export function hpackError(code: HpackErrorCode, message: string): RemoteProtocolError {
  return new RemoteProtocolError(code, `HPACK: ${message}`);
}

/**
 * The error for a caller's field the encoder cannot represent (a code unit
 * above 0xFF: HPACK strings are octets) or a nonsense option.
 *
 * @example
 * ```ts
 * throw hpackUsageError("INVALID_HEADER_VALUE", "value has a code unit above 0xFF");
 * ```
 */
export function hpackUsageError(code: string, message: string): LocalProtocolError {
  return new LocalProtocolError(code, `HPACK: ${message}`);
}

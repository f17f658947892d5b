/** Every code an HPACK decoding failure may carry: anything else is a bug. */
export const HPACK_ERROR_CODES: ReadonlySet<string> = new Set([
  "HPACK_INVALID_INDEX",
  "HPACK_INTEGER_OVERFLOW",
  "HPACK_TRUNCATED",
  "HPACK_INVALID_HUFFMAN",
  "HPACK_TABLE_SIZE_UPDATE",
  "HEADER_LIST_TOO_LARGE",
]);

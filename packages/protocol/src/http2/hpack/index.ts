// RFC 7541 HPACK for the HTTP/2 core. Internal for now: not re-exported from
// the package entry until the HTTP/2 connection that uses it exists.
export {
  DEFAULT_HEADER_TABLE_SIZE,
  DEFAULT_MAX_HEADER_LIST_SIZE,
  HpackDecoder,
  type HpackDecoderOptions,
} from "./decoder.ts";
export { DynamicTable, ENTRY_OVERHEAD, entrySize } from "./dynamic-table.ts";
export {
  defaultNeverIndex,
  HpackEncoder,
  type HpackEncoderOptions,
  type NeverIndexPolicy,
} from "./encoder.ts";
export type { HpackErrorCode } from "./errors.ts";
export type { HuffmanPolicy } from "./primitives.ts";

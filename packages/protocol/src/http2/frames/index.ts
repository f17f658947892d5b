// RFC 9113 framing for the HTTP/2 core. Internal for now: not re-exported from
// the package entry until the HTTP/2 connection that uses it exists.
export {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  FLAG,
  FRAME_HEADER_LENGTH,
  FRAME_TYPE,
  HTTP2_ERROR,
  MAX_FRAME_SIZE_LIMIT,
  MAX_STREAM_ID,
  SETTING,
} from "./constants.ts";
export { type FrameErrorCode, http2ErrorFor } from "./errors.ts";
export { HeaderBlockJoiner, type HeaderBlockJoinerOptions } from "./header-block.ts";
export { FrameReader, type FrameReaderOptions } from "./reader.ts";
export type { Http2Frame, PrioritySpec, SettingPair } from "./types.ts";
export { type DataFrameOptions, FrameWriter, type HeadersFrameOptions } from "./writer.ts";

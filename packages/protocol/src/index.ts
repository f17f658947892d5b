export { EMPTY_BYTES } from "./bytes.ts";
export {
  LocalProtocolError,
  ProtocolError,
  type ProtocolErrorOptions,
  REQIVO_ERROR_BRAND,
  RemoteProtocolError,
} from "./errors.ts";
export * from "./http/index.ts";
export * from "./http2/index.ts";
export { NEED_DATA, type NeedData } from "./need-data.ts";
export { type FieldValueRule, isFieldValue, isToken, splitList, trimOws } from "./syntax.ts";
export * from "./websocket/index.ts";

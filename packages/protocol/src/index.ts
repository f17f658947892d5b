export {
  LocalProtocolError,
  ProtocolError,
  type ProtocolErrorOptions,
  REQIVO_ERROR_BRAND,
  RemoteProtocolError,
} from "./errors.ts";

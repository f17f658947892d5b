// The RFC 6455 core: handshake helpers, frame codec, WebSocketConnection.
export { decodeBase64, encodeBase64 } from "./base64.ts";
export { CloseCode, isValidCloseCode, MAX_CLOSE_REASON_BYTES } from "./close.ts";
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  WebSocketConnection,
  type WebSocketConnectionOptions,
} from "./connection.ts";
export {
  acceptDeflateResponse,
  deflateOfferItem,
  PERMESSAGE_DEFLATE,
  type PerMessageDeflateCodec,
  type PerMessageDeflateOffer,
  type PerMessageDeflateParams,
} from "./deflate.ts";
export type {
  WebSocketBinaryEvent,
  WebSocketCloseEvent,
  WebSocketEvent,
  WebSocketPingEvent,
  WebSocketPongEvent,
  WebSocketSendEvent,
  WebSocketSendMessage,
  WebSocketTextEvent,
} from "./events.ts";
export { type ExtensionItem, formatExtension, parseExtensions } from "./extensions.ts";
export { type EncodeFrameOptions, encodeFrame, MAX_CONTROL_PAYLOAD, Opcode } from "./frame.ts";
export {
  buildHandshakeRequest,
  computeAcceptKey,
  type HandshakeOptions,
  type HandshakeRequestEvent,
  type HandshakeResponse,
  type HandshakeResult,
  validateHandshakeResponse,
  type WebSocketHandshake,
} from "./handshake.ts";
export { defaultRandomSource, MaskKeyPool, type RandomSource } from "./random.ts";
export { sha1 } from "./sha1.ts";
export { isValidUtf8, Utf8Validator } from "./utf8.ts";

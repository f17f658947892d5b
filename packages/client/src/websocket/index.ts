// The WebSocket client: session.websocket(), its socket object, the WHATWG class.
export { OpenWebSockets, openWebSocket, websocketHttpUrl } from "./connect.ts";
export { type DeflateSupport, loadDeflate, ZlibDeflateCodec } from "./deflate.ts";
export { WebSocketError, type WebSocketErrorCode, type WebSocketErrorOptions } from "./errors.ts";
export type { WebSocketCompressOptions, WebSocketOptions, WebSocketTimeouts } from "./options.ts";
export {
  WebSocketClient,
  type WebSocketCloseInfo,
  type WebSocketData,
  type WebSocketEventMap,
  type WebSocketFragment,
  type WebSocketFragments,
  type WebSocketMessage,
  type WebSocketSetup,
} from "./socket.ts";
export {
  createWebSocketClass,
  ReqivoWebSocket,
  type ReqivoWebSocketEventMap,
  type ReqivoWebSocketInit,
  type WebSocketConstructor,
} from "./whatwg.ts";

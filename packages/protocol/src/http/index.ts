export { ClientConnection } from "./client.ts";
export { HttpConnection, type HttpConnectionOptions, type TrailingData } from "./connection.ts";
export type {
  ClientReceiveEvent,
  ClientSendEvent,
  ClosedEvent,
  DataEvent,
  EndEvent,
  InformationalEvent,
  ReceivedEndEvent,
  RequestEvent,
  ResponseEvent,
  ServerReceiveEvent,
  ServerSendEvent,
  UpgradeEvent,
} from "./events.ts";
export { type HeaderList, type HeaderPair, Headers } from "./headers.ts";
export { DEFAULT_LIMITS, type HttpLimits } from "./limits.ts";
export { ServerConnection } from "./server.ts";
export type { Role, SideState } from "./state.ts";

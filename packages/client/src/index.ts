export { Headers, ProtocolError } from "@reqivo/protocol";
// The transport errors a request can end with, so callers need not import the transport package to catch them.
export {
  ConnectionRefusedError,
  ConnectTimeoutError,
  DnsError,
  TlsCertificateError,
  TlsError,
  TlsHandshakeError,
  TlsNameMismatchError,
  TlsPinMismatchError,
  TransportError,
} from "@reqivo/transport";
export type { AuthOptions, Credentials } from "./auth.ts";
export type { BodyInit, RequestBody } from "./body.ts";
export {
  type CookieJarLike,
  type CookieJarSnapshot,
  Cookies,
  type CookiesOption,
  type SameSiteContext,
} from "./cookies.ts";
export type { DecompressOptions } from "./decompress.ts";
export {
  type BoundApi,
  type BoundSessionOptions,
  bindTransport,
  del,
  fetch,
  get,
  head,
  patch,
  post,
  put,
  type RequestApi,
  request,
  setDefaultSession,
} from "./defaults.ts";
export type { DnsCacheOptions } from "./dns/cache.ts";
export type { DnsOptions } from "./dns/session-dns.ts";
export { BodyWriter } from "./duplex.ts";
export {
  AbortError,
  BodyTimeoutError,
  DeadlineExceededError,
  DecompressionError,
  HeadersTimeoutError,
  HttpError,
  InvalidRequestError,
  RedirectError,
  RedirectLoopError,
  ReqivoError,
  SessionClosedError,
  TimeoutError,
  TooManyRedirectsError,
} from "./errors.ts";
export { createFetch, type FetchFunction, type FetchInit } from "./fetch.ts";
export {
  type HookContext,
  type HookErrorContext,
  type HookRedirect,
  type HookRequest,
  type HookRetry,
  type Hooks,
  RequestHeaders,
} from "./hooks.ts";
export {
  type MockHandler,
  type MockRequest,
  type MockResponse,
  MockTransport,
} from "./mock-transport.ts";
export type {
  HeadersInput,
  QueryInput,
  RedirectMode,
  RedirectOptions,
  RequestOptions,
  TimeoutOptions,
} from "./options.ts";
export type { PoolOptions } from "./pool.ts";
export type { Progress, ProgressCallback } from "./progress.ts";
export type { ProxyInput, ProxyOptions } from "./proxy/config.ts";
export type { ProxyEnv } from "./proxy/env.ts";
export {
  ProxyError,
  type ProxyErrorCode,
  SocksError,
  type SocksErrorCode,
} from "./proxy/errors.ts";
export { DEFAULT_SENSITIVE_HEADERS } from "./redirect.ts";
export { type RedirectHop, Response, type Timings } from "./response.ts";
export type { BackoffOptions, RetryOptions } from "./retry.ts";
export { Session, type SessionOptions } from "./session.ts";
export type { ClientTlsOptions } from "./tls-settings.ts";
export {
  createWebSocketClass,
  ReqivoWebSocket,
  type ReqivoWebSocketEventMap,
  type ReqivoWebSocketInit,
  type WebSocketClient,
  type WebSocketCloseInfo,
  type WebSocketCompressOptions,
  type WebSocketConstructor,
  type WebSocketData,
  WebSocketError,
  type WebSocketErrorCode,
  type WebSocketEventMap,
  type WebSocketFragment,
  type WebSocketFragments,
  type WebSocketMessage,
  type WebSocketOptions,
  type WebSocketTimeouts,
} from "./websocket/index.ts";

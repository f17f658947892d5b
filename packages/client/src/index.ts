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
export type { AuthOptions } from "./auth.ts";
export type { BodyInit } from "./body.ts";
export type { Credentials } from "./connection/basic-credentials.ts";
export type { Timings } from "./connection/body-source.ts";
export type { DnsCacheOptions } from "./connection/dns/cache.ts";
export type { DnsOptions } from "./connection/dns/session-dns.ts";
export type { Http2Options } from "./connection/http2/options.ts";
export type { TimeoutOptions } from "./connection/lifeline.ts";
export type { PoolOptions } from "./connection/pool.ts";
export type { ProxyInput, ProxyOptions } from "./connection/proxy/config.ts";
export type { ProxyEnv } from "./connection/proxy/env.ts";
export {
  ProxyError,
  type ProxyErrorCode,
  SocksError,
  type SocksErrorCode,
} from "./connection/proxy/errors.ts";
export type { RequestBody } from "./connection/request-body.ts";
export type { ClientTlsOptions } from "./connection/tls-settings.ts";
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
export { BodyWriter } from "./duplex.ts";
export {
  AbortError,
  BodyTimeoutError,
  DeadlineExceededError,
  DecompressionError,
  HeadersTimeoutError,
  Http2StreamError,
  InvalidRequestError,
  RedirectError,
  RedirectLoopError,
  ReqivoError,
  SessionClosedError,
  TimeoutError,
  TooManyRedirectsError,
} from "./errors.ts";
export { createFetch, type FetchFunction, type FetchInit } from "./fetch.ts";
export type { HeadersInput, QueryInput } from "./header-input.ts";
export {
  type HookContext,
  type HookErrorContext,
  type HookRedirect,
  type HookRequest,
  type HookRetry,
  type Hooks,
  RequestHeaders,
} from "./hooks.ts";
export { HttpError } from "./http-error.ts";
export { compose, type Handler, type Middleware, type OutgoingRequest } from "./middleware.ts";
export {
  type MockHandler,
  type MockRequest,
  type MockResponse,
  MockTransport,
} from "./mock-transport.ts";
export type { RedirectMode, RedirectOptions, RequestOptions } from "./options.ts";
export type { Progress, ProgressCallback } from "./progress.ts";
export { DEFAULT_SENSITIVE_HEADERS } from "./redirect.ts";
export {
  type BufferedResponseInit,
  type HttpVersion,
  type RedirectHop,
  Response,
} from "./response.ts";
export type { BackoffOptions, RetryOptions } from "./retry.ts";
export { Session, type SessionOptions } from "./session.ts";
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

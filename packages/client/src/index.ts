export { Headers, ProtocolError } from "@reqivo/protocol";
export type { BodyInit, RequestBody } from "./body.ts";
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
export { createFetch, type FetchFunction } from "./fetch.ts";
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
export { type RedirectHop, Response, type Timings } from "./response.ts";
export { Session, type SessionOptions } from "./session.ts";

/**
 * Reqivo for Bun: the client wired to `Bun.connect`. Import and go —
 * `get`, `post`, `fetch` and friends share one default session; `new Session()`
 * needs no transport.
 *
 * @example
 * ```ts
 * import { get, Session } from "@reqivo/bun";
 * const res = await get("http://127.0.0.1:8080/hello");
 * console.log(res.status, await res.text());
 * await using session = new Session({ baseUrl: "http://127.0.0.1:8080" });
 * ```
 *
 * @module
 */
import { bindTransport } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-bun";

const api = bindTransport(() => createTransport());

/** A Session over the Bun transport (pass `transport` to override). */
export const Session: typeof api.Session = api.Session;
/** The shared session behind the functions below. */
export const defaultSession: typeof api.defaultSession = api.defaultSession;
/** Sends a request on the default session. */
export const request: typeof api.request = api.request;
/** GET on the default session. */
export const get: typeof api.get = api.get;
/** HEAD on the default session. */
export const head: typeof api.head = api.head;
/** POST on the default session. */
export const post: typeof api.post = api.post;
/** PUT on the default session. */
export const put: typeof api.put = api.put;
/** PATCH on the default session. */
export const patch: typeof api.patch = api.patch;
/** DELETE on the default session (`delete` is a keyword). */
export const del: typeof api.delete = api.delete;
/** WHATWG fetch on the default session. */
export const fetch: typeof api.fetch = api.fetch;

export type { RequestOptions, SessionOptions, TimeoutOptions } from "@reqivo/client";
export {
  AbortError,
  BodyTimeoutError,
  BodyWriter,
  createFetch,
  DeadlineExceededError,
  HeadersTimeoutError,
  HttpError,
  InvalidRequestError,
  MockTransport,
  RedirectError,
  RedirectLoopError,
  ReqivoError,
  Response,
  SessionClosedError,
  TimeoutError,
  TooManyRedirectsError,
} from "@reqivo/client";
export { createTransport } from "@reqivo/transport-bun";

/**
 * Middleware: the client's extension point. A request is one call,
 * `handler(request) → Promise<Response>`, and every policy around it — the
 * built-in redirects, retries, auth, cookies and decompression, and the
 * caller's own — is a function that wraps the next handler. The default
 * order is in docs/architecture.md and in the middleware guide.
 */
import type { HeaderList } from "@reqivo/protocol";
import type { RequestBody } from "./connection/request-body.ts";
import type { Response } from "./response.ts";

/**
 * One request as a middleware sees it. A middleware that changes it passes
 * a new object on (`{ ...request, headers: [...] }`); the one it was given
 * may be sent again (a retry, a Digest answer).
 *
 * @example
 * ```ts
 * const outgoing: OutgoingRequest = { url: new URL("http://127.0.0.1:8080/"), method: "GET", headers: [], body: null };
 * ```
 */
export interface OutgoingRequest {
  readonly url: URL;
  /** Upper case. */
  readonly method: string;
  /** `[name, value]` pairs in the order they are sent (Host is added last, first on the wire). */
  readonly headers: HeaderList;
  /** `null`: no body. Read `body.chunks()` only when `body.replayable`: a stream can be read once. */
  readonly body: RequestBody | null;
}

/**
 * Sends a request and resolves to its response.
 *
 * @example
 * ```ts
 * const send: Handler = async (request) => { throw new Error(`not sent: ${request.url}`); };
 * ```
 */
export type Handler = (request: OutgoingRequest) => Promise<Response>;

/**
 * A layer around the next handler: it may change the request, send it
 * (once, again, or not at all), and look at or replace the response.
 *
 * @example
 * ```ts
 * const requestId: Middleware = (next) => (request) =>
 *   next({ ...request, headers: [...request.headers, ["x-request-id", crypto.randomUUID()]] });
 * const session = new Session({ transport, use: [requestId] });
 * ```
 */
export type Middleware = (next: Handler) => Handler;

/**
 * The handler made of `middleware` around `innermost`: the first one is the
 * outermost, the first to see a request and the last to see its response.
 *
 * @example
 * ```ts
 * const tag: Middleware = (next) => (request) => next({ ...request, headers: [...request.headers, ["x-tag", "1"]] });
 * const handler = compose([tag], (request) => session.request(request.url, { headers: request.headers }));
 * ```
 */
export function compose(middleware: readonly Middleware[], innermost: Handler): Handler {
  let handler = innermost;
  for (let i = middleware.length - 1; i >= 0; i--) handler = middleware[i]!(handler);
  return handler;
}

/**
 * The middleware that adds nothing: what a built-in one is for a call it has nothing to do in.
 *
 * @example
 * ```ts
 * const handler = compose([passThrough], (request) => session.request(request.url));
 * ```
 */
export const passThrough: Middleware = (next) => next;

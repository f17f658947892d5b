/**
 * The shape of the built-in middleware. The public shape,
 * `(next) => (request) => Promise<Response>`, is made per call because a
 * policy keeps state for the call in its closures; a built-in layer gets
 * the call with each request instead, keeps that state on the
 * {@link RequestCall}, and so the built-in chain is built once for every
 * call (middleware/chain.ts).
 */
import type { OutgoingRequest } from "../middleware.ts";
import type { RequestCall } from "../request-context.ts";
import type { Response } from "../response.ts";

/**
 * Sends one request of `call` and resolves to its response.
 *
 * @example
 * ```ts
 * const wire: CallHandler = (call, request) => sendRequest(call, request);
 * ```
 */
export type CallHandler = (call: RequestCall, request: OutgoingRequest) => Promise<Response>;

/**
 * A built-in layer around the next call handler: what a {@link Middleware}
 * is, with the call passed along.
 *
 * @example
 * ```ts
 * const tagged: Layer = (next) => (call, request) =>
 *   next(call, { ...request, headers: [...request.headers, ["x-tag", "1"]] });
 * ```
 */
export type Layer = (next: CallHandler) => CallHandler;

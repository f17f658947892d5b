/**
 * The shape of the built-in middleware. The public shape,
 * `(next) => (request) => Promise<Response>`, is made per call because a
 * policy keeps state for the call in its closures; a built-in layer gets
 * the call with each request instead, keeps that state on the
 * {@link RequestCall}, and so the built-in chain is built once for every
 * call (middleware/chain.ts).
 */
import type { OutgoingRequest } from "../middleware.ts";
import type { RequestCall, ResponseStep } from "../request-context.ts";
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

/**
 * `pending.then(step)`, for a built-in layer looking at (or replacing) the
 * response of the request it passed on. When `pending` is the wire's own
 * promise, handed up unchanged (no caller middleware, no layer in between
 * that waited on it), `step` joins the wire's steps instead and runs in the
 * wire's `then` (see {@link runWireSteps}): same order, same outcome, but
 * no promise, microtask and thenable check per layer. Measured on the
 * keep-alive GET (decompression, cookies and redirects each on):
 * apps/bench `COUNT_PROMISES=1 scripts/client-cycle.mjs 2000` 14.0 → 11.0
 * promises per request, `scripts/instructions.sh client` 54,454 → 53,069
 * instructions per request (results/2026-12-07-round-cpu.md, round 2).
 *
 * @example
 * ```ts
 * const tagged: Layer = (next) => (call, request) =>
 *   onResponse(call, next(call, request), (response, _call) => response);
 * ```
 */
export function onResponse(
  call: RequestCall,
  pending: Promise<Response>,
  step: ResponseStep,
): Promise<Response> {
  if (pending !== call.wirePending || call.callerChain !== undefined)
    return pending.then((response) => step(response, call));
  // Made with room for the built-in layers' steps: `[step]` grown by `push`
  // cost more (apps/bench `ALLOCATIONS=1 IN_FLIGHT=100 CONNECTIONS=50
  // scripts/client-cycle.mjs 50000`: ~7,545 → ~7,382 bytes per request;
  // results/2026-12-07-pool-wait.md).
  call.wireSteps ??= new Array<ResponseStep>(WIRE_STEP_ROOM);
  call.wireSteps[call.wireStepCount++] = step;
  return pending;
}

/** Steps a call's wire promise has room for up front (decompression, cookies, redirects, one more). */
const WIRE_STEP_ROOM = 4;

/**
 * Runs the steps layers joined to the wire's promise `pending` on its
 * `response`, innermost first; a step's promise makes the later steps wait
 * for it. Called by the wire (send.ts) in the `then` that makes `response`.
 *
 * @example
 * ```ts
 * const outcome = runWireSteps(call, pending, response); // a Response or a promise of one
 * ```
 */
export function runWireSteps(
  call: RequestCall,
  pending: Promise<Response> | undefined,
  response: Response,
): Response | Promise<Response> {
  const steps = call.wireSteps;
  if (pending !== call.wirePending || steps === undefined) return response;
  const count = call.wireStepCount;
  call.dropWireSteps();
  call.wirePending = undefined;
  let out: Response | Promise<Response> = response;
  for (let at = 0; at < count; at++) {
    const step = steps[at] as ResponseStep;
    out = out instanceof Promise ? out.then((response) => step(response, call)) : step(out, call);
  }
  return out;
}

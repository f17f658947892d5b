/**
 * One `request()` call from the caller's options to its Response: resolve
 * the URL (credentials in it taken out first), settle the per-request
 * policies against the session's, and run the request through the
 * middleware, outermost first:
 *
 * 1. throwOnHttpError
 * 2. afterResponseHooks
 * 3. redirects — with the beforeRedirect hooks
 * 4. retries — backoff and Retry-After, with the beforeRetry hooks
 * 5. beforeRequestHooks
 * 6. auth — Basic, Bearer, Digest
 * 7. cookies
 * 8. decompression
 * 9. the session's `use`, then the request's `use`
 * 10. the wire (send.ts): a pooled connection, one exchange
 *
 * The built-in layers are one chain for every call (layer.ts): each gets the
 * call with the request, and one with nothing to do for the call (no hooks,
 * no retry policy, no credentials, no jar, decompression off) hands the
 * request straight on. Only the caller's middleware is composed per call.
 *
 * The onError hooks see whatever the call fails with: in Session.request, or
 * in the wire (send.ts) when the caller holds the wire's own promise.
 */
import { checkAuth, takeUrlCredentials } from "../auth.ts";
import { sessionDefaultsFor } from "../base-origin.ts";
import { toRequestBody } from "../body.ts";
import type { Lifeline, TimeoutOptions } from "../connection/lifeline.ts";
import { requestTargets } from "../connection/origin-targets.ts";
import { decompressOptions } from "../decompress.ts";
import { headerPairs, mergeHeaders } from "../header-input.ts";
import type { Hooks } from "../hooks.ts";
import { compose, type OutgoingRequest } from "../middleware.ts";
import { type RequestOptions, redirectOptions } from "../options.ts";
import { RequestCall, type SessionState } from "../request-context.ts";
import { resolveRequestTarget } from "../resolve-url.ts";
import type { Response } from "../response.ts";
import { retryPolicy } from "../retry.ts";
import { sendRequest } from "../send.ts";
import { auth } from "./auth.ts";
import { cookies } from "./cookies.ts";
import { decompression } from "./decompression.ts";
import { afterResponseHooks, throwOnHttpError } from "./final-response.ts";
import type { CallHandler, Layer } from "./layer.ts";
import { redirects } from "./redirects.ts";
import { beforeRequestHooks } from "./request-hooks.ts";
import { retries } from "./retries.ts";

/** The built-in layers, outermost first. */
const BUILT_IN: readonly Layer[] = [
  throwOnHttpError,
  afterResponseHooks,
  redirects,
  retries,
  beforeRequestHooks,
  auth,
  cookies,
  decompression,
];

/** Innermost of the built-in layers: the caller's middleware made for the call, or the wire itself. */
const callerAndWire: CallHandler = (call, request) =>
  call.callerChain === undefined ? sendRequest(call, request) : call.callerChain(request);

/**
 * Every call's built-in chain, built once: making each layer's closures per
 * call cost ~870 bytes per keep-alive GET (apps/bench `ALLOCATIONS=1
 * scripts/client-cycle.mjs 20000`: ~10,330 → ~9,470), see
 * apps/bench/results/2026-12-06-per-request-cost.md.
 */
const builtInChain: CallHandler = BUILT_IN.reduceRight<CallHandler>(
  (next, layer) => layer(next),
  callerAndWire,
);

/** Settles a call: its first request and what its middleware share. */
export function startCall(
  state: SessionState,
  input: string | URL,
  options: RequestOptions,
  timeouts: TimeoutOptions,
  lifeline: Lifeline,
  hooks: Required<Hooks>,
): RequestCall {
  // No hook or middleware sees a call's URL without them: it is only read, so
  // calls to the same string share one parse (apps/bench
  // `scripts/instructions-contenders.mjs`: get-tiny 52,483 → 47,973, get-64k
  // 100,562 → 95,403 instructions per request; results/2026-12-07-pool-wait.md).
  const shareable =
    typeof input === "string" &&
    options.query === undefined &&
    options.hooks === undefined &&
    state.hooks === undefined &&
    options.use === undefined &&
    state.use.length === 0;
  const shared = shareable ? state.urls.get(input) : undefined;
  let url: URL;
  let socketPath: string | undefined;
  if (shared !== undefined) {
    url = shared;
    socketPath = undefined;
  } else {
    ({ url, socketPath } = resolveRequestTarget(state.baseUrl, input, options.query));
    if (shareable && socketPath === undefined) state.urls.keep(input, url);
  }
  const targets = requestTargets(
    state,
    options.tls,
    socketPath ?? options.socketPath,
    options.proxy,
  );
  // Taken out of the URL first, so they never reach the target, Host, response.url or history.
  const fromUrl = takeUrlCredentials(url);
  const requestAuth = checkAuth(options.auth);
  const redirect =
    options.redirect === undefined ? state.redirect : redirectOptions(options.redirect);
  // With a baseUrl, the session's auth and credential headers stay on its origin.
  const defaults = sessionDefaultsFor(state, url, redirect.sensitiveHeaders);
  const body = toRequestBody(options.body, options.json);
  const first: OutgoingRequest = {
    url,
    method: (options.method ?? (body === null ? "GET" : "POST")).toUpperCase(),
    // Request header lists are replaced, never changed in place: the defaults need no copy.
    headers:
      options.headers === undefined
        ? defaults.headers
        : mergeHeaders(defaults.headers, headerPairs(options.headers)),
    body,
  };
  return new RequestCall(
    state,
    {
      options,
      targets,
      timeouts,
      lifeline,
      hooks,
      redirect,
      retry: options.retry === undefined ? state.retry : retryPolicy(options.retry),
      auth: requestAuth === null ? undefined : (requestAuth ?? fromUrl ?? defaults.auth),
      decompress:
        options.decompress === undefined ? state.decompress : decompressOptions(options.decompress),
    },
    first,
  );
}

/** Runs a call's first request through the built-in middleware, the caller's, and the wire. */
export function runCall(call: RequestCall): Promise<Response> {
  const own = call.settings.options.use;
  const session = call.state.use;
  if (own !== undefined || session.length !== 0) {
    // Made once per call, before its first request, as a Middleware expects.
    let handler = (request: OutgoingRequest) => sendRequest(call, request);
    if (own !== undefined) handler = compose(own, handler);
    if (session.length !== 0) handler = compose(session, handler);
    call.callerChain = handler;
  }
  return builtInChain(call, call.current);
}

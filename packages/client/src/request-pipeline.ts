/**
 * What one `request()` call does between the caller's options and the
 * Response: resolve the URL (credentials in it taken out first), settle the
 * per-request policies against the session's, run the hops — each one an
 * attempt (attempt.ts), redirects followed (redirect-chain.ts) — and hand the
 * last response through the `afterResponse` hooks and `throwOnHttpError`.
 */

import { attempt } from "./attempt.ts";
import { checkAuth, takeUrlCredentials } from "./auth.ts";
import { sessionDefaultsFor } from "./base-origin.ts";
import { toRequestBody } from "./body.ts";
import { siteOf } from "./cookies.ts";
import { type Codecs, decompressOptions, loadCodecs } from "./decompress.ts";
import { HttpError } from "./errors.ts";
import type { Hooks } from "./hooks.ts";
import type { Lifeline } from "./lifeline.ts";
import {
  headerPairs,
  mergeHeaders,
  type RequestOptions,
  redirectOptions,
  type TimeoutOptions,
} from "./options.ts";
import { requestTargets } from "./origin-targets.ts";
import { isRedirect } from "./redirect.ts";
import { RedirectChain, redirectHop } from "./redirect-chain.ts";
import type { Hop, RequestContext, SessionState } from "./request-context.ts";
import { resolveRequestTarget } from "./resolve-url.ts";
import { Response } from "./response.ts";
import { retryPolicy } from "./retry.ts";

// The decompression codecs once loaded (`null`: none on this runtime): after
// the first request, later ones need not await the module's promise again.
let loadedCodecs: Codecs | null | undefined;

async function codecs(): Promise<Codecs | undefined> {
  loadedCodecs ??= await loadCodecs();
  return loadedCodecs ?? undefined;
}

/**
 * Runs a request to its final response. `partial` is filled in as the
 * request context, so the caller's onError hooks can see the latest hop.
 */
export async function runRequest(
  state: SessionState,
  input: string | URL,
  options: RequestOptions,
  timeouts: TimeoutOptions,
  lifeline: Lifeline,
  hooks: Required<Hooks>,
  partial: Partial<RequestContext>,
): Promise<Response> {
  const { url, socketPath } = resolveRequestTarget(state.baseUrl, input, options.query);
  const targets = requestTargets(
    state,
    options.tls,
    socketPath ?? options.socketPath,
    options.proxy,
  );
  // Taken out of the URL first, so they never reach the target, Host, response.url or history.
  const fromUrl = takeUrlCredentials(url);
  const requestAuth = checkAuth(options.auth);
  const decompress =
    options.decompress === undefined ? state.decompress : decompressOptions(options.decompress);
  const redirect =
    options.redirect === undefined ? state.redirect : redirectOptions(options.redirect);
  const defaults = sessionDefaultsFor(state, url, redirect.sensitiveHeaders);
  const body = toRequestBody(options.body, options.json);
  const hop: Hop = {
    url,
    method: (options.method ?? (body === null ? "GET" : "POST")).toUpperCase(),
    // Hop header lists are replaced, never changed in place: the defaults need no copy.
    headers:
      options.headers === undefined
        ? defaults.headers
        : mergeHeaders(defaults.headers, headerPairs(options.headers)),
    body,
  };
  // Filled in place (no temporary object to copy from): the caller's onError hooks read `current`.
  const ctx = partial as RequestContext;
  ctx.options = options;
  ctx.targets = targets;
  ctx.timeouts = timeouts;
  ctx.lifeline = lifeline;
  ctx.hooks = hooks;
  ctx.retry = options.retry === undefined ? state.retry : retryPolicy(options.retry);
  ctx.auth = requestAuth === null ? undefined : (requestAuth ?? fromUrl ?? defaults.auth);
  // Only compared while there are credentials to send (url.origin builds a string).
  ctx.authOrigin = ctx.auth === undefined ? undefined : url.origin;
  ctx.site = siteOf(url);
  ctx.leftSite = false;
  ctx.decompress = decompress;
  ctx.codecs = undefined;
  ctx.history = [];
  ctx.retries = 0;
  ctx.started = 0;
  ctx.current = hop;
  if (decompress !== undefined)
    ctx.codecs = loadedCodecs !== undefined ? (loadedCodecs ?? undefined) : await codecs();
  // Only the retry policy asks how much time is left.
  ctx.started = ctx.retry === undefined ? 0 : performance.now();
  const chain = new RedirectChain(redirect, hop.method, url);
  for (let current = hop; ; ) {
    ctx.current = current;
    const response = await attempt(state, ctx, current);
    if (!isRedirect(response.status) || chain.policy.mode === "manual")
      return final(state, ctx, current, response);
    const location = response.headers.get("location");
    if (location === null) return final(state, ctx, current, response);
    current = await redirectHop(state, ctx, chain, current, response, location);
  }
}

/** The response the caller gets: afterResponse hooks, then throwOnHttpError. */
function final(
  state: SessionState,
  ctx: RequestContext,
  hop: Hop,
  response: Response,
): Response | Promise<Response> {
  response.timings.retries = ctx.retries;
  ctx.lifeline.markFinal();
  if (ctx.hooks.afterResponse.length !== 0) return afterResponse(state, ctx, hop, response);
  return checkStatus(state, ctx, response);
}

async function afterResponse(
  state: SessionState,
  ctx: RequestContext,
  hop: Hop,
  response: Response,
): Promise<Response> {
  let final = response;
  for (const hook of ctx.hooks.afterResponse) {
    const replaced = await hook(final, {
      url: hop.url,
      method: hop.method,
      options: ctx.options,
    });
    if (replaced instanceof Response && replaced !== final) {
      if (!final.bodyUsed) await final.dump();
      final = replaced;
    }
  }
  return checkStatus(state, ctx, final);
}

function checkStatus(state: SessionState, ctx: RequestContext, response: Response): Response {
  if ((ctx.options.throwOnHttpError ?? state.throwOnHttpError) && response.status >= 400)
    throw new HttpError(response);
  return response;
}

/**
 * Following redirects: the policy's checks (mode, maximum, loops), the next
 * request as the Fetch standard shapes it (redirect.ts), and the
 * `beforeRedirect` hooks. What a chain loses when it leaves the origin
 * (credentials) or the site (same-site cookies) the auth and cookies
 * middleware work out from the requests they see.
 */
import { RedirectError, RedirectLoopError, TooManyRedirectsError } from "../errors.ts";
import { type HookRedirect, RequestHeaders } from "../hooks.ts";
import type { OutgoingRequest } from "../middleware.ts";
import { followRedirect, isRedirect, type NextHop } from "../redirect.ts";
import type { RequestCall } from "../request-context.ts";
import { resolveUrl } from "../resolve-url.ts";
import type { Response } from "../response.ts";
import { type CallHandler, type Layer, onResponse } from "./layer.ts";

/** Follows redirects as `call.settings.redirect` says (`manual`: returns the 3xx). */
export const redirects: Layer = (next) => {
  // One step for every call of this chain (the call carries its first
  // request), not a closure per request.
  const step = (response: Response, call: RequestCall): Response | Promise<Response> =>
    isRedirect(response.status) && response.headers.has("location")
      ? follow(call, next, call.redirectFirst as OutgoingRequest, response)
      : response;
  return (call, first) => {
    if (call.settings.redirect.mode === "manual") return next(call, first);
    call.redirectFirst = first;
    // Most responses are no redirect: one `then`, and the loop only when there is one to follow.
    return onResponse(call, next(call, first), step);
  };
};

async function follow(
  call: RequestCall,
  next: CallHandler,
  first: OutgoingRequest,
  redirect: Response,
): Promise<Response> {
  // The hops made, for loop detection.
  const visited = new Set([`${first.method} ${first.url.href}`]);
  let response = redirect;
  for (let request = first; ; ) {
    if (!isRedirect(response.status)) return response;
    const location = response.headers.get("location");
    if (location === null) return response;
    request = await nextRequest(call, request, response, location);
    const key = `${request.method} ${request.url.href}`;
    if (visited.has(key)) throw new RedirectLoopError(request.url.href);
    visited.add(key);
    response = await next(call, request);
  }
}

/** The request that follows `response`, a redirect to `location`. */
async function nextRequest(
  call: RequestCall,
  current: OutgoingRequest,
  response: Response,
  location: string,
): Promise<OutgoingRequest> {
  await response.dump();
  const { redirect: policy, hooks } = call.settings;
  if (policy.mode === "error")
    throw new RedirectError(`redirect (${response.status}) to ${location} not allowed`);
  if (call.history.length >= policy.max) throw new TooManyRedirectsError(policy.max);
  // Relative to the URL that answered: a middleware further in may have changed the request's.
  const from = new URL(response.url);
  const next = followRedirect(
    from,
    response.status,
    location,
    current.method,
    current.headers,
    current.body,
    policy.sensitiveHeaders,
  );
  // Credentials in a Location are never used: only the caller gives credentials.
  next.url.username = "";
  next.url.password = "";
  call.history = [
    ...call.history,
    { url: response.url, status: response.status, headers: response.headers },
  ];
  if (hooks.beforeRedirect.length !== 0) await beforeRedirect(call, from, response, next);
  const { state } = call;
  if (state.stayOnBaseOrigin && next.url.origin !== state.baseUrl?.origin)
    throw new RedirectError(`redirect to ${next.url.origin}, outside the session's base origin`);
  return { url: next.url, method: next.method, headers: next.headers, body: next.body };
}

async function beforeRedirect(
  call: RequestCall,
  from: URL,
  response: Response,
  next: NextHop,
): Promise<void> {
  const redirect: HookRedirect = {
    response,
    from,
    url: next.url,
    method: next.method,
    headers: new RequestHeaders(next.headers),
  };
  for (const hook of call.settings.hooks.beforeRedirect) await hook(redirect);
  next.url = resolveUrl(call.state.baseUrl, redirect.url, undefined);
  next.url.username = "";
  next.url.password = "";
  next.method = redirect.method.toUpperCase();
  next.headers = redirect.headers.toList();
}

/**
 * The session's cookie jar as a middleware: the jar's cookies for each
 * request's URL added to its `Cookie` header (caller-given cookies win), and
 * the cookies each response sets stored — redirects' and 401s' included.
 * Same-site status (RFC 6265bis) is that of the site the caller asked for,
 * lost for the rest of the call once a request leaves it.
 */
import type { HeaderList } from "@reqivo/protocol";
import {
  type Cookies,
  type SameSiteContext,
  sameSiteContext,
  siteOf,
  withJarCookies,
} from "../cookies.ts";
import { type Handler, type Middleware, type OutgoingRequest, passThrough } from "../middleware.ts";
import type { Response } from "../response.ts";
import { type Layer, onResponse } from "./layer.ts";

/** The jar's cookies on every request, its responses' cookies into the jar (no jar: nothing to do). */
export const cookies: Layer = (next) => (call, request) => {
  const jar = call.state.cookies;
  if (jar === undefined) return next(call, request);
  // The call's request handler is only made when the jar has cookies to look up.
  if (jar.knownEmpty) {
    const pending = next(call, noteSite(call, request));
    return onResponse(call, pending, (response) => storeCookies(jar, call, response, request));
  }
  return withJar(jar, call, (sent) => next(call, sent), request);
};

/** Same-site status for a chain of requests: that of `asked`'s site, lost once a request leaves it. */
interface SiteScope {
  readonly asked: URL;
  /** `asked`'s site once looked up (the public-suffix lookup is costly: only when a cookie needs it). */
  askedSite: string | undefined;
  leftSite: boolean;
}

/**
 * The jar's cookies on requests, their responses' cookies into it, with
 * same-site status that of `first`'s site (WebSocket handshakes; HTTP
 * requests go through the {@link cookies} layer).
 */
export function cookieJar(jar: Cookies | undefined, first: URL): Middleware {
  if (jar === undefined) return passThrough;
  const scope: SiteScope = { asked: first, askedSite: undefined, leftSite: false };
  return (next) => (request) => {
    if (jar.knownEmpty) return stored(jar, scope, next(noteSite(scope, request)), request);
    return withJar(jar, scope, next, request);
  };
}

/** Notes whether `request` left the scope's site; returns it unchanged. */
function noteSite(scope: SiteScope, request: OutgoingRequest): OutgoingRequest {
  if (!scope.leftSite && request.url !== scope.asked && siteOf(request.url) !== askedSite(scope))
    scope.leftSite = true;
  return request;
}

function askedSite(scope: SiteScope): string {
  scope.askedSite ??= siteOf(scope.asked);
  return scope.askedSite;
}

/** The same-site context of `request`, asked only when a cookie is looked up or stored. */
function context(scope: SiteScope, request: OutgoingRequest): SameSiteContext {
  return sameSiteContext(askedSite(scope), request.url, request.method, scope.leftSite);
}

async function withJar(
  jar: Cookies,
  scope: SiteScope,
  next: Handler,
  request: OutgoingRequest,
): Promise<Response> {
  noteSite(scope, request);
  const headers: HeaderList = withJarCookies(
    request.headers,
    await jar.header(request.url, context(scope, request)),
  );
  const sent = { url: request.url, method: request.method, headers, body: request.body };
  return stored(jar, scope, next(sent), request);
}

/** The response once the cookies it set are in the jar. */
function stored(
  jar: Cookies,
  scope: SiteScope,
  pending: Promise<Response>,
  request: OutgoingRequest,
): Promise<Response> {
  return pending.then((response) => storeCookies(jar, scope, response, request));
}

/** `response` once the cookies it sets are in the jar (at once when it sets none). */
function storeCookies(
  jar: Cookies,
  scope: SiteScope,
  response: Response,
  request: OutgoingRequest,
): Response | Promise<Response> {
  const setCookies = response.headers.getSetCookie();
  if (setCookies.length === 0) return response;
  return jar.store(request.url, setCookies, context(scope, request)).then(() => response);
}

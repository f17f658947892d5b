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
import type { RequestCall } from "../request-context.ts";
import type { Response } from "../response.ts";

/** The jar's cookies on every request, its responses' cookies into the jar (no jar: nothing to do). */
export function cookies(call: RequestCall): Middleware {
  return cookieJar(call.state.cookies, call.current.url);
}

/**
 * The jar's cookies on requests, their responses' cookies into it, with
 * same-site status that of `first`'s site (HTTP requests and WebSocket
 * handshakes alike).
 */
export function cookieJar(jar: Cookies | undefined, first: URL): Middleware {
  if (jar === undefined) return passThrough;
  // The public-suffix lookup is costly: made only when a cookie is looked up or stored.
  let site: string | undefined;
  const firstSite = () => (site ??= siteOf(first));
  let leftSite = false;
  return (next) => (request) => {
    if (!leftSite && request.url !== first && siteOf(request.url) !== firstSite()) leftSite = true;
    const context = () => sameSiteContext(firstSite(), request.url, request.method, leftSite);
    // An empty jar has nothing to look up: no await before the exchange.
    if (jar.knownEmpty) return stored(jar, context, next(request), request);
    return withJar(jar, context, next, request);
  };
}

async function withJar(
  jar: Cookies,
  context: () => SameSiteContext,
  next: Handler,
  request: OutgoingRequest,
): Promise<Response> {
  const headers: HeaderList = withJarCookies(
    request.headers,
    await jar.header(request.url, context()),
  );
  const sent = { url: request.url, method: request.method, headers, body: request.body };
  return stored(jar, context, next(sent), request);
}

/** The response once the cookies it set are in the jar. */
function stored(
  jar: Cookies,
  context: () => SameSiteContext,
  pending: Promise<Response>,
  request: OutgoingRequest,
): Promise<Response> {
  return pending.then((response) => {
    const setCookies = response.headers.getSetCookie();
    if (setCookies.length === 0) return response;
    return jar.store(request.url, setCookies, context()).then(() => response);
  });
}

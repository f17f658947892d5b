/**
 * Following one redirect of a request's chain: the policy's checks (mode,
 * maximum, loops), the next hop as the Fetch standard shapes it (redirect.ts),
 * the `beforeRedirect` hooks, and what the chain loses when it leaves the
 * origin (credentials) or the site (same-site cookies).
 */
import { siteOf } from "./cookies.ts";
import { RedirectError, RedirectLoopError, TooManyRedirectsError } from "./errors.ts";
import { type HookRedirect, RequestHeaders } from "./hooks.ts";
import type { RedirectOptions } from "./options.ts";
import { followRedirect, type NextHop } from "./redirect.ts";
import type { Hop, RequestContext, SessionState } from "./request-context.ts";
import { resolveUrl } from "./resolve-url.ts";
import type { Response } from "./response.ts";

/**
 * The hops a request has made, for loop detection. The set is built on the
 * first redirect only: most requests are never redirected.
 */
export class RedirectChain {
  readonly policy: Required<RedirectOptions>;
  readonly #firstMethod: string;
  readonly #firstUrl: URL;
  #visited: Set<string> | undefined;

  /** `firstMethod` and `firstUrl`: the hop the caller asked for (its key is made at the first redirect). */
  constructor(policy: Required<RedirectOptions>, firstMethod: string, firstUrl: URL) {
    this.policy = policy;
    this.#firstMethod = firstMethod;
    this.#firstUrl = firstUrl;
  }

  /** Adds a hop; false when it was already made (a loop). */
  add(method: string, href: string): boolean {
    this.#visited ??= new Set([`${this.#firstMethod} ${this.#firstUrl.href}`]);
    const key = `${method} ${href}`;
    if (this.#visited.has(key)) return false;
    this.#visited.add(key);
    return true;
  }
}

/** The hop that follows `response` (a redirect with a Location the policy lets us follow). */
export async function redirectHop(
  state: SessionState,
  ctx: RequestContext,
  chain: RedirectChain,
  current: Hop,
  response: Response,
  location: string,
): Promise<Hop> {
  await response.dump();
  const policy = chain.policy;
  if (policy.mode === "error")
    throw new RedirectError(`redirect (${response.status}) to ${location} not allowed`);
  if (ctx.history.length >= policy.max) throw new TooManyRedirectsError(policy.max);
  const next = followRedirect(
    current.url,
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
  ctx.history.push({
    url: current.url.href,
    status: response.status,
    headers: response.headers,
  });
  if (ctx.hooks.beforeRedirect.length !== 0)
    await beforeRedirect(state, ctx, current.url, response, next);
  if (!chain.add(next.method, next.url.href)) throw new RedirectLoopError(next.url.href);
  if (state.stayOnBaseOrigin && next.url.origin !== state.baseUrl?.origin)
    throw new RedirectError(`redirect to ${next.url.origin}, outside the session's base origin`);
  // Once the chain leaves the origin (or site), it never regains its credentials (or same-site status).
  if (next.url.origin !== ctx.authOrigin) ctx.authOrigin = undefined;
  if (siteOf(next.url) !== ctx.site) ctx.leftSite = true;
  return next;
}

async function beforeRedirect(
  state: SessionState,
  ctx: RequestContext,
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
  for (const hook of ctx.hooks.beforeRedirect) await hook(redirect);
  next.url = resolveUrl(state.baseUrl, redirect.url, undefined);
  next.url.username = "";
  next.url.password = "";
  next.method = redirect.method.toUpperCase();
  next.headers = redirect.headers.toList();
}

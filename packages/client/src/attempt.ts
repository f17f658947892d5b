/**
 * One hop of a request, made as often as the retry policy says: the
 * `beforeRequest` hooks, the session's cookies and credentials added to the
 * headers, the exchange itself (send-hop.ts), the cookies its response set
 * stored, and a Digest challenge answered by sending the hop once more.
 *
 * The plain case — no hooks, no retry policy, no cookies in the jar, no
 * Digest — takes no await of its own beyond the exchange: each step returns
 * synchronously when it has nothing to wait for.
 */
import type { HeaderList, Headers } from "@reqivo/protocol";
import { type AuthOptions, takeUrlCredentials, upFrontAuthorization } from "./auth.ts";
import { toRequestBody } from "./body.ts";
import { sameSiteContext, withJarCookies } from "./cookies.ts";
import { loadMd5, pickDigestChallenge } from "./digest.ts";
import { hasHeader } from "./header-input.ts";
import { type HookRequest, type HookRetry, isRequestBody, RequestHeaders } from "./hooks.ts";
import type { Hop, RequestContext, SessionState } from "./request-context.ts";
import { resolveUrl } from "./resolve-url.ts";
import type { Response } from "./response.ts";
import { retryDelay, sleep } from "./retry.ts";
import { sendHop } from "./send-hop.ts";

/** One hop, retried as the retry policy says. */
export function attempt(state: SessionState, ctx: RequestContext, hop: Hop): Promise<Response> {
  // Without a policy nothing is retried (and no beforeRetry hook runs): no loop needed.
  return ctx.retry === undefined
    ? authenticated(state, ctx, hop, true)
    : withRetries(state, ctx, hop);
}

/** What a failed attempt leaves behind: its reason, and no phase timer running into a retry's wait. */
function failedAttempt(ctx: RequestContext, failure: unknown): unknown {
  const error = ctx.lifeline.explain(failure);
  // The failed exchange's connection is gone: stop its phase timer before any wait.
  if (ctx.lifeline.reason === undefined) ctx.lifeline.bodyEnded();
  return error;
}

async function withRetries(state: SessionState, ctx: RequestContext, hop: Hop): Promise<Response> {
  for (let retry = 1; ; retry++) {
    let response: Response | undefined;
    let error: unknown;
    try {
      response = await authenticated(state, ctx, hop, false);
    } catch (failure) {
      error = failedAttempt(ctx, failure);
    }
    const total = ctx.timeouts.total;
    const delay = retryDelay(ctx.retry, {
      retry,
      method: hop.method,
      body: hop.body,
      response,
      error,
      ended: ctx.lifeline.reason !== undefined,
      timeLeft: total === undefined ? undefined : total - (performance.now() - ctx.started),
    });
    if (delay === undefined) {
      if (response !== undefined) return response;
      throw error;
    }
    const info: HookRetry = {
      attempt: retry,
      error,
      response,
      url: hop.url,
      method: hop.method,
      delay,
    };
    try {
      for (const hook of ctx.hooks.beforeRetry) await hook(info);
    } finally {
      await response?.dump();
    }
    await sleep(info.delay, ctx.lifeline.signal);
    ctx.retries++;
  }
}

/**
 * One exchange, with cookies stored from its response and a Digest challenge
 * answered once. `final`: no retry follows, so a failure is settled here
 * (what the retry loop would otherwise do with it).
 */
async function authenticated(
  state: SessionState,
  ctx: RequestContext,
  hop: Hop,
  final: boolean,
): Promise<Response> {
  try {
    if (ctx.hooks.beforeRequest.length !== 0) await beforeRequest(state, ctx, hop);
    for (let answered = false; ; answered = true) {
      const pending = credentialHeaders(state, ctx, hop);
      const headers = pending instanceof Promise ? await pending : pending;
      const response = await sendHop(state, ctx, hop, headers);
      const storing = storeCookies(state, ctx, hop, response.headers);
      if (storing !== undefined) await storing;
      if (response.status !== 401 || answered || !(await takeChallenge(state, ctx, hop, response)))
        return response;
      await response.dump();
    }
  } catch (failure) {
    throw final ? failedAttempt(ctx, failure) : failure;
  }
}

function authFor(ctx: RequestContext, url: URL): AuthOptions | undefined {
  // Without credentials there is no origin to compare (url.origin builds a string).
  if (ctx.auth === undefined) return undefined;
  return url.origin === ctx.authOrigin ? ctx.auth : undefined;
}

/** Remembers a Digest challenge we can answer by sending the request again. */
async function takeChallenge(
  state: SessionState,
  ctx: RequestContext,
  hop: Hop,
  response: Response,
): Promise<boolean> {
  const auth = authFor(ctx, hop.url);
  if (auth === undefined || !("digest" in auth)) return false;
  if (hop.body !== null && !hop.body.replayable) return false;
  // An Authorization header the caller wrote is theirs to answer.
  if (hasHeader(hop.headers, "authorization")) return false;
  const challenge = pickDigestChallenge(response.headers, (await loadMd5()) !== null);
  if (challenge === undefined) return false;
  state.digest.remember(hop.url.origin, challenge);
  return true;
}

/**
 * The hop's headers plus jar cookies, credentials and Accept-Encoding;
 * synchronous unless the jar has cookies to look up or Digest is in play.
 */
function credentialHeaders(
  state: SessionState,
  ctx: RequestContext,
  hop: Hop,
): HeaderList | Promise<HeaderList> {
  const auth = authFor(ctx, hop.url);
  const cookies = state.cookies;
  if ((cookies !== undefined && !cookies.knownEmpty) || (auth !== undefined && "digest" in auth))
    return lookedUpHeaders(state, ctx, hop, auth);
  let headers = hop.headers;
  if (auth !== undefined && !hasHeader(headers, "authorization")) {
    const value = upFrontAuthorization(auth);
    if (value !== undefined) headers = [...headers, ["authorization", value]];
  }
  return withAcceptEncoding(ctx, headers);
}

/** {@link credentialHeaders} when the jar or a Digest answer has to be awaited. */
async function lookedUpHeaders(
  state: SessionState,
  ctx: RequestContext,
  hop: Hop,
  auth: AuthOptions | undefined,
): Promise<HeaderList> {
  let headers = hop.headers;
  if (state.cookies !== undefined) {
    const context = sameSiteContext(ctx.site, hop.url, hop.method, ctx.leftSite);
    headers = withJarCookies(headers, await state.cookies.header(hop.url, context));
  }
  if (auth !== undefined && !hasHeader(headers, "authorization")) {
    const value = await authorization(state, auth, hop.url, hop.method);
    if (value !== undefined) headers = [...headers, ["authorization", value]];
  }
  return withAcceptEncoding(ctx, headers);
}

function withAcceptEncoding(ctx: RequestContext, headers: HeaderList): HeaderList {
  if (ctx.codecs !== undefined && !hasHeader(headers, "accept-encoding"))
    return [...headers, ["accept-encoding", ctx.codecs.acceptEncoding]];
  return headers;
}

/** The `Authorization` value for `auth`: up front for Basic/Bearer, a remembered challenge's answer for Digest. */
export function authorization(
  state: SessionState,
  auth: AuthOptions,
  url: URL,
  method: string,
): Promise<string | undefined> {
  const upFront = upFrontAuthorization(auth);
  if (upFront !== undefined || !("digest" in auth)) return Promise.resolve(upFront);
  return state.digest.answer(url.origin, auth.digest, method, `${url.pathname}${url.search}`);
}

/** Stores the response's cookies; `undefined` when there is nothing to store (no await needed). */
function storeCookies(
  state: SessionState,
  ctx: RequestContext,
  hop: Hop,
  headers: Headers,
): Promise<void> | undefined {
  const cookies = state.cookies;
  if (cookies === undefined) return undefined;
  const setCookies = headers.getSetCookie();
  if (setCookies.length === 0) return undefined;
  const context = sameSiteContext(ctx.site, hop.url, hop.method, ctx.leftSite);
  return cookies.store(hop.url, setCookies, context);
}

async function beforeRequest(state: SessionState, ctx: RequestContext, hop: Hop): Promise<void> {
  const request: HookRequest = {
    url: hop.url,
    method: hop.method,
    headers: new RequestHeaders(hop.headers),
    body: hop.body,
    retryCount: ctx.retries,
    redirectCount: ctx.history.length,
    options: ctx.options,
  };
  for (const hook of ctx.hooks.beforeRequest) await hook(request);
  const url = resolveUrl(state.baseUrl, request.url, undefined);
  takeUrlCredentials(url);
  hop.url = url;
  hop.method = request.method.toUpperCase();
  hop.headers = request.headers.toList();
  hop.body = isRequestBody(request.body) ? request.body : toRequestBody(request.body, undefined);
}

/**
 * Credentials as a middleware: Basic and Bearer sent up front, Digest
 * (RFC 7616) as a flow — a 401 with a challenge it can answer is answered
 * once by sending the request again, and later requests to the origin answer
 * the remembered challenge up front. Credentials go only to the origin the
 * caller asked for: once a request leaves it (a redirect), none are sent
 * again in this call. An `Authorization` header the caller wrote wins.
 */
import type { HeaderList } from "@reqivo/protocol";
import { type AuthOptions, upFrontAuthorization } from "../auth.ts";
import { loadMd5, pickDigestChallenge } from "../digest.ts";
import { hasHeader } from "../header-input.ts";
import { type Handler, type Middleware, type OutgoingRequest, passThrough } from "../middleware.ts";
import type { RequestCall, SessionState } from "../request-context.ts";
import type { Response } from "../response.ts";

/** The call's credentials on the requests to its origin (no credentials: nothing to do). */
export function auth(call: RequestCall): Middleware {
  return credentialsFor(call.state, call.settings.auth, call.current.url);
}

/**
 * `credentials` on the requests to `asked`'s origin, Digest challenges
 * remembered in the session's cache (HTTP requests and WebSocket handshakes
 * alike).
 */
export function credentialsFor(
  state: SessionState,
  credentials: AuthOptions | undefined,
  asked: URL,
): Middleware {
  if (credentials === undefined) return passThrough;
  // The origin the caller asked for; `undefined` once a request left it.
  let origin: string | undefined = asked.origin;
  const upFront = upFrontAuthorization(credentials);
  return (next) => (request) => {
    if (origin !== undefined && request.url.origin !== origin) origin = undefined;
    if (origin === undefined || hasHeader(request.headers, "authorization")) return next(request);
    if (upFront !== undefined) return next(withAuthorization(request, upFront));
    return digestFlow(state, credentials, next, request);
  };
}

function withAuthorization(request: OutgoingRequest, value: string): OutgoingRequest {
  const headers: HeaderList = [...request.headers, ["authorization", value]];
  return { url: request.url, method: request.method, headers, body: request.body };
}

/** Digest: the remembered challenge answered up front, and a new 401 challenge answered once. */
async function digestFlow(
  state: SessionState,
  credentials: AuthOptions,
  next: Handler,
  request: OutgoingRequest,
): Promise<Response> {
  const first = await authorization(state, credentials, request.url, request.method);
  const response = await next(first === undefined ? request : withAuthorization(request, first));
  if (response.status !== 401 || !(await takeChallenge(state, request, response))) return response;
  await response.dump();
  const answer = await authorization(state, credentials, request.url, request.method);
  return next(answer === undefined ? request : withAuthorization(request, answer));
}

/** Remembers a Digest challenge we can answer by sending the request again. */
async function takeChallenge(
  state: SessionState,
  request: OutgoingRequest,
  response: Response,
): Promise<boolean> {
  if (request.body !== null && !request.body.replayable) return false;
  const challenge = pickDigestChallenge(response.headers, (await loadMd5()) !== null);
  if (challenge === undefined) return false;
  state.digest.remember(request.url.origin, challenge);
  return true;
}

/**
 * The `Authorization` value for `auth`: up front for Basic/Bearer, a
 * remembered challenge's answer for Digest (`undefined`: none yet).
 */
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

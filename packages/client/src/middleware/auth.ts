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
import type { SessionState } from "../request-context.ts";
import type { Response } from "../response.ts";
import type { Layer } from "./layer.ts";

/** The call's credentials on the requests to the origin it asked for (no credentials: nothing to do). */
export const auth: Layer = (next) => (call, request) => {
  const credentials = call.settings.auth;
  if (credentials === undefined) return next(call, request);
  return withCredentials(call.state, credentials, call, (sent) => next(call, sent), request);
};

/** Where credentials may go: the origin asked for, until a request leaves it. */
interface CredentialsScope {
  readonly asked: URL;
  /** Set once a request left `asked`'s origin: no credentials from then on. */
  leftOrigin: boolean;
}

/**
 * `credentials` on the requests to `asked`'s origin, Digest challenges
 * remembered in the session's cache (WebSocket handshakes; HTTP requests
 * go through the {@link auth} layer).
 */
export function credentialsFor(
  state: SessionState,
  credentials: AuthOptions | undefined,
  asked: URL,
): Middleware {
  if (credentials === undefined) return passThrough;
  const scope: CredentialsScope = { asked, leftOrigin: false };
  return (next) => (request) => withCredentials(state, credentials, scope, next, request);
}

function withCredentials(
  state: SessionState,
  credentials: AuthOptions,
  scope: CredentialsScope,
  next: Handler,
  request: OutgoingRequest,
): Promise<Response> {
  if (!scope.leftOrigin && request.url.origin !== scope.asked.origin) scope.leftOrigin = true;
  if (scope.leftOrigin || hasHeader(request.headers, "authorization")) return next(request);
  const upFront = upFrontAuthorization(credentials);
  if (upFront !== undefined) return next(withAuthorization(request, upFront));
  return digestFlow(state, credentials, next, request);
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

/**
 * What a Session's own settings give a request for `url`: its default
 * headers and `auth`. With a `baseUrl`, credentials belong to the base origin:
 * a request elsewhere (an absolute or `//host` URL) gets the defaults without
 * their origin-bound headers and no session `auth` — the class of axios
 * CVE-2025-27152 — or is refused when the session stays on its base origin.
 */
import type { HeaderList } from "@reqivo/protocol";
import type { AuthOptions } from "./auth.ts";
import { InvalidRequestError } from "./errors.ts";
import { withoutOriginBoundHeaders } from "./redirect.ts";
import type { SessionState } from "./request-context.ts";

/** The session's defaults as they apply to one request. */
export interface SessionDefaults {
  headers: HeaderList;
  auth: AuthOptions | undefined;
}

/**
 * The session defaults for a request to `url`; `sensitive` lists the
 * origin-bound headers beside the standard ones (`redirect.sensitiveHeaders`).
 *
 * @example
 * ```ts
 * sessionDefaultsFor(state, new URL("https://elsewhere.test/x"), DEFAULT_SENSITIVE_HEADERS).auth;
 * // undefined when the session's baseUrl is another origin
 * ```
 */
export function sessionDefaultsFor(
  state: Pick<SessionState, "baseUrl" | "stayOnBaseOrigin" | "headers" | "auth">,
  url: URL,
  sensitive: readonly string[],
): SessionDefaults {
  if (state.baseUrl === undefined || url.origin === state.baseUrl.origin)
    return { headers: state.headers, auth: state.auth };
  if (state.stayOnBaseOrigin)
    throw new InvalidRequestError(`${url.origin} is not the session's base origin`);
  return { headers: withoutOriginBoundHeaders(state.headers, sensitive), auth: undefined };
}

/**
 * What other parts of this package (the WebSocket client) need from a
 * Session without it becoming public API: the cookie and credential headers
 * a request to a URL would carry, and storing the cookies a response set.
 * Reached through a symbol-keyed method, so it stays off the public surface.
 */
import type { HeaderList, Headers } from "@reqivo/protocol";
import type { AuthOptions } from "./auth.ts";

/**
 * Symbol of the Session method that returns its {@link SessionInternals}.
 *
 * @example
 * ```ts
 * const internals = session[SESSION_INTERNALS]();
 * ```
 */
export const SESSION_INTERNALS: unique symbol = Symbol("reqivo.session.internals");

/**
 * A session's credential plumbing, for requests the Session does not send itself (WebSocket handshakes).
 *
 * @example
 * ```ts
 * const { credentialHeaders, storeCookies } = sessionInternals(session);
 * ```
 */
export interface SessionInternals {
  /**
   * `headers` plus what the session adds for `url`: its default headers
   * (caller's win), the jar's `Cookie` (merged with a caller-given one), and
   * `Authorization` for Basic/Bearer auth — `auth` (`null`: none), else
   * `user:pass@` in `url`, else the session's auth — or Digest when a
   * challenge of that origin was already answered. `ws:`/`wss:` URLs work
   * (`wss:` counts as secure for Secure cookies). The URL is not modified.
   */
  credentialHeaders(
    url: URL,
    headers?: HeaderList,
    auth?: AuthOptions | null,
    method?: string,
  ): Promise<HeaderList>;
  /** Stores the `Set-Cookie` fields of a response received from `url` (no-op when cookies are off). */
  storeCookies(url: URL, headers: Headers): Promise<void>;
}

/**
 * The internals of `session`.
 *
 * @example
 * ```ts
 * const internals = sessionInternals(session);
 * const headers = await internals.credentialHeaders(new URL("wss://chat.test/socket"), [["sec-websocket-version", "13"]]);
 * // … after the 101: await internals.storeCookies(url, response.headers);
 * ```
 */
export function sessionInternals(session: {
  [SESSION_INTERNALS](): SessionInternals;
}): SessionInternals {
  return session[SESSION_INTERNALS]();
}

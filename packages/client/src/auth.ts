/**
 * Request authentication: Basic (RFC 7617) and Bearer (RFC 6750) sent up
 * front, Digest (RFC 7616, see digest.ts) answered on a 401 challenge, and
 * credentials written into the URL (`http://user:pass@host/`) taken as Basic
 * and removed from the URL so they never reach the request target, the Host
 * header, `response.url` or a log line.
 */
import { basicAuthorization, type Credentials } from "./connection/basic-credentials.ts";
import { checkDigestUsername } from "./digest.ts";
import { InvalidRequestError } from "./errors.ts";

/**
 * The `auth` option of a session or request.
 *
 * @example
 * ```ts
 * await session.get(url, { auth: { basic: { username: "ada", password: "s3cret" } } });
 * await session.get(url, { auth: { bearer: token } });
 * await session.get(url, { auth: { digest: { username: "ada", password: "s3cret" } } });
 * ```
 */
export type AuthOptions = { basic: Credentials } | { bearer: string } | { digest: Credentials };

/**
 * Checks an `auth` option's shape; `null` (per request) turns the session's auth off.
 *
 * @example
 * ```ts
 * checkAuth({ bearer: "t0ken" }); // returns it unchanged
 * ```
 */
export function checkAuth(auth: AuthOptions | null | undefined): AuthOptions | null | undefined {
  if (auth === undefined || auth === null) return auth;
  const pair = (value: unknown): value is Credentials =>
    typeof (value as Credentials | undefined)?.username === "string" &&
    typeof (value as Credentials).password === "string";
  if ("basic" in auth && pair(auth.basic)) return auth;
  if ("digest" in auth && pair(auth.digest)) {
    checkDigestUsername(auth.digest.username);
    return auth;
  }
  if ("bearer" in auth && typeof auth.bearer === "string" && !/[\r\n]/.test(auth.bearer))
    return auth;
  throw new InvalidRequestError(
    "auth must be { basic: { username, password } }, { bearer: token } or { digest: { username, password } }",
  );
}

/**
 * Removes `user:pass@` from `url` (in place) and returns it as Basic auth.
 *
 * @example
 * ```ts
 * const url = new URL("http://ada:s%20cret@127.0.0.1:8080/x");
 * takeUrlCredentials(url); // { basic: { username: "ada", password: "s cret" } }
 * url.href;                // "http://127.0.0.1:8080/x"
 * ```
 */
export function takeUrlCredentials(url: URL): AuthOptions | undefined {
  if (url.username === "" && url.password === "") return undefined;
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  const basic = { username: decode(url.username), password: decode(url.password) };
  url.username = "";
  url.password = "";
  return { basic };
}

/**
 * The up-front `Authorization` value for Basic or Bearer auth (`undefined` for Digest, which waits for a challenge).
 *
 * @example
 * ```ts
 * upFrontAuthorization({ bearer: "t0ken" }); // "Bearer t0ken"
 * ```
 */
export function upFrontAuthorization(auth: AuthOptions): string | undefined {
  if ("basic" in auth) return basicAuthorization(auth.basic);
  if ("bearer" in auth) return `Bearer ${auth.bearer}`;
  return undefined;
}

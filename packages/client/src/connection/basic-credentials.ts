/**
 * Basic credentials (RFC 7617) and their header value: used by the auth
 * middleware for servers and by proxy dialing for `Proxy-Authorization`.
 */
import { InvalidRequestError } from "../errors.ts";

/**
 * A user name and password.
 *
 * @example
 * ```ts
 * const credentials: Credentials = { username: "ada", password: "s3cret" };
 * ```
 */
export interface Credentials {
  username: string;
  password: string;
}

const encoder = new TextEncoder();

/** Base64 of UTF-8 text (RFC 7617 §2.1 `charset="UTF-8"`), without Node's Buffer. */
function base64(text: string): string {
  let binary = "";
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The `Authorization` value for Basic credentials.
 *
 * @example
 * ```ts
 * basicAuthorization({ username: "Aladdin", password: "open sesame" }); // "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
 * ```
 */
export function basicAuthorization(credentials: Credentials): string {
  if (credentials.username.includes(":"))
    throw new InvalidRequestError("a Basic auth user name cannot contain ':'");
  return `Basic ${base64(`${credentials.username}:${credentials.password}`)}`;
}

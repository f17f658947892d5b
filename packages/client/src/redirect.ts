/**
 * What a followed redirect does to the next request (Fetch standard §4.4,
 * "HTTP-redirect fetch"), and which headers never cross to another origin.
 */
import type { HeaderList } from "@reqivo/protocol";
import type { RequestBody } from "./connection/request-body.ts";
import { RedirectError } from "./errors.ts";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Whether the status is a redirect this client can follow. */
export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

// Credentials and conditional fields are about the original origin (undici
// advisories CVE-2022-31151, CVE-2024-24758, CVE-2024-30260 came from carrying them),
// and a caller's Host names the original server: carried along, it would send the
// new origin's request to the old virtual host.
const ORIGIN_BOUND = new Set([
  "host",
  "authorization",
  "proxy-authorization",
  "cookie",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
  "if-range",
]);

/**
 * API-key and token headers that services define for themselves, dropped
 * like `Authorization` when a request leaves the origin they were set for
 * (follow-redirects strips non-standard headers for the same reason). Pass
 * your own list as `redirect.sensitiveHeaders`; extend this one to keep it.
 *
 * @example
 * ```ts
 * new Session({ transport, redirect: { sensitiveHeaders: [...DEFAULT_SENSITIVE_HEADERS, "x-tenant-secret"] } });
 * ```
 */
export const DEFAULT_SENSITIVE_HEADERS: readonly string[] = Object.freeze([
  "x-api-key",
  "api-key",
  "x-auth-token",
  "x-access-token",
  "x-csrf-token",
  "x-xsrf-token",
  "x-amz-security-token",
  "x-goog-api-key",
  "private-token",
  "x-vault-token",
  "ocp-apim-subscription-key",
]);

/**
 * `headers` without those bound to the origin they were set for: the
 * standard credential and conditional fields, Host, and the `sensitive`
 * names (lower case). The one rule for a redirect that leaves the origin and
 * for a session's defaults sent outside its `baseUrl`.
 *
 * @example
 * ```ts
 * withoutOriginBoundHeaders([["authorization", "Bearer t"], ["x-api-key", "k"], ["accept", "*\/*"]], ["x-api-key"]);
 * // [["accept", "*\/*"]]
 * ```
 */
export function withoutOriginBoundHeaders(
  headers: HeaderList,
  sensitive: readonly string[],
): HeaderList {
  return headers.filter(([name]) => {
    const lower = name.toLowerCase();
    return !ORIGIN_BOUND.has(lower) && !sensitive.includes(lower);
  });
}

/** The request that follows a redirect. */
export interface NextHop {
  url: URL;
  method: string;
  headers: HeaderList;
  body: RequestBody | null;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Header values arrive decoded as latin1. Servers such as nginx send a
 * Location with raw UTF-8 bytes; read those bytes as UTF-8 when they are
 * valid UTF-8 (as curl, undici and Bun do), otherwise keep the latin1 text.
 */
function locationText(location: string): string {
  if (!/[\u0080-\u00ff]/.test(location) || /[^\u0000-\u00ff]/.test(location)) return location;
  const bytes = Uint8Array.from(location, (char) => char.charCodeAt(0));
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return location;
  }
}

/**
 * Computes the next hop, or throws RedirectError when it cannot be followed.
 *
 * @example
 * ```ts
 * const next = followRedirect(new URL("http://a/x"), 303, "/y", "POST", [["content-type", "text/plain"]], null, []);
 * next.method; // "GET", and content-type is dropped
 * ```
 */
export function followRedirect(
  from: URL,
  status: number,
  location: string,
  method: string,
  headers: HeaderList,
  body: RequestBody | null,
  sensitiveHeaders: readonly string[],
): NextHop {
  let url: URL;
  try {
    url = new URL(locationText(location), from);
  } catch (cause) {
    throw new RedirectError(
      `invalid redirect location ${JSON.stringify(location)}: ${String(cause)}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RedirectError(`redirect to unsupported scheme ${url.protocol}`);
  }
  // A fragment-less location inherits the original fragment (RFC 9110 §10.2.2); it never goes on the wire anyway.
  const toGet =
    ((status === 301 || status === 302) && method === "POST") ||
    (status === 303 && method !== "HEAD");
  let next = headers;
  let nextBody = body;
  let nextMethod = method;
  if (toGet) {
    nextMethod = "GET";
    nextBody = null;
    next = next.filter(([name]) => !name.toLowerCase().startsWith("content-"));
  } else if (body !== null && !body.replayable) {
    throw new RedirectError(
      `cannot follow a ${status} redirect: the streamed request body cannot be sent again`,
    );
  }
  if (url.origin !== from.origin) next = withoutOriginBoundHeaders(next, sensitiveHeaders);
  return { url, method: nextMethod, headers: next, body: nextBody };
}

/**
 * The session's cookie jar. Storage and matching rules (RFC 6265bis: Domain,
 * Path, Secure, HttpOnly, SameSite, Expires/Max-Age, host-only cookies,
 * `__Host-`/`__Secure-` prefixes, public-suffix rejection) are tough-cookie's,
 * a maintained implementation with the public-suffix list (through tldts);
 * this module only decides which "site" a request is made for and how the
 * jar's cookies meet a caller-given `Cookie` header.
 */
import type { HeaderList } from "@reqivo/protocol";
import { CookieJar, getPublicSuffix, type SerializedCookieJar } from "tough-cookie";
import { InvalidRequestError } from "./errors.ts";

/**
 * How a request relates to the site the caller asked for (RFC 6265bis §5.2).
 *
 * @example
 * ```ts
 * await session.cookies?.header("https://b.test/", "lax"); // Strict cookies left out
 * ```
 */
export type SameSiteContext = "strict" | "lax" | "none";

/**
 * What a session needs from a cookie jar. tough-cookie's `CookieJar` has this
 * shape, so one with a persistent store can be passed as it is.
 *
 * @example
 * ```ts
 * import { Session } from "@reqivo/client";
 * import { CookieJar } from "tough-cookie";
 * const session = new Session({ transport, cookies: new CookieJar() });
 * ```
 */
export interface CookieJarLike {
  getCookieString(
    url: string,
    options?: { sameSiteContext?: SameSiteContext; http?: boolean },
  ): Promise<string>;
  setCookie(
    cookie: string,
    url: string,
    options?: { sameSiteContext?: SameSiteContext; http?: boolean; ignoreError?: boolean },
  ): Promise<unknown>;
  /** Needed by `session.cookies.toJSON()`. */
  toJSON?(): unknown;
  /** Needed by `session.cookies.clear()`. */
  removeAllCookies?(): Promise<void>;
}

/**
 * A jar exported with `session.cookies.toJSON()` (tough-cookie's serialization format).
 *
 * @example
 * ```ts
 * const snapshot: CookieJarSnapshot = session.cookies!.toJSON();
 * new Session({ transport, cookies: snapshot });
 * ```
 */
export type CookieJarSnapshot = SerializedCookieJar;

/**
 * The `cookies` option: on (default), off, a jar of your own, or a snapshot to start from.
 *
 * @example
 * ```ts
 * new Session({ transport, cookies: false });
 * ```
 */
export type CookiesOption = boolean | CookieJarLike | CookieJarSnapshot;

const JAR_OPTIONS = {
  rejectPublicSuffixes: true,
  // Invalid __Host-/__Secure- cookies are dropped (errors are ignored on storage anyway).
  prefixSecurity: "strict",
  // Secure cookies are never sent over plain HTTP, not even to loopback addresses.
  allowSecureOnLocal: false,
  enforceSecureOriginOnStorage: true,
  // Lets tests and local services use `localhost` and `.local` names.
  allowSpecialUseDomain: true,
} as const;

function isJar(value: unknown): value is CookieJarLike {
  const jar = value as Partial<CookieJarLike> | null;
  return typeof jar?.getCookieString === "function" && typeof jar.setCookie === "function";
}

function isSnapshot(value: unknown): value is CookieJarSnapshot {
  return Array.isArray((value as { cookies?: unknown } | null)?.cookies);
}

/**
 * A session's cookies (`session.cookies`): read, add, clear, export.
 *
 * @example
 * ```ts
 * const session = new Session({ transport });
 * await session.get("https://example.test/login");
 * await session.cookies?.get("https://example.test/"); // { sid: "…" }
 * const saved = JSON.stringify(session.cookies?.toJSON());
 * const later = new Session({ transport, cookies: JSON.parse(saved) });
 * ```
 */
export class Cookies {
  /** The underlying jar (a tough-cookie `CookieJar` unless you gave your own). */
  readonly jar: CookieJarLike;
  /**
   * True while a jar this session created has never been given a cookie: the
   * per-request lookup (about a fifth of a small request's CPU) can be skipped.
   */
  #knownEmpty: boolean;

  constructor(jar: CookieJarLike, knownEmpty = false) {
    this.jar = jar;
    this.#knownEmpty = knownEmpty;
  }

  /** Builds the session's jar from the `cookies` option; `undefined` when cookies are off. */
  static from(option: CookiesOption | undefined): Cookies | undefined {
    if (option === false) return undefined;
    if (option === undefined || option === true)
      return new Cookies(new CookieJar(undefined, JAR_OPTIONS), true);
    if (isJar(option)) return new Cookies(option);
    if (isSnapshot(option)) {
      // Restore the cookies into a jar with this client's rules, whatever rules the snapshot names.
      const restored = CookieJar.deserializeSync(option);
      return new Cookies(new CookieJar(restored.store, JAR_OPTIONS));
    }
    throw new InvalidRequestError("cookies must be a boolean, a cookie jar or a jar snapshot");
  }

  /**
   * True while this session's own jar is known to hold no cookie: callers may
   * skip the lookup (and its await) altogether. False for a jar you gave.
   */
  get knownEmpty(): boolean {
    return this.#knownEmpty;
  }

  /** The `Cookie` header value a request to `url` carries ("" when none). */
  header(url: string | URL, context: SameSiteContext = "strict"): Promise<string> {
    if (this.#knownEmpty) return Promise.resolve("");
    return this.jar.getCookieString(String(url), { sameSiteContext: context, http: true });
  }

  /** Cookies a request to `url` would carry, by name. */
  async get(url: string | URL): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const pair of splitCookieHeader(await this.header(url))) {
      const at = pair.indexOf("=");
      out[at === -1 ? "" : pair.slice(0, at)] = at === -1 ? pair : pair.slice(at + 1);
    }
    return out;
  }

  /** Stores one `Set-Cookie` value as if `url` had sent it; invalid cookies are ignored. */
  async set(
    url: string | URL,
    setCookie: string,
    context: SameSiteContext = "strict",
  ): Promise<void> {
    this.#knownEmpty = false;
    await this.jar.setCookie(setCookie, String(url), {
      sameSiteContext: context,
      http: true,
      ignoreError: true,
    });
  }

  /** Stores every `Set-Cookie` of a response from `url`. */
  async store(
    url: string | URL,
    setCookies: readonly string[],
    context?: SameSiteContext,
  ): Promise<void> {
    for (const value of setCookies) await this.set(url, value, context);
  }

  /** Forgets every cookie. */
  async clear(): Promise<void> {
    if (this.jar.removeAllCookies === undefined)
      throw new InvalidRequestError("this cookie jar cannot be cleared");
    await this.jar.removeAllCookies();
  }

  /** A JSON-ready snapshot, for `new Session({ cookies: snapshot })`. */
  toJSON(): CookieJarSnapshot {
    if (this.jar.toJSON === undefined)
      throw new InvalidRequestError("this cookie jar cannot be exported");
    return this.jar.toJSON() as CookieJarSnapshot;
  }
}

/**
 * The registrable domain ("site") of a URL; IP addresses and single labels stand for themselves.
 *
 * @example
 * ```ts
 * siteOf(new URL("https://a.b.example.co.uk/")); // "example.co.uk"
 * siteOf(new URL("http://127.0.0.1:8080/"));     // "127.0.0.1"
 * ```
 */
export function siteOf(url: URL): string {
  const host = url.hostname;
  return getPublicSuffix(host, { allowSpecialUseDomain: true, ignoreError: true }) ?? host;
}

/**
 * The SameSite context of one hop. A client has no browsing context, so the
 * URL the caller asked for counts as a same-site request (like typing it into
 * an address bar); a redirect that leaves that site is a cross-site
 * navigation, started by the server that redirected: `lax` for safe methods,
 * `none` otherwise. Once a chain left the site it stays cross-site.
 *
 * @example
 * ```ts
 * sameSiteContext("a.test", new URL("https://b.test/"), "GET", false); // "lax"
 * ```
 */
export function sameSiteContext(
  site: string,
  url: URL,
  method: string,
  leftSite: boolean,
): SameSiteContext {
  if (!leftSite && siteOf(url) === site) return "strict";
  return method === "GET" || method === "HEAD" || method === "OPTIONS" ? "lax" : "none";
}

function splitCookieHeader(value: string): string[] {
  return value
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair !== "");
}

/**
 * Adds the jar's cookies to the request headers: a caller-given `Cookie`
 * header stays first and wins for names it sets; jar cookies of other names follow.
 *
 * @example
 * ```ts
 * withJarCookies([["cookie", "a=mine"]], "a=jar; b=2"); // [["cookie", "a=mine; b=2"]]
 * ```
 */
export function withJarCookies(headers: HeaderList, fromJar: string): HeaderList {
  if (fromJar === "") return headers;
  const index = headers.findIndex(([name]) => name.toLowerCase() === "cookie");
  if (index === -1) return [...headers, ["cookie", fromJar]];
  const given = headers
    .filter(([name]) => name.toLowerCase() === "cookie")
    .flatMap(([, value]) => splitCookieHeader(value));
  const names = new Set(given.map((pair) => pair.split("=", 1)[0]!.trim()));
  const added = splitCookieHeader(fromJar).filter((pair) => !names.has(pair.split("=", 1)[0]!));
  const merged = [...given, ...added].join("; ");
  return [
    ...headers.slice(0, index),
    ["cookie", merged],
    ...headers.slice(index + 1).filter(([name]) => name.toLowerCase() !== "cookie"),
  ];
}

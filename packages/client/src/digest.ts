/**
 * HTTP Digest authentication (RFC 7616): parse `WWW-Authenticate`
 * challenges, pick the strongest one we can answer (SHA-256 over MD5,
 * `-sess` variants, `qop=auth` or the legacy RFC 2069 form without qop,
 * `userhash`), and compute the `Authorization` answer with a random cnonce
 * and an increasing nonce count. The last challenge of each origin is kept,
 * so later requests answer up front instead of taking a 401 each time.
 *
 * SHA-256 comes from WebCrypto (everywhere); MD5 from node:crypto, imported
 * lazily: where it is missing, MD5 challenges are simply not answered.
 */
import { type Headers, splitList } from "@reqivo/protocol";
import type { Credentials } from "./connection/basic-credentials.ts";
import { InvalidRequestError } from "./errors.ts";

/** One Digest challenge from a `WWW-Authenticate` field. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque: string | undefined;
  /** Upper-cased: `MD5`, `MD5-SESS`, `SHA-256`, `SHA-256-SESS`. */
  algorithm: string;
  /** The algorithm token as the server wrote it (echoed back), if it wrote one. */
  algorithmToken: string | undefined;
  /** `auth`, or `undefined` for the RFC 2069 form without qop. */
  qop: "auth" | undefined;
  userhash: boolean;
  stale: boolean;
  /** The server announced `charset=UTF-8` (RFC 7616 §4): it reads `username*`. */
  utf8: boolean;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Splits `WWW-Authenticate` values into challenges (RFC 9110 §11.6.1); token68 forms are skipped.
 *
 * @example
 * ```ts
 * parseChallenges(['Digest realm="r", nonce="n", Basic realm="b"']).map((c) => c.scheme); // ["digest", "basic"]
 * ```
 */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) {
    let i = 0;
    let current: Challenge | undefined;
    const skip = (chars: RegExp) => {
      while (i < value.length && chars.test(value[i]!)) i++;
    };
    const token = () => {
      const start = i;
      while (i < value.length && TOKEN.test(value[i]!)) i++;
      return value.slice(start, i);
    };
    while (i < value.length) {
      skip(/[\s,]/);
      const name = token();
      if (name === "") {
        i++; // not a token: step over it
        continue;
      }
      skip(/[ \t]/);
      if (value[i] !== "=") {
        current = { scheme: name.toLowerCase(), params: {} };
        out.push(current);
        continue;
      }
      i++;
      skip(/[ \t]/);
      let param = "";
      if (value[i] === '"') {
        for (i++; i < value.length && value[i] !== '"'; i++) {
          if (value[i] === "\\") i++;
          param += value[i] ?? "";
        }
        i++;
      } else param = token();
      if (current !== undefined) current.params[name.toLowerCase()] = param;
    }
  }
  return out;
}

// Strongest first: a server may offer one challenge per algorithm (RFC 7616 §3.7).
const PREFERENCE = ["SHA-256", "SHA-256-SESS", "MD5", "MD5-SESS"];

/**
 * The Digest challenge to answer, or `undefined` when there is none we support.
 *
 * @example
 * ```ts
 * pickDigestChallenge(res.headers, true)?.algorithm; // "SHA-256"
 * ```
 */
export function pickDigestChallenge(headers: Headers, md5: boolean): DigestChallenge | undefined {
  let best: DigestChallenge | undefined;
  for (const { scheme, params } of parseChallenges(headers.getAll("www-authenticate"))) {
    if (scheme !== "digest" || params.realm === undefined || params.nonce === undefined) continue;
    const algorithm = (params.algorithm ?? "MD5").toUpperCase();
    const rank = PREFERENCE.indexOf(algorithm);
    if (rank === -1 || (!md5 && algorithm.startsWith("MD5"))) continue;
    const qops = params.qop === undefined ? undefined : splitList(params.qop);
    if (qops !== undefined && !qops.includes("auth")) continue; // auth-int only: not supported
    if (best !== undefined && PREFERENCE.indexOf(best.algorithm) <= rank) continue;
    best = {
      realm: params.realm,
      nonce: params.nonce,
      opaque: params.opaque,
      algorithm,
      algorithmToken: params.algorithm,
      qop: qops === undefined ? undefined : "auth",
      userhash: params.userhash?.toLowerCase() === "true",
      stale: params.stale?.toLowerCase() === "true",
      utf8: params.charset?.toLowerCase() === "utf-8",
    };
  }
  return best;
}

const encoder = new TextEncoder();
const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

type Md5 = (text: string) => string;
// A variable specifier keeps bundlers targeting browsers from resolving it.
const CRYPTO_MODULE = "node:crypto";
let md5Loading: Promise<Md5 | null> | undefined;

/**
 * MD5 from node:crypto (Node, Deno, Bun), or `null` where it is missing.
 *
 * @example
 * ```ts
 * (await loadMd5())?.("abc"); // "900150983cd24fb0d6963f7d28e17f72"
 * ```
 */
export function loadMd5(): Promise<Md5 | null> {
  md5Loading ??= import(CRYPTO_MODULE).then(
    (module: { createHash?: unknown; default?: { createHash?: unknown } }) => {
      const createHash = (module.createHash ?? module.default?.createHash) as
        | ((name: string) => { update(t: string, e: string): { digest(e: string): string } })
        | undefined;
      if (typeof createHash !== "function") return null;
      return (text: string) => createHash("md5").update(text, "utf8").digest("hex");
    },
    () => null,
  );
  return md5Loading;
}

async function hash(algorithm: string, text: string): Promise<string> {
  if (algorithm === "MD5") {
    const md5 = await loadMd5();
    if (md5 === null) throw new Error("MD5 is not available in this runtime");
    return md5(text);
  }
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))));
}

const quote = (value: string) => `"${value.replace(/[\\"]/g, "\\$&")}"`;

// Control characters have no place in a user name (RFC 7613 §3.2) and would
// reach the wire inside a header: refused, whatever the encoding.
const CONTROL = /[\u0000-\u001f\u007f]/;
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

/**
 * Refuses a Digest user name that cannot be sent safely, before any request.
 *
 * @example
 * ```ts
 * checkDigestUsername("ada");     // fine
 * checkDigestUsername("a\r\nb"); // throws InvalidRequestError
 * ```
 */
export function checkDigestUsername(username: string): void {
  if (CONTROL.test(username))
    throw new InvalidRequestError("a Digest user name cannot contain control characters");
}

/**
 * The `username` or `username*` parameter for a clear-text user name.
 * ASCII goes in a quoted string. Otherwise a server that announced
 * `charset=UTF-8` gets `username*` (RFC 7616 §3.4.4); one that did not
 * (Apache's mod_auth_digest, for one) gets the UTF-8 bytes inside the quoted
 * string, as curl sends them: the bytes it hashed, which is what such a server
 * compares. A header value is a byte string, one character per byte.
 */
function usernameParameter(username: string, utf8Announced: boolean): string {
  if (PRINTABLE_ASCII.test(username)) return `username=${quote(username)}`;
  const bytes = encoder.encode(username);
  if (utf8Announced) {
    const encoded = Array.from(bytes, (b) =>
      /[A-Za-z0-9!#$&+\-.^_`|~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    ).join("");
    return `username*=UTF-8''${encoded}`;
  }
  return `username=${quote(String.fromCharCode(...bytes))}`;
}

/**
 * The `Authorization` answer to `challenge` for one request.
 *
 * @param nc - how many requests this nonce has answered, this one included (1 for the first).
 * @example
 * ```ts
 * const value = await digestAuthorization(challenge, { username: "ada", password: "pw" }, "GET", "/private", 1);
 * // 'Digest username="ada", realm="…", uri="/private", algorithm=SHA-256, nonce="…", nc=00000001, cnonce="…", qop=auth, response="…"'
 * ```
 */
export async function digestAuthorization(
  challenge: DigestChallenge,
  credentials: Credentials,
  method: string,
  uri: string,
  nc: number,
): Promise<string> {
  checkDigestUsername(credentials.username);
  const base = challenge.algorithm.replace(/-SESS$/, "");
  const h = (text: string) => hash(base, text);
  // Unpredictable, from the cryptographic source (RFC 7616 §5.12).
  const cnonce = hex(crypto.getRandomValues(new Uint8Array(16)));
  const count = nc.toString(16).padStart(8, "0");
  const { realm, nonce } = challenge;
  let ha1 = await h(`${credentials.username}:${realm}:${credentials.password}`);
  if (challenge.algorithm.endsWith("-SESS")) ha1 = await h(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = await h(`${method}:${uri}`);
  const response =
    challenge.qop === undefined
      ? await h(`${ha1}:${nonce}:${ha2}`)
      : await h(`${ha1}:${nonce}:${count}:${cnonce}:auth:${ha2}`);
  const username = challenge.userhash
    ? `username=${quote(await h(`${credentials.username}:${realm}`))}`
    : usernameParameter(credentials.username, challenge.utf8);
  const parts = [username, `realm=${quote(realm)}`, `uri=${quote(uri)}`];
  if (challenge.algorithmToken !== undefined) parts.push(`algorithm=${challenge.algorithmToken}`);
  parts.push(`nonce=${quote(nonce)}`);
  if (challenge.qop !== undefined) parts.push(`nc=${count}`, `cnonce=${quote(cnonce)}`, "qop=auth");
  parts.push(`response=${quote(response)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (challenge.userhash) parts.push("userhash=true");
  return `Digest ${parts.join(", ")}`;
}

/**
 * The digest state of one session: the last challenge per origin and its nonce count.
 *
 * @example
 * ```ts
 * const cache = new DigestCache();
 * cache.remember("http://127.0.0.1:8080", challenge);
 * await cache.answer("http://127.0.0.1:8080", credentials, "GET", "/x"); // "Digest …, nc=00000001, …"
 * ```
 */
export class DigestCache {
  readonly #byOrigin = new Map<string, { challenge: DigestChallenge; nc: number }>();

  /** Keeps `challenge` for later requests to `origin`. */
  remember(origin: string, challenge: DigestChallenge): void {
    this.#byOrigin.set(origin, { challenge, nc: 0 });
  }

  /** Answers the origin's remembered challenge, or `undefined` when there is none. */
  async answer(
    origin: string,
    credentials: Credentials,
    method: string,
    uri: string,
  ): Promise<string | undefined> {
    const entry = this.#byOrigin.get(origin);
    if (entry === undefined) return undefined;
    entry.nc++;
    return digestAuthorization(entry.challenge, credentials, method, uri, entry.nc);
  }
}

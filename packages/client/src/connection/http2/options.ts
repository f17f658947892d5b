/**
 * The `http2` session option: whether https origins are offered HTTP/2 (ALPN
 * `h2`, then `http/1.1`), and the HTTP/2 connection's own settings.
 */
import type { Http2ClientOptions } from "@reqivo/protocol";
import { InvalidRequestError } from "../../errors.ts";

/**
 * HTTP/2 settings of a Session (`http2: true` is `http2: {}`, the default).
 * `http2: false` keeps every connection on HTTP/1.1.
 *
 * @example
 * ```ts
 * const session = new Session({ transport, http2: { initialWindowSize: 1 << 20 } });
 * const res = await session.get("https://example.com/");
 * res.httpVersion; // "2" when the server chose h2, else "1.1"
 * ```
 */
export interface Http2Options {
  /** Receive window per stream we announce, in octets (SETTINGS_INITIAL_WINDOW_SIZE). Default 256 KiB. */
  initialWindowSize?: number;
  /** Receive window of the whole connection, in octets. Default 1 MiB. */
  connectionWindowSize?: number;
  /** Largest response header list we accept (SETTINGS_MAX_HEADER_LIST_SIZE). Default 64 KiB. */
  maxHeaderListSize?: number;
  /**
   * Speak HTTP/2 from the first byte to `http:` origins too (cleartext h2c
   * with prior knowledge, RFC 9113 §3.3): only for servers known to speak it,
   * since an HTTP/1.1 server answers the preface with an error. Default false.
   */
  priorKnowledge?: boolean;
  /**
   * Milliseconds the server has to acknowledge our SETTINGS (RFC 9113 §6.5.3)
   * before the connection fails with `H2_SETTINGS_TIMEOUT` and a GOAWAY
   * (SETTINGS_TIMEOUT); its requests fail with that error. Default 10,000.
   */
  settingsTimeout?: number;
  /**
   * Most streams this client opens at once on one connection, below the
   * server's SETTINGS_MAX_CONCURRENT_STREAMS. Unset, one connection per
   * origin carries everything up to the server's limit; set, requests beyond
   * it open further connections (up to `pool.connections`), spreading the
   * load over several connections (and server processes or cores). Default:
   * the server's limit (at most 1,000).
   *
   * @example
   * ```ts
   * // 100 requests at once over up to 10 connections of 10 streams each.
   * new Session({ transport, http2: { maxStreamsPerConnection: 10 }, pool: { connections: 10 } });
   * ```
   */
  maxStreamsPerConnection?: number;
}

/**
 * The `http2` option as the wire layer uses it.
 *
 * @example
 * ```ts
 * const settings: Http2Settings = {
 *   connection: {},
 *   priorKnowledge: false,
 *   settingsTimeout: 10_000,
 *   maxStreamsPerConnection: undefined,
 * };
 * ```
 */
export interface Http2Settings {
  /** Options of each HTTP/2 connection. */
  readonly connection: Http2ClientOptions;
  /** Whether `http:` origins get HTTP/2 without negotiation (h2c). */
  readonly priorKnowledge: boolean;
  /** Milliseconds the server has to acknowledge our SETTINGS. */
  readonly settingsTimeout: number;
  /** Most streams at once on one connection (undefined: the server's limit). */
  readonly maxStreamsPerConnection: number | undefined;
}

const DEFAULT_SETTINGS_TIMEOUT = 10_000;

const KNOWN = new Set(["initialWindowSize", "connectionWindowSize", "maxHeaderListSize"]);

/**
 * The `http2` option checked (`undefined` when `false`: HTTP/2 off; left out,
 * the defaults). Bad input throws `InvalidRequestError` before any request.
 *
 * @example
 * ```ts
 * http2Settings(undefined); // { connection: {}, priorKnowledge: false, settingsTimeout: 10000, maxStreamsPerConnection: undefined }
 * http2Settings(false); // undefined
 * ```
 */
export function http2Settings(
  input: boolean | Http2Options | undefined,
): Http2Settings | undefined {
  if (input === false) return undefined;
  if (input === true || input === undefined)
    return {
      connection: {},
      priorKnowledge: false,
      settingsTimeout: DEFAULT_SETTINGS_TIMEOUT,
      maxStreamsPerConnection: undefined,
    };
  if (typeof input !== "object" || input === null)
    throw new InvalidRequestError("http2 must be a boolean or an options object");
  const connection: Http2ClientOptions = {};
  let priorKnowledge = false;
  let settingsTimeout = DEFAULT_SETTINGS_TIMEOUT;
  let maxStreamsPerConnection: number | undefined;
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (name === "priorKnowledge") {
      if (typeof value !== "boolean")
        throw new InvalidRequestError("http2.priorKnowledge must be a boolean");
      priorKnowledge = value;
      continue;
    }
    if (name === "settingsTimeout") {
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
        throw new InvalidRequestError("http2.settingsTimeout must be a positive number of ms");
      settingsTimeout = value;
      continue;
    }
    if (name === "maxStreamsPerConnection") {
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1)
        throw new InvalidRequestError("http2.maxStreamsPerConnection must be an integer ≥ 1");
      maxStreamsPerConnection = value;
      continue;
    }
    if (!KNOWN.has(name)) throw new InvalidRequestError(`unknown http2 option "${name}"`);
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      throw new InvalidRequestError(`http2.${name} must be a non-negative integer`);
    (connection as Record<string, number>)[name] = value;
  }
  return { connection, priorKnowledge, settingsTimeout, maxStreamsPerConnection };
}

/**
 * The `http2` session option: whether https origins are offered HTTP/2 (ALPN
 * `h2`, then `http/1.1`), and the HTTP/2 connection's own settings.
 */
import type { Http2ClientOptions } from "@reqivo/protocol";
import { InvalidRequestError } from "../../errors.ts";

/**
 * HTTP/2 settings of a Session (`http2: true` is `http2: {}`). Off by default:
 * without the option every connection speaks HTTP/1.1.
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
}

const KNOWN = new Set(["initialWindowSize", "connectionWindowSize", "maxHeaderListSize"]);

/**
 * The connection options of `http2` (`undefined`: HTTP/2 off). Bad input
 * throws `InvalidRequestError` before any request.
 *
 * @example
 * ```ts
 * http2Settings(true); // {}
 * http2Settings(false); // undefined
 * ```
 */
export function http2Settings(
  input: boolean | Http2Options | undefined,
): Http2ClientOptions | undefined {
  if (input === undefined || input === false) return undefined;
  if (input === true) return {};
  if (typeof input !== "object" || input === null)
    throw new InvalidRequestError("http2 must be a boolean or an options object");
  const out: Http2ClientOptions = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!KNOWN.has(name)) throw new InvalidRequestError(`unknown http2 option "${name}"`);
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      throw new InvalidRequestError(`http2.${name} must be a non-negative integer`);
    (out as Record<string, number>)[name] = value;
  }
  return out;
}

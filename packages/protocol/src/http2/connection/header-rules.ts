import type { LocalProtocolError } from "../../errors.ts";
import type { HeaderPair } from "../../http/headers.ts";
import { isFieldValue, isToken, TOKEN_CHARS } from "../../syntax.ts";
import { peerError, usageError } from "./errors.ts";

/** Fields HTTP/2 forbids: their job is done by framing (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Whether `name` from `start` on is a lower-case RFC 9110 token, checked in
 * place: `toLowerCase()` and `slice()` cost two strings per field, and this
 * runs for every field of every head sent and received.
 */
function isLowerCaseToken(name: string, start: number): boolean {
  if (name.length <= start) return false;
  for (let i = start; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // Token characters are ASCII, so no upper-case letter means lower-case.
    if (c > 0xff || TOKEN_CHARS[c] !== 1 || (c >= 0x41 && c <= 0x5a)) return false;
  }
  return true;
}

/**
 * Why a field breaks RFC 9113 §8.2 whatever the message: not lower-case, not
 * a token, a bad value, connection-specific, `te` other than "trailers".
 * `undefined` when it is fine.
 */
function fieldProblem(name: string, value: string): string | undefined {
  if (!isLowerCaseToken(name, name.charCodeAt(0) === 0x3a /* ":" */ ? 1 : 0))
    return `field name ${JSON.stringify(name)}`;
  if (!isFieldValue(value)) return `value of ${name}`;
  if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name}`;
  if (name === "te" && value !== "trailers") return `te other than "trailers"`;
  return undefined;
}

function refuseRequest(why: string): LocalProtocolError {
  return usageError("H2_INVALID_REQUEST_HEADERS", `request ${why}`);
}

/**
 * Checks a request head a client is about to send (RFC 9113 §8.2, §8.3.1):
 * lower-case token names, pseudo-header fields first and each once, only
 * the request ones, `:method` always, `:scheme` and a non-empty `:path`
 * unless CONNECT, `:authority` (or `host`), no connection-specific fields,
 * `te` only "trailers". Returns the request method. Throws
 * `LocalProtocolError` `H2_INVALID_REQUEST_HEADERS`.
 *
 * The four pseudo-headers are kept in locals, not a Map: measured with
 * `node --cpu-prof` on client-http2.bench.ts --profile (GET 16 B, one
 * connection) this function was the client's largest JS cost, 4.4% of its
 * busy time (apps/bench/results/2026-12-07-http2-round2.md, round 4).
 *
 * @example
 * ```ts
 * checkRequestHeaders([[":method", "GET"], [":scheme", "https"], [":authority", "a"], [":path", "/"]]); // "GET"
 * ```
 */
export function checkRequestHeaders(headers: readonly HeaderPair[]): string {
  let method: string | undefined;
  let scheme: string | undefined;
  let authority: string | undefined;
  let path: string | undefined;
  let regular = false;
  let host: string | undefined;
  for (const pair of headers) {
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
      throw refuseRequest("fields must be [name, value] string pairs");
    }
    const name = pair[0];
    const value = pair[1];
    const problem = fieldProblem(name, value);
    if (problem !== undefined) throw refuseRequest(`has an invalid ${problem}`);
    if (name.charCodeAt(0) === 0x3a /* ":" */) {
      if (regular) throw refuseRequest(`pseudo-header ${name} after a regular field`);
      let seen: string | undefined;
      switch (name) {
        case ":method":
          seen = method;
          method = value;
          break;
        case ":scheme":
          seen = scheme;
          scheme = value;
          break;
        case ":authority":
          seen = authority;
          authority = value;
          break;
        case ":path":
          seen = path;
          path = value;
          break;
        default:
          throw refuseRequest(`pseudo-header ${name} is not a request one`);
      }
      if (seen !== undefined) throw refuseRequest(`pseudo-header ${name} twice`);
    } else {
      regular = true;
      if (name === "host") {
        if (host !== undefined) throw refuseRequest("has host twice");
        host = value;
      }
    }
  }
  if (method === undefined || !isToken(method)) throw refuseRequest("without a valid :method");
  if (method === "CONNECT") {
    if (scheme !== undefined || path !== undefined)
      throw refuseRequest("CONNECT with :scheme or :path");
    if (!authority) throw refuseRequest("CONNECT without :authority");
    return method;
  }
  if (!scheme) throw refuseRequest("without :scheme");
  if (!path) throw refuseRequest("without a non-empty :path");
  if (!authority && !host) throw refuseRequest("without :authority or host");
  // §8.3.1: a host that differs from :authority would let two hops disagree on the target.
  if (authority && host !== undefined && host !== authority) {
    throw refuseRequest("with a host that differs from :authority");
  }
  return method;
}

/**
 * Checks trailers a client is about to send: the field rules of
 * {@link checkRequestHeaders}, and no pseudo-header fields (§8.1).
 *
 * @example
 * ```ts
 * checkRequestTrailers([["x-checksum", "abc"]]);
 * ```
 */
export function checkRequestTrailers(headers: readonly HeaderPair[]): void {
  for (const pair of headers) {
    const [name, value] = pair;
    const problem =
      typeof name !== "string" || typeof value !== "string"
        ? "field"
        : name.startsWith(":")
          ? `pseudo-header ${name}`
          : fieldProblem(name, value);
    if (problem !== undefined) {
      throw usageError("H2_INVALID_REQUEST_HEADERS", `trailers have an invalid ${problem}`);
    }
  }
}

/**
 * A received response head, split: its status and regular fields.
 *
 * @example
 * ```ts
 * const head: ResponseHead = { status: 200, headers: [["content-type", "text/plain"]], contentLength: undefined };
 * ```
 */
export interface ResponseHead {
  status: number;
  headers: HeaderPair[];
  /** The content-length value, when the response has one. */
  contentLength: number | undefined;
}

function refuseResponse(why: string): ReturnType<typeof peerError> {
  return peerError("H2_INVALID_RESPONSE_HEADERS", `response ${why}`);
}

/**
 * Checks a received response head (RFC 9113 §8.2, §8.3.2): `:status` once,
 * three digits, the only pseudo-header and first; lower-case names; no
 * connection-specific fields; one valid content-length at most. Throws
 * `RemoteProtocolError` `H2_INVALID_RESPONSE_HEADERS`, a stream error.
 *
 * @example
 * ```ts
 * parseResponseHeaders([[":status", "204"]]); // { status: 204, headers: [], contentLength: undefined }
 * ```
 */
export function parseResponseHeaders(fields: readonly HeaderPair[]): ResponseHead {
  const refuse = refuseResponse;
  let status: string | undefined;
  let contentLength: string | undefined;
  const headers: HeaderPair[] = [];
  for (const pair of fields) {
    const name = pair[0];
    const value = pair[1];
    const problem = fieldProblem(name, value);
    if (problem !== undefined) throw refuse(`has an invalid ${problem}`);
    if (name.startsWith(":")) {
      if (name !== ":status") throw refuse(`has pseudo-header ${name}`);
      if (status !== undefined) throw refuse("has :status twice");
      if (headers.length > 0) throw refuse(":status after a regular field");
      status = value;
      continue;
    }
    if (name === "content-length") {
      if (contentLength !== undefined && contentLength !== value) {
        throw refuse("has conflicting content-length values");
      }
      if (!/^[0-9]{1,15}$/.test(value)) throw refuse("has an invalid content-length");
      contentLength = value;
    }
    // The decoder's pairs are fresh: kept as they are.
    headers.push(pair);
  }
  if (status === undefined) throw refuse("without :status");
  if (!/^[1-9][0-9]{2}$/.test(status)) throw refuse(`with :status ${JSON.stringify(status)}`);
  return {
    status: Number(status),
    headers,
    contentLength: contentLength === undefined ? undefined : Number(contentLength),
  };
}

/**
 * Checks received trailers: the field rules and no pseudo-header fields.
 * Throws `RemoteProtocolError` `H2_INVALID_RESPONSE_HEADERS`.
 *
 * @example
 * ```ts
 * parseResponseTrailers([["grpc-status", "0"]]); // [["grpc-status", "0"]]
 * ```
 */
export function parseResponseTrailers(fields: HeaderPair[]): HeaderPair[] {
  for (const [name, value] of fields) {
    const problem = name.startsWith(":") ? `pseudo-header ${name}` : fieldProblem(name, value);
    if (problem !== undefined) {
      throw peerError("H2_INVALID_RESPONSE_HEADERS", `trailers have an invalid ${problem}`);
    }
  }
  return fields;
}

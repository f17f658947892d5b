import type { HeaderPair } from "../../http/headers.ts";
import { isFieldValue, isToken } from "../../syntax.ts";
import { peerError, usageError } from "./errors.ts";

/** Fields HTTP/2 forbids: their job is done by framing (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
]);

const REQUEST_PSEUDO = new Set([":method", ":scheme", ":authority", ":path"]);

/**
 * Why a field breaks RFC 9113 §8.2 whatever the message: not lower-case, not
 * a token, a bad value, connection-specific, `te` other than "trailers".
 * `undefined` when it is fine.
 */
function fieldProblem(name: string, value: string): string | undefined {
  const bare = name.startsWith(":") ? name.slice(1) : name;
  if (!isToken(bare) || bare !== bare.toLowerCase()) return `field name ${JSON.stringify(name)}`;
  if (!isFieldValue(value)) return `value of ${name}`;
  if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name}`;
  if (name === "te" && value !== "trailers") return `te other than "trailers"`;
  return undefined;
}

/**
 * Checks a request head a client is about to send (RFC 9113 §8.2, §8.3.1):
 * lower-case token names, pseudo-header fields first and each once, only
 * the request ones, `:method` always, `:scheme` and a non-empty `:path`
 * unless CONNECT, `:authority` (or `host`), no connection-specific fields,
 * `te` only "trailers". Returns the request method. Throws
 * `LocalProtocolError` `H2_INVALID_REQUEST_HEADERS`.
 *
 * @example
 * ```ts
 * checkRequestHeaders([[":method", "GET"], [":scheme", "https"], [":authority", "a"], [":path", "/"]]); // "GET"
 * ```
 */
export function checkRequestHeaders(headers: readonly HeaderPair[]): string {
  const refuse = (why: string) => usageError("H2_INVALID_REQUEST_HEADERS", `request ${why}`);
  const pseudo = new Map<string, string>();
  let regular = false;
  let host: string | undefined;
  for (const pair of headers) {
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
      throw refuse("fields must be [name, value] string pairs");
    }
    const [name, value] = pair;
    const problem = fieldProblem(name, value);
    if (problem !== undefined) throw refuse(`has an invalid ${problem}`);
    if (name.startsWith(":")) {
      if (regular) throw refuse(`pseudo-header ${name} after a regular field`);
      if (!REQUEST_PSEUDO.has(name)) throw refuse(`pseudo-header ${name} is not a request one`);
      if (pseudo.has(name)) throw refuse(`pseudo-header ${name} twice`);
      pseudo.set(name, value);
    } else {
      regular = true;
      if (name === "host") {
        if (host !== undefined) throw refuse("has host twice");
        host = value;
      }
    }
  }
  const method = pseudo.get(":method");
  if (method === undefined || !isToken(method)) throw refuse("without a valid :method");
  if (method === "CONNECT") {
    if (pseudo.has(":scheme") || pseudo.has(":path")) throw refuse("CONNECT with :scheme or :path");
    if (!pseudo.get(":authority")) throw refuse("CONNECT without :authority");
    return method;
  }
  if (!pseudo.get(":scheme")) throw refuse("without :scheme");
  if (!pseudo.get(":path")) throw refuse("without a non-empty :path");
  const authority = pseudo.get(":authority");
  if (!authority && !host) throw refuse("without :authority or host");
  // §8.3.1: a host that differs from :authority would let two hops disagree on the target.
  if (authority && host !== undefined && host !== authority) {
    throw refuse("with a host that differs from :authority");
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
  const refuse = (why: string) => peerError("H2_INVALID_RESPONSE_HEADERS", `response ${why}`);
  let status: string | undefined;
  let contentLength: string | undefined;
  const headers: HeaderPair[] = [];
  for (const [name, value] of fields) {
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
    headers.push([name, value]);
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

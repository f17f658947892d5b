import { RemoteProtocolError } from "../errors.ts";
import { isToken, splitList } from "../syntax.ts";
import type { HeaderList } from "./headers.ts";

/** How a message body is delimited (RFC 9112 §6.3). */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  | { kind: "until-close" }
  | { kind: "upgrade" };

/** The framing-relevant fields of a head, gathered in one pass. */
export interface FramingFields {
  contentLength: string[];
  transferEncoding: string[];
  connection: string[];
  hasUpgrade: boolean;
  expectContinue: boolean;
}

/** Collects the fields that decide framing and connection reuse (names compared case-insensitively). */
export function framingFields(headers: HeaderList): FramingFields {
  const fields: FramingFields = {
    contentLength: [],
    transferEncoding: [],
    connection: [],
    hasUpgrade: false,
    expectContinue: false,
  };
  for (const [name, value] of headers) {
    // Length first: most fields are ruled out without lower-casing.
    switch (name.length) {
      case 14:
        if (name.toLowerCase() === "content-length") fields.contentLength.push(value);
        break;
      case 17:
        if (name.toLowerCase() === "transfer-encoding") fields.transferEncoding.push(value);
        break;
      case 10:
        if (name.toLowerCase() === "connection") fields.connection.push(...splitList(value));
        break;
      case 7:
        if (name.toLowerCase() === "upgrade") fields.hasUpgrade = true;
        break;
      case 6:
        if (name.toLowerCase() === "expect" && value.trim().toLowerCase() === "100-continue") {
          fields.expectContinue = true;
        }
        break;
    }
  }
  return fields;
}

const MAX_LENGTH_DIGITS = 15; // 10^15 - 1 < Number.MAX_SAFE_INTEGER

/**
 * Parses Content-Length field values. A list of identical values is accepted
 * (RFC 9110 §8.6); differing values, signs, spaces inside, non-digits or a
 * number beyond 2^53 are a framing error. Returns null when absent.
 */
export function parseContentLength(values: readonly string[]): number | null {
  if (values.length === 0) return null;
  let result: number | null = null;
  for (const value of values) {
    for (const part of value.split(",")) {
      const digits = part.trim();
      if (digits.length === 0 || digits.length > MAX_LENGTH_DIGITS || !/^[0-9]+$/.test(digits)) {
        throw new RemoteProtocolError(
          "INVALID_CONTENT_LENGTH",
          `invalid Content-Length "${value}"`,
        );
      }
      const n = Number(digits);
      if (result !== null && n !== result) {
        throw new RemoteProtocolError(
          "INVALID_CONTENT_LENGTH",
          `conflicting Content-Length values`,
        );
      }
      result = n;
    }
  }
  return result;
}

/**
 * Parses Transfer-Encoding values into lower-cased coding names. Returns
 * whether chunked is the final coding. Chunked applied twice, an empty list or
 * a coding that is not a token is a framing error (a request-smuggling vector).
 */
export function chunkedIsFinal(values: readonly string[]): boolean {
  const codings: string[] = [];
  for (const value of values) {
    for (const element of value.split(",")) {
      const coding = (element.split(";", 1)[0] ?? "").trim().toLowerCase();
      if (coding.length === 0 && element.trim().length === 0) continue;
      if (!isToken(coding)) {
        throw new RemoteProtocolError(
          "INVALID_TRANSFER_ENCODING",
          `invalid transfer coding "${element.trim()}"`,
        );
      }
      codings.push(coding);
    }
  }
  if (codings.length === 0)
    throw new RemoteProtocolError("INVALID_TRANSFER_ENCODING", "empty Transfer-Encoding");
  const chunkedCount = codings.filter((c) => c === "chunked").length;
  if (chunkedCount > 1)
    throw new RemoteProtocolError("INVALID_TRANSFER_ENCODING", "chunked applied more than once");
  return codings[codings.length - 1] === "chunked";
}

/** What decides a response's framing besides its own fields. */
export interface ResponseContext {
  requestMethod: string;
  status: number;
  version: string;
}

/** The result of {@link responseFraming}: framing plus whether the connection stays reusable. */
export interface FramingDecision {
  framing: BodyFraming;
  keepAlive: boolean;
}

/** Whether the message's own fields allow keeping the connection open. */
export function messageKeepsAlive(version: string, fields: FramingFields): boolean {
  if (fields.connection.includes("close")) return false;
  if (version === "1.0") return fields.connection.includes("keep-alive");
  return true;
}

/** RFC 9112 §6.3, in its order, for a response to `context.requestMethod`. */
export function responseFraming(context: ResponseContext, fields: FramingFields): FramingDecision {
  const { requestMethod, status } = context;
  let keepAlive = messageKeepsAlive(context.version, fields);
  if (requestMethod === "CONNECT" && status >= 200 && status < 300)
    return { framing: { kind: "upgrade" }, keepAlive: false };
  if (requestMethod === "HEAD" || status < 200 || status === 204 || status === 304) {
    // No body whatever the fields say, but conflicting lengths still mark a broken or hostile peer.
    parseContentLength(fields.contentLength);
    return { framing: { kind: "none" }, keepAlive };
  }
  if (fields.transferEncoding.length > 0) {
    const chunked = chunkedIsFinal(fields.transferEncoding);
    // CL beside TE is a smuggling signal; HTTP/1.0 with TE is faulty framing (RFC 9112 §6.1): never reuse.
    if (fields.contentLength.length > 0 || context.version === "1.0") keepAlive = false;
    if (chunked) return { framing: { kind: "chunked" }, keepAlive };
    return { framing: { kind: "until-close" }, keepAlive: false };
  }
  const length = parseContentLength(fields.contentLength);
  if (length !== null)
    return { framing: length === 0 ? { kind: "none" } : { kind: "length", length }, keepAlive };
  return { framing: { kind: "until-close" }, keepAlive: false };
}

/** RFC 9112 §6.3 for a request (server role): no framing fields means no body. */
export function requestFraming(version: string, fields: FramingFields): FramingDecision {
  let keepAlive = messageKeepsAlive(version, fields);
  if (fields.transferEncoding.length > 0) {
    if (!chunkedIsFinal(fields.transferEncoding)) {
      throw new RemoteProtocolError(
        "INVALID_TRANSFER_ENCODING",
        "request Transfer-Encoding must end in chunked",
      );
    }
    if (fields.contentLength.length > 0 || version === "1.0") keepAlive = false;
    return { framing: { kind: "chunked" }, keepAlive };
  }
  const length = parseContentLength(fields.contentLength);
  if (length !== null && length > 0) return { framing: { kind: "length", length }, keepAlive };
  return { framing: { kind: "none" }, keepAlive };
}

import type { RemoteProtocolError } from "../../errors.ts";
import type { HeaderPair } from "../../http/headers.ts";
import { peerError } from "./errors.ts";
import type { Http2Event } from "./events.ts";
import { parseResponseHeaders, parseResponseTrailers } from "./header-rules.ts";
import type { Http2Stream } from "./stream.ts";

/** Statuses whose responses carry no content whatever their content-length (RFC 9110 §8.6). */
const NO_CONTENT_STATUS = new Set([204, 304]);

/**
 * A stream error found while handling a frame: the stream is reset, the
 * connection stays (RFC 9113 §5.4.2).
 *
 * @example
 * ```ts
 * throw new StreamError(peerError("H2_CONTENT_LENGTH_MISMATCH", "3 octets, content-length 5"));
 * ```
 */
export class StreamError {
  constructor(readonly error: RemoteProtocolError) {}
}

/**
 * Checks a response head received on `stream` and records what it tells
 * (final or 1xx, the content-length that binds the DATA total); returns its
 * event. Throws `StreamError` for a bad head, and the `H2_HEADERS_FLOOD`
 * connection error past `maxInformational` 1xx heads.
 *
 * @example
 * ```ts
 * acceptResponseHead(stream, [[":status", "200"]], false, 16); // { type: "response", … }
 * ```
 */
export function acceptResponseHead(
  stream: Http2Stream,
  fields: HeaderPair[],
  endStream: boolean,
  maxInformational: number,
): Http2Event {
  let head: ReturnType<typeof parseResponseHeaders>;
  try {
    head = parseResponseHeaders(fields);
  } catch (error) {
    throw new StreamError(error as RemoteProtocolError);
  }
  const { status, headers } = head;
  if (status < 200) {
    if (status === 101 || endStream) {
      const why = endStream ? "ending the stream" : "in HTTP/2";
      throw new StreamError(peerError("H2_INVALID_RESPONSE_HEADERS", `${status} response ${why}`));
    }
    if (++stream.informationalCount > maxInformational) {
      throw peerError(
        "H2_HEADERS_FLOOD",
        `more than ${maxInformational} 1xx heads on stream ${stream.id}`,
      );
    }
    return { type: "informational", streamId: stream.id, status, headers };
  }
  stream.responded = true;
  if (stream.method !== "HEAD" && !NO_CONTENT_STATUS.has(status)) {
    stream.expectedLength = head.contentLength;
  }
  if (endStream) checkContentLength(stream, true);
  return { type: "response", streamId: stream.id, status, headers };
}

/**
 * Throws `StreamError` when the DATA received so far exceeds the response's
 * content-length, or (once `ended`) differs from it (RFC 9113 §8.1.1).
 *
 * @example
 * ```ts
 * checkContentLength(stream, true);
 * ```
 */
export function checkContentLength(stream: Http2Stream, ended: boolean): void {
  const expected = stream.expectedLength;
  if (expected === undefined) return;
  const received = stream.receivedLength;
  if (received > expected || (ended && received !== expected)) {
    throw new StreamError(
      peerError(
        "H2_CONTENT_LENGTH_MISMATCH",
        `${received}${ended ? "" : "+"} DATA octets, content-length ${expected}`,
      ),
    );
  }
}

/**
 * Checks trailers received on `stream` (END_STREAM, no pseudo-headers, the
 * DATA total against content-length); returns their event or throws
 * `StreamError`.
 *
 * @example
 * ```ts
 * acceptTrailers(stream, [["grpc-status", "0"]], true); // { type: "trailers", … }
 * ```
 */
export function acceptTrailers(
  stream: Http2Stream,
  fields: HeaderPair[],
  endStream: boolean,
): Http2Event {
  if (!endStream) {
    throw new StreamError(peerError("H2_INVALID_RESPONSE_HEADERS", "trailers without END_STREAM"));
  }
  try {
    parseResponseTrailers(fields);
  } catch (error) {
    throw new StreamError(error as RemoteProtocolError);
  }
  checkContentLength(stream, true);
  return { type: "trailers", streamId: stream.id, headers: fields };
}

/**
 * One request/response exchange on an HTTP/2 stream: the request head as
 * HTTP/2 fields (RFC 9113 §8.3: pseudo-headers, `Host` as `:authority`, no
 * connection-specific fields), the body sent as the server's windows allow,
 * and the final head. What the HTTP/1.1 exchange (../exchange.ts) returns, so
 * the layers above cannot tell the two apart.
 */
import { type HeaderPair, Headers } from "@reqivo/protocol";
import type { ExchangeProgress, ExchangeResult, WireRequest } from "../exchange.ts";
import type { Lifeline } from "../lifeline.ts";
import type { Http2Link } from "./link.ts";
import type { Http2ClientStream } from "./stream.ts";

// Fields HTTP/2 forbids (RFC 9113 §8.2.2), and `expect`: the body goes out at once (no 100-continue wait).
const DROPPED = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "expect",
]);

/** The request head as HTTP/2 fields, names lower-cased. */
export function http2Fields(request: WireRequest, scheme: string): HeaderPair[] {
  // One array, the pseudo-headers first (:authority filled in once Host is seen).
  const authority: HeaderPair = [":authority", ""];
  const fields: HeaderPair[] = [
    [":method", request.method],
    [":scheme", scheme],
    authority,
    [":path", request.target],
  ];
  let hasLength = false;
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (lower === "host") {
      authority[1] = value;
      continue;
    }
    if (DROPPED.has(lower)) continue;
    if (lower === "te" && value.trim().toLowerCase() !== "trailers") continue;
    if (lower === "content-length") hasLength = true;
    fields.push([lower, value]);
  }
  const length = request.body?.length;
  if (!hasLength && length !== undefined && length !== null)
    fields.push(["content-length", String(length)]);
  return fields;
}

/** Sends the request on `stream` and resolves with the final response head. */
export async function exchangeHttp2(
  link: Http2Link,
  stream: Http2ClientStream,
  request: WireRequest,
  scheme: string,
  lifeline: Lifeline,
  progress: ExchangeProgress,
): Promise<ExchangeResult> {
  const body = request.body;
  await link.open(stream, http2Fields(request, scheme), body === null);
  if (body !== null) {
    link
      .upload(stream, body, () => {
        progress.bodyStarted = true;
      })
      .catch((error: unknown) => {
        // The stream's own end surfaces through head() or the body; a failing body ends the request.
        if (error !== stream.failure) lifeline.fail(lifeline.explain(error));
      });
  }
  lifeline.awaitHeaders();
  const head = await stream.head();
  return { status: head.status, reason: "", headers: new Headers(head.headers), upgraded: false };
}

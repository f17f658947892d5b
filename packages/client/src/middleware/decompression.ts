/**
 * Decompression as a middleware: `Accept-Encoding` offered for the codings
 * this runtime decodes (unless the caller set one), and a response body
 * with a `Content-Encoding` decoded as it is read (decompress.ts: size cap,
 * at most a few stacked codings). Progress callbacks count the bytes on the
 * wire, below this layer.
 */

import { type Codecs, type DecompressOptions, decodeBody, loadCodecs } from "../decompress.ts";
import { hasHeader } from "../header-input.ts";
import type { OutgoingRequest } from "../middleware.ts";
import type { RequestCall } from "../request-context.ts";
import { type Response, replaceBody } from "../response.ts";
import type { CallHandler, Layer } from "./layer.ts";

const NO_BODY_STATUSES = new Set([204, 304]);

// The codecs once loaded (`null`: none on this runtime), so that later
// requests need not wait on loadCodecs()'s promise. Measured with
// apps/bench `scripts/instructions.sh client` (keep-alive GET): 61,451
// instructions per request with this memo, 64,231 with `loadCodecs().then`
// on every request.
let loadedCodecs: Codecs | null | undefined;

/** Offers and decodes compressed bodies (decompression off: nothing to do). */
export const decompression: Layer = (next) => (call, request) => {
  const policy = call.settings.decompress;
  if (policy === undefined) return next(call, request);
  if (loadedCodecs !== undefined) return decompressed(loadedCodecs, policy, next, call, request);
  return loadCodecs().then((codecs) => {
    loadedCodecs = codecs;
    return decompressed(codecs, policy, next, call, request);
  });
};

function decompressed(
  codecs: Codecs | null,
  policy: Required<DecompressOptions>,
  next: CallHandler,
  call: RequestCall,
  request: OutgoingRequest,
): Promise<Response> {
  if (codecs === null) return next(call, request);
  const sent = hasHeader(request.headers, "accept-encoding")
    ? request
    : {
        url: request.url,
        method: request.method,
        headers: [
          ...request.headers,
          ["accept-encoding", codecs.acceptEncoding] as [string, string],
        ],
        body: request.body,
      };
  return next(call, sent).then((response) => {
    const encoding = response.headers.get("content-encoding");
    if (encoding === null || request.method === "HEAD" || NO_BODY_STATUSES.has(response.status))
      return response;
    return replaceBody(response, (source) => decodeBody(source, encoding, codecs, policy));
  });
}

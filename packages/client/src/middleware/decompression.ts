/**
 * Decompression as a middleware: `Accept-Encoding` offered for the codings
 * this runtime decodes (unless the caller set one), and a response body
 * with a `Content-Encoding` decoded as it is read (decompress.ts: size cap,
 * at most a few stacked codings). Progress callbacks count the bytes on the
 * wire, below this layer.
 */

import type { HeaderList } from "@reqivo/protocol";
import { type Codecs, type DecompressOptions, decodeBody, loadCodecs } from "../decompress.ts";
import { hasHeader } from "../header-input.ts";
import type { OutgoingRequest } from "../middleware.ts";
import type { RequestCall } from "../request-context.ts";
import { type Response, replaceBody } from "../response.ts";
import { type CallHandler, type Layer, onResponse } from "./layer.ts";

const NO_BODY_STATUSES = new Set([204, 304]);

// The codecs once loaded (`null`: none on this runtime), so that later
// requests need not wait on loadCodecs()'s promise. Measured with
// apps/bench `scripts/instructions.sh client` (keep-alive GET): 61,451
// instructions per request with this memo, 64,231 with `loadCodecs().then`
// on every request.
let loadedCodecs: Codecs | null | undefined;

/** Offers and decodes compressed bodies (decompression off: nothing to do). */
export const decompression: Layer = (next) => (call, request) => {
  if (call.settings.decompress === undefined) return next(call, request);
  if (loadedCodecs !== undefined) return decompressed(loadedCodecs, next, call, request);
  return loadCodecs().then((codecs) => {
    loadedCodecs = codecs;
    return decompressed(codecs, next, call, request);
  });
};

// The session's default headers with Accept-Encoding, made once per session
// rather than copied for each request that sends the defaults as they are
// (header lists are replaced, never changed in place): apps/bench
// `ALLOCATIONS=1 scripts/client-cycle.mjs 20000`, ~9,080 → ~8,820 bytes per GET.
const offeredDefaults = new WeakMap<HeaderList, HeaderList>();

/** `headers` with Accept-Encoding `value` last. */
function offering(call: RequestCall, headers: HeaderList, value: string): HeaderList {
  const isDefault = headers === call.state.headers;
  const known = isDefault ? offeredDefaults.get(headers) : undefined;
  if (known !== undefined) return known;
  const offered: HeaderList = [...headers, ["accept-encoding", value]];
  if (isDefault) offeredDefaults.set(headers, offered);
  return offered;
}

function decompressed(
  codecs: Codecs | null,
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
        headers: offering(call, request.headers, codecs.acceptEncoding),
        body: request.body,
      };
  call.decodeFor = request;
  return onResponse(call, next(call, sent), decodeStep);
}

/** The response step: a body with a Content-Encoding decoded as it is read. */
function decodeStep(response: Response, call: RequestCall): Response {
  const encoding = response.headers.get("content-encoding");
  if (
    encoding === null ||
    call.decodeFor?.method === "HEAD" ||
    NO_BODY_STATUSES.has(response.status)
  )
    return response;
  // Set: this step is joined only once decompressed() had the codecs.
  const codecs = loadedCodecs as Codecs;
  const policy = call.settings.decompress as Required<DecompressOptions>;
  return replaceBody(response, (source) => decodeBody(source, encoding, codecs, policy));
}

/**
 * The `beforeRequest` hooks as a middleware: run before each attempt and
 * each redirect hop, on the request as the layers outside made it; what they
 * change goes on to auth, cookies and the wire (a Digest answer re-sends it
 * as it is).
 */
import { takeUrlCredentials } from "../auth.ts";
import { toRequestBody } from "../body.ts";
import { type HookRequest, isRequestBody, RequestHeaders } from "../hooks.ts";
import type { OutgoingRequest } from "../middleware.ts";
import type { RequestCall } from "../request-context.ts";
import { resolveUrl } from "../resolve-url.ts";
import type { Layer } from "./layer.ts";

/** The `beforeRequest` hooks, or nothing when there are none. */
export const beforeRequestHooks: Layer = (next) => (call, request) => {
  if (call.settings.hooks.beforeRequest.length === 0) return next(call, request);
  return hooked(call, request).then((changed) => next(call, changed));
};

async function hooked(call: RequestCall, given: OutgoingRequest): Promise<OutgoingRequest> {
  const request: HookRequest = {
    url: given.url,
    method: given.method,
    headers: new RequestHeaders(given.headers),
    body: given.body,
    retryCount: call.retries,
    redirectCount: call.history.length,
    options: call.settings.options,
  };
  for (const hook of call.settings.hooks.beforeRequest) await hook(request);
  const url = resolveUrl(call.state.baseUrl, request.url, undefined);
  takeUrlCredentials(url);
  return {
    url,
    method: request.method.toUpperCase(),
    headers: request.headers.toList(),
    body: isRequestBody(request.body) ? request.body : toRequestBody(request.body, undefined),
  };
}

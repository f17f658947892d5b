/**
 * The outermost built-in middleware, on the response that ends the call:
 * `throwOnHttpError` turns a 4xx or 5xx into an HttpError, and inside it the
 * `afterResponse` hooks may replace the response. Each is left out of the
 * chain when it has nothing to do.
 */
import { HttpError } from "../http-error.ts";
import type { OutgoingRequest } from "../middleware.ts";
import type { RequestCall } from "../request-context.ts";
import { Response } from "../response.ts";
import type { Layer } from "./layer.ts";

/** An HttpError for a 4xx or 5xx answer when the request or session asks for one. */
export const throwOnHttpError: Layer = (next) => (call, request) => {
  if (!(call.settings.options.throwOnHttpError ?? call.state.throwOnHttpError))
    return next(call, request);
  return next(call, request).then(refuseHttpError);
};

function refuseHttpError(response: Response): Response {
  if (response.status >= 400) throw new HttpError(response);
  return response;
}

/** The `afterResponse` hooks on the final response (after redirects and retries). */
export const afterResponseHooks: Layer = (next) => (call, request) => {
  if (call.settings.hooks.afterResponse.length === 0) return next(call, request);
  // The request that got it: the last one sent (after redirects), not the first.
  return next(call, request).then((response) => afterResponse(call, call.current, response));
};

async function afterResponse(
  call: RequestCall,
  sent: OutgoingRequest,
  response: Response,
): Promise<Response> {
  let final = response;
  const context = { url: sent.url, method: sent.method, options: call.settings.options };
  for (const hook of call.settings.hooks.afterResponse) {
    const replaced = await hook(final, context);
    if (replaced instanceof Response && replaced !== final) {
      if (!final.bodyUsed) await final.dump();
      final = replaced;
    }
  }
  return final;
}

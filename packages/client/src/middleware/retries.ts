/**
 * Retries: a failed attempt (an error, or a status the policy names) is sent
 * again after a backoff or the server's `Retry-After`, as the retry policy
 * allows (retry.ts), with the `beforeRetry` hooks told first. A reused
 * connection the server had closed is not this middleware's business: the
 * wire layer replaces it (connection/dispatch.ts).
 */
import type { HookRetry } from "../hooks.ts";
import type { OutgoingRequest } from "../middleware.ts";
import type { RequestCall } from "../request-context.ts";
import type { Response } from "../response.ts";
import { type RetryPolicy, retryDelay, sleep } from "../retry.ts";
import type { CallHandler, Layer } from "./layer.ts";

/** Sends each request again while `call.settings.retry` allows (no policy: once). */
export const retries: Layer = (next) => (call, request) => {
  const policy = call.settings.retry;
  if (policy === undefined) return next(call, request);
  // Only the retry policy asks how much time is left: counted from the call's first request.
  call.retryStarted ??= performance.now();
  return withRetries(call, policy, call.retryStarted, next, request);
};

/** What a failed attempt leaves behind: its reason, and no phase timer running into a retry's wait. */
function failedAttempt(call: RequestCall, failure: unknown): unknown {
  const lifeline = call.settings.lifeline;
  const error = lifeline.explain(failure);
  // The failed exchange's connection is gone: stop its phase timer before any wait.
  if (lifeline.reason === undefined) lifeline.bodyEnded();
  return error;
}

async function withRetries(
  call: RequestCall,
  policy: RetryPolicy,
  started: number,
  next: CallHandler,
  request: OutgoingRequest,
): Promise<Response> {
  const { lifeline, timeouts, hooks } = call.settings;
  for (let retry = 1; ; retry++) {
    let response: Response | undefined;
    let error: unknown;
    try {
      response = await next(call, request);
    } catch (failure) {
      error = failedAttempt(call, failure);
    }
    const total = timeouts.total;
    const delay = retryDelay(policy, {
      retry,
      method: request.method,
      body: request.body,
      response,
      error,
      ended: lifeline.reason !== undefined,
      timeLeft: total === undefined ? undefined : total - (performance.now() - started),
    });
    if (delay === undefined) {
      if (response !== undefined) return response;
      throw error;
    }
    const info: HookRetry = {
      attempt: retry,
      error,
      response,
      url: request.url,
      method: request.method,
      delay,
    };
    try {
      for (const hook of hooks.beforeRetry) await hook(info);
    } finally {
      await response?.dump();
    }
    await sleep(info.delay, lifeline.signal);
    call.retries++;
  }
}

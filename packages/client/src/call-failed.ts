/**
 * How a call fails, shared by Session.request and the wire (send.ts), which
 * runs it itself when the caller holds the wire's own promise.
 */
import type { Lifeline } from "./connection/lifeline.ts";
import type { Hooks } from "./hooks.ts";
import type { RequestOptions } from "./options.ts";
import type { RequestCall } from "./request-context.ts";

/**
 * How a call fails: its lifeline stopped, the reason explained (a timeout or
 * an abort wins over what it caused), then the onError hooks, each of which
 * may replace the reason.
 *
 * @example
 * ```ts
 * pending.then(undefined, (error) => callFailed(error, lifeline, hooks, call, options));
 * ```
 */
export async function callFailed(
  error: unknown,
  lifeline: Lifeline,
  hooks: Required<Hooks>,
  call: RequestCall | undefined,
  options: RequestOptions,
): Promise<never> {
  lifeline.finish();
  let reason = lifeline.explain(error);
  for (const hook of hooks.onError) {
    const context = { url: call?.current.url, method: call?.current.method ?? "GET", options };
    const replaced = await hook(reason, context);
    if (replaced !== undefined) reason = replaced;
  }
  throw reason;
}

/**
 * {@link callFailed} with what `call` holds.
 *
 * @example
 * ```ts
 * pending.then(undefined, (error) => failCall(call, error));
 * ```
 */
export function failCall(call: RequestCall, error: unknown): Promise<never> {
  const { lifeline, hooks, options } = call.settings;
  return callFailed(error, lifeline, hooks, call, options);
}

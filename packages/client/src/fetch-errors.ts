/**
 * How fetch() reports failures, as the Fetch standard and the runtimes'
 * own fetch do: an abort rejects with the signal's reason, anything else
 * that stops the fetch is a `TypeError` whose `cause` is the typed error.
 */
import { ReqivoError } from "./errors.ts";

/**
 * What fetch() rejects with when `error` ended it: the abort reason when
 * `signal` is aborted, else `TypeError(message, { cause: error })`.
 */
export function fetchFailure(
  error: unknown,
  signal: AbortSignal | null | undefined,
  message = "fetch failed",
): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof TypeError && !(error instanceof ReqivoError)) return error;
  return new TypeError(message, { cause: error });
}

/** A fetch-level refusal with its own `code`, wrapped as a network error. */
export function fetchRefusal(code: string, message: string): TypeError {
  return new TypeError("fetch failed", { cause: new ReqivoError(code, message) });
}

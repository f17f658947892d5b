/**
 * Retry policy (opt-in): which failures are tried again, how long to wait
 * between attempts (exponential backoff with jitter, or the server's
 * `Retry-After` up to a cap), and an abortable sleep. The request's
 * `timeout.total` deadline spans every attempt and every wait.
 */
import { trimOws } from "@reqivo/protocol";
import type { AbortSignalLike } from "@reqivo/transport";
import type { RequestBody } from "./connection/request-body.ts";
import { InvalidRequestError } from "./errors.ts";
import type { Response } from "./response.ts";

/**
 * Backoff between attempts, in milliseconds.
 *
 * @example
 * ```ts
 * await session.get(url, { retry: { backoff: { base: 100, max: 2_000, jitter: 0.2 } } });
 * ```
 */
export interface BackoffOptions {
  /** Wait before the first retry (default 300); doubles each retry. */
  base?: number;
  /** Longest wait (default 10 000). */
  max?: number;
  /** Fraction of each wait that is random, 0–1 (default 0.5): spreads out clients that failed together. */
  jitter?: number;
}

/**
 * The `retry` option: a number is the `limit`.
 *
 * @example
 * ```ts
 * new Session({ transport, retry: { limit: 3, statuses: [503], backoff: { base: 100 }, maxRetryAfter: 5_000 } });
 * await session.get(url, { retry: 2 });
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  limit?: number;
  /** Methods that may be retried (default the idempotent ones: GET, HEAD, OPTIONS, TRACE, PUT, DELETE). */
  methods?: readonly string[];
  /** Statuses that are retried (default 408, 413 with Retry-After, 429, 500, 502, 503, 504). */
  statuses?: readonly number[];
  /** Error `code`s that are retried (default: connection refused, reset or closed, connect timeout, DNS and network failures). */
  errorCodes?: readonly string[];
  backoff?: BackoffOptions;
  /** Longest `Retry-After` honoured, in ms (default 60 000); a longer one ends the retries and returns the response. */
  maxRetryAfter?: number;
}

/**
 * A normalized retry policy.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy | undefined = retryPolicy(3);
 * ```
 */
export interface RetryPolicy {
  limit: number;
  methods: ReadonlySet<string>;
  statuses: ReadonlySet<number>;
  errorCodes: ReadonlySet<string>;
  base: number;
  max: number;
  jitter: number;
  maxRetryAfter: number;
}

const DEFAULT_METHODS = ["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"];
const DEFAULT_STATUSES = [408, 413, 429, 500, 502, 503, 504];
const DEFAULT_ERROR_CODES = [
  "CONNECTION_REFUSED",
  "CONNECTION_RESET",
  "CONNECTION_CLOSED",
  "CONNECT_TIMEOUT",
  "DNS_FAILURE",
  "NETWORK_ERROR",
];

/**
 * Normalizes the `retry` option; `undefined` means no retries.
 *
 * @example
 * ```ts
 * retryPolicy(3)?.limit; // 3
 * retryPolicy(false);    // undefined
 * ```
 */
export function retryPolicy(
  option: number | boolean | RetryOptions | undefined,
): RetryPolicy | undefined {
  if (option === undefined || option === false || option === 0) return undefined;
  const given = option === true ? {} : typeof option === "number" ? { limit: option } : option;
  const limit = given.limit ?? 2;
  if (!Number.isInteger(limit) || limit < 0)
    throw new InvalidRequestError("retry.limit must be a non-negative integer");
  const backoff = given.backoff ?? {};
  const policy: RetryPolicy = {
    limit,
    methods: new Set((given.methods ?? DEFAULT_METHODS).map((m) => m.toUpperCase())),
    statuses: new Set(given.statuses ?? DEFAULT_STATUSES),
    errorCodes: new Set(given.errorCodes ?? DEFAULT_ERROR_CODES),
    base: backoff.base ?? 300,
    max: backoff.max ?? 10_000,
    jitter: backoff.jitter ?? 0.5,
    maxRetryAfter: given.maxRetryAfter ?? 60_000,
  };
  for (const key of ["base", "max", "maxRetryAfter"] as const) {
    if (!(policy[key] >= 0)) throw new InvalidRequestError(`retry ${key} must be >= 0`);
  }
  if (!(policy.jitter >= 0 && policy.jitter <= 1))
    throw new InvalidRequestError("retry.backoff.jitter must be between 0 and 1");
  return policy.limit === 0 ? undefined : policy;
}

/**
 * `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 *
 * @example
 * ```ts
 * retryAfterMs("3");                              // 3000
 * retryAfterMs(new Date(Date.now() + 2000).toUTCString()); // about 2000
 * ```
 */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = trimOws(value);
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Exponential backoff for the `retry`-th retry (1-based), with jitter.
 *
 * @example
 * ```ts
 * backoffDelay(retryPolicy({ backoff: { base: 100, jitter: 0 } })!, 3); // 400
 * ```
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random = Math.random): number {
  const ceiling = Math.min(policy.max, policy.base * 2 ** (retry - 1));
  return Math.round(ceiling * (1 - policy.jitter * random()));
}

/**
 * What the last attempt produced.
 *
 * @example
 * ```ts
 * const outcome: AttemptOutcome = { retry: 1, method: "GET", body: null, response, error: undefined, ended: false, timeLeft: undefined };
 * ```
 */
export interface AttemptOutcome {
  /** 1-based number of the retry this would be. */
  retry: number;
  method: string;
  body: RequestBody | null;
  response: Response | undefined;
  error: unknown;
  /** Set when the request was aborted or timed out as a whole: never retried. */
  ended: boolean;
  /** Milliseconds left before `timeout.total`, if there is one. */
  timeLeft: number | undefined;
}

/**
 * How long to wait before retrying, or `undefined` when the outcome is final.
 *
 * @example
 * ```ts
 * const wait = retryDelay(policy, { retry: 1, method: "GET", body: null, response, error: undefined, ended: false, timeLeft: undefined });
 * ```
 */
export function retryDelay(
  policy: RetryPolicy | undefined,
  outcome: AttemptOutcome,
): number | undefined {
  if (policy === undefined || outcome.ended || outcome.retry > policy.limit) return undefined;
  if (!policy.methods.has(outcome.method)) return undefined;
  if (outcome.body !== null && !outcome.body.replayable) return undefined;
  let delay: number;
  if (outcome.response !== undefined) {
    const status = outcome.response.status;
    if (!policy.statuses.has(status)) return undefined;
    const after = retryAfterMs(outcome.response.headers.get("retry-after"));
    // 413 is worth retrying only when the server says the condition is temporary (RFC 9110 §15.5.14).
    if (status === 413 && after === undefined) return undefined;
    if (after !== undefined && after > policy.maxRetryAfter) return undefined;
    delay = after ?? backoffDelay(policy, outcome.retry);
  } else {
    const code = (outcome.error as { code?: unknown } | null)?.code;
    if (typeof code !== "string" || !policy.errorCodes.has(code)) return undefined;
    delay = backoffDelay(policy, outcome.retry);
  }
  if (outcome.timeLeft !== undefined && delay >= outcome.timeLeft) return undefined;
  return delay;
}

/**
 * Waits `ms`, rejecting with the signal's reason as soon as it aborts.
 *
 * @example
 * ```ts
 * await sleep(500, AbortSignal.timeout(100)); // rejects after ~100 ms
 * ```
 */
export function sleep(ms: number, signal: AbortSignalLike): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

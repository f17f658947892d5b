/**
 * Hooks: functions a session or request registers to see, and change, what
 * happens — each request before it is sent, each redirect before it is
 * followed, each retry before its wait, the final response, and the error a
 * request fails with. Session hooks run first, then the request's.
 */
import type { HeaderList } from "@reqivo/protocol";
import type { BodyInit } from "./body.ts";
import type { RequestBody } from "./connection/request-body.ts";
import type { RequestOptions } from "./options.ts";
import type { Response } from "./response.ts";

/**
 * Request headers a hook may change; names keep their case, order is kept.
 *
 * @example
 * ```ts
 * const headers = new RequestHeaders([["Accept", "text/html"]]);
 * headers.set("accept", "application/json");
 * headers.append("x-trace", "1");
 * headers.toList(); // [["accept", "application/json"], ["x-trace", "1"]]
 * ```
 */
export class RequestHeaders implements Iterable<[string, string]> {
  #pairs: HeaderList;

  constructor(pairs: HeaderList = []) {
    this.#pairs = pairs.map(([name, value]) => [name, value]);
  }

  /** Values of `name` joined with ", " (`null` when absent). */
  get(name: string): string | null {
    const key = name.toLowerCase();
    const values = this.#pairs.filter(([n]) => n.toLowerCase() === key).map(([, v]) => v);
    return values.length === 0 ? null : values.join(", ");
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  /** Replaces every field of that name. */
  set(name: string, value: string): void {
    this.delete(name);
    this.#pairs.push([name, String(value)]);
  }

  append(name: string, value: string): void {
    this.#pairs.push([name, String(value)]);
  }

  delete(name: string): void {
    const key = name.toLowerCase();
    this.#pairs = this.#pairs.filter(([n]) => n.toLowerCase() !== key);
  }

  toList(): HeaderList {
    return this.#pairs.map(([name, value]) => [name, value]);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.toList()[Symbol.iterator]();
  }
}

/**
 * A request about to be sent, as `beforeRequest` hooks see (and may change) it.
 *
 * @example
 * ```ts
 * declare function hmac(method: string, url: URL): string;
 * const sign = (req: HookRequest) => req.headers.set("x-signature", hmac(req.method, req.url));
 * ```
 */
export interface HookRequest {
  url: URL;
  method: string;
  headers: RequestHeaders;
  /** The normalized body, or replace it with any body input (string, bytes, stream, …). */
  body: RequestBody | BodyInit | null;
  /** Retries made so far for this request. */
  readonly retryCount: number;
  /** Redirects followed so far. */
  readonly redirectCount: number;
  readonly options: RequestOptions;
}

/**
 * A redirect about to be followed (`beforeRedirect`): change `url`, `method` or `headers`, or throw to stop.
 *
 * @example
 * ```ts
 * const stayHome = (r: HookRedirect) => { if (r.url.origin !== r.from.origin) throw new Error("left the origin"); };
 * ```
 */
export interface HookRedirect {
  /** The 3xx response (its body is already drained). */
  readonly response: Response;
  readonly from: URL;
  url: URL;
  method: string;
  headers: RequestHeaders;
}

/**
 * A retry about to wait (`beforeRetry`): change `delay`, or throw to stop retrying.
 *
 * @example
 * ```ts
 * const atMostASecond = (r: HookRetry) => { r.delay = Math.min(r.delay, 1_000); };
 * ```
 */
export interface HookRetry {
  /** 1-based number of this retry. */
  readonly attempt: number;
  /** Why: the failed attempt's error, or the response with a retryable status (unread; read it here if needed). */
  readonly error: unknown;
  readonly response: Response | undefined;
  readonly url: URL;
  readonly method: string;
  /** Milliseconds to wait before the retry. */
  delay: number;
}

/**
 * What `afterResponse` hooks learn about the request.
 *
 * @example
 * ```ts
 * const log = (res: Response, ctx: HookContext) => console.log(ctx.method, ctx.url.href, res.status);
 * ```
 */
export interface HookContext {
  readonly url: URL;
  readonly method: string;
  readonly options: RequestOptions;
}

/**
 * What `onError` hooks learn: `url` is `undefined` when the URL itself was invalid.
 *
 * @example
 * ```ts
 * const wrap = (error: unknown, ctx: HookErrorContext) => new Error(`${ctx.method} ${ctx.url} failed`, { cause: error });
 * ```
 */
export interface HookErrorContext {
  readonly url: URL | undefined;
  readonly method: string;
  readonly options: RequestOptions;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Hook lists of a session or request.
 *
 * @example
 * ```ts
 * const session: Session = new Session({
 *   transport,
 *   hooks: {
 *     beforeRequest: [(req) => req.headers.set("x-request-id", crypto.randomUUID())],
 *     afterResponse: [async (res, ctx) => res.status === 401 ? session.request(ctx.url, { auth: { bearer: await refresh() } }) : undefined],
 *     beforeRetry: [({ attempt, delay }) => console.log(`retry ${attempt} in ${delay} ms`)],
 *     onError: [(error) => new MyError("request failed", { cause: error })],
 *   },
 * });
 * ```
 */
export interface Hooks {
  /**
   * Before each redirect hop and each retry is sent, on the request as the
   * redirect and retry policies made it (a change applies to that hop only;
   * a Digest replay reuses what it produced).
   */
  beforeRequest?: ((request: HookRequest) => MaybePromise<void>)[];
  /** On the final response; returning a Response replaces it (the replaced one's unread body is drained). */
  afterResponse?: ((
    response: Response,
    context: HookContext,
    // biome-ignore lint/suspicious/noConfusingVoidType: hooks that only observe return nothing
  ) => MaybePromise<Response | undefined | void>)[];
  beforeRedirect?: ((redirect: HookRedirect) => MaybePromise<void>)[];
  beforeRetry?: ((retry: HookRetry) => MaybePromise<void>)[];
  /** On the error a request fails with; returning a value replaces the error. */
  onError?: ((error: unknown, context: HookErrorContext) => MaybePromise<unknown>)[];
}

const NO_HOOKS: Required<Hooks> = Object.freeze({
  beforeRequest: Object.freeze([]) as unknown as [],
  afterResponse: Object.freeze([]) as unknown as [],
  beforeRedirect: Object.freeze([]) as unknown as [],
  beforeRetry: Object.freeze([]) as unknown as [],
  onError: Object.freeze([]) as unknown as [],
});

/**
 * Session hooks, then request hooks.
 *
 * @example
 * ```ts
 * mergeHooks({ onError: [a] }, { onError: [b] }).onError; // [a, b]
 * ```
 */
export function mergeHooks(
  session: Hooks | undefined,
  request: Hooks | undefined,
): Required<Hooks> {
  // The common case, without five array copies per request; nothing writes to these lists.
  if (session === undefined && request === undefined) return NO_HOOKS;
  const both = <K extends keyof Hooks>(key: K) =>
    [...(session?.[key] ?? []), ...(request?.[key] ?? [])] as NonNullable<Hooks[K]>;
  return {
    beforeRequest: both("beforeRequest"),
    afterResponse: both("afterResponse"),
    beforeRedirect: both("beforeRedirect"),
    beforeRetry: both("beforeRetry"),
    onError: both("onError"),
  };
}

/**
 * Whether a body is already normalized (a hook may put back the one it was given).
 *
 * @example
 * ```ts
 * isRequestBody(toRequestBody("x", undefined)); // true
 * isRequestBody("x");                           // false
 * ```
 */
export function isRequestBody(body: unknown): body is RequestBody {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (body as RequestBody).chunks === "function" &&
    typeof (body as RequestBody).replayable === "boolean"
  );
}

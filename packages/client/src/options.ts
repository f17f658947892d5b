/** Request and session options, and their normalization. */
import type { HeaderList, Headers as ProtocolHeaders } from "@reqivo/protocol";
import type { AuthOptions } from "./auth.ts";
import type { BodyInit } from "./body.ts";
import type { DecompressOptions } from "./decompress.ts";
import { InvalidRequestError } from "./errors.ts";
import type { Hooks } from "./hooks.ts";
import type { ProgressCallback } from "./progress.ts";
import type { ProxyInput } from "./proxy/config.ts";
import { DEFAULT_SENSITIVE_HEADERS } from "./redirect.ts";
import type { RetryOptions } from "./retry.ts";
import type { ClientTlsOptions } from "./tls-settings.ts";

/** Headers as an object, `[name, value]` pairs, a WHATWG `Headers` or a protocol `Headers` view. */
export type HeadersInput =
  | Record<string, string | number | readonly string[] | undefined>
  | Iterable<readonly [string, string]>
  | ProtocolHeaders;

/** Time limits in milliseconds; each raises its own error. */
export interface TimeoutOptions {
  /** TCP and TLS set-up (ConnectTimeoutError). */
  connect?: number;
  /** From the request being sent to the response head (HeadersTimeoutError). */
  headers?: number;
  /** Longest gap between two pieces of the response body (BodyTimeoutError). */
  body?: number;
  /** The whole request, redirects and body included (DeadlineExceededError). */
  total?: number;
}

/** `follow` (default) follows up to `max` redirects, `manual` returns the 3xx, `error` throws. */
export type RedirectMode = "follow" | "manual" | "error";

/** Redirect policy. */
export interface RedirectOptions {
  mode?: RedirectMode;
  /** Default 20. */
  max?: number;
  /**
   * Headers dropped, beside Authorization, Cookie and Proxy-Authorization,
   * when a redirect leaves the origin (or a session's defaults go outside its
   * `baseUrl`). Default {@link DEFAULT_SENSITIVE_HEADERS}; a list replaces it.
   */
  sensitiveHeaders?: readonly string[];
}

/** Query parameters appended to the URL. */
export type QueryInput =
  | URLSearchParams
  | Record<string, string | number | boolean | readonly (string | number | boolean)[] | undefined>
  | Iterable<readonly [string, string]>;

/**
 * Options of one request.
 *
 * @example
 * ```ts
 * const res = await session.post("/items", {
 *   json: { name: "reqivo" },
 *   headers: { "x-trace": "1" },
 *   query: { dryRun: true },
 *   timeout: { headers: 5_000, total: 30_000 },
 * });
 * ```
 */
export interface RequestOptions {
  method?: string;
  headers?: HeadersInput;
  query?: QueryInput;
  body?: BodyInit | null;
  /** Sent as `application/json`. */
  json?: unknown;
  signal?: AbortSignal;
  /** A number is the `total` deadline. */
  timeout?: number | TimeoutOptions;
  /** A mode string, or the full policy. */
  redirect?: RedirectMode | RedirectOptions;
  /** Called for every 1xx interim response (100 Continue, 103 Early Hints, …). */
  onInformational?: (status: number, headers: ProtocolHeaders) => void;
  /** Send `Expect: 100-continue` and hold the body until a 100, a final answer, or this many ms (`true`: 1000). */
  expectContinue?: boolean | number;
  /** Throw HttpError for 4xx and 5xx answers. Default false. */
  throwOnHttpError?: boolean;
  /** Replaces the session's `auth` (and credentials in the URL); `null` sends none. */
  auth?: AuthOptions | null;
  /** Replaces the session's retry policy; a number is the limit, `false` turns retries off. */
  retry?: number | boolean | RetryOptions;
  /** Replaces the session's decompression policy; `false` leaves the body encoded. */
  decompress?: boolean | DecompressOptions;
  /** Added after the session's hooks. */
  hooks?: Hooks;
  /** Request body bytes taken for sending (total: the body length when known). */
  onUploadProgress?: ProgressCallback;
  /** Response body bytes received, counted on the wire before decompression (total: Content-Length). */
  onDownloadProgress?: ProgressCallback;
  /**
   * TLS settings of this request, merged over the session's field by field.
   * Connections opened with other settings are never reused for it.
   */
  tls?: ClientTlsOptions;
  /** Connect through this Unix domain socket (replaces the session's; a Unix-socket URL wins over both). */
  socketPath?: string;
  /** This request's proxy, replacing the session's; `false` connects directly. */
  proxy?: ProxyInput;
}

/** Flattens any {@link HeadersInput} into pairs (validation happens in the protocol core). */
export function headerPairs(input: HeadersInput | undefined): HeaderList {
  if (input === undefined) return [];
  const out: HeaderList = [];
  if (typeof (input as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const pair of input as Iterable<readonly [string, string]>) {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw new InvalidRequestError("headers must be [name, value] pairs");
      out.push([String(pair[0]), String(pair[1])]);
    }
    return out;
  }
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.push([name, String(v)]);
    else out.push([name, String(value)]);
  }
  return out;
}

/** Merges header lists: names in `override` replace those in `base` (case-insensitive). */
export function mergeHeaders(base: HeaderList, override: HeaderList): HeaderList {
  if (base.length === 0) return override;
  if (override.length === 0) return base.slice();
  const replaced = new Set(override.map(([name]) => name.toLowerCase()));
  return [...base.filter(([name]) => !replaced.has(name.toLowerCase())), ...override];
}

/** Whether any pair has this (lower-case) name. */
export function hasHeader(headers: HeaderList, lowerName: string): boolean {
  return headers.some(
    ([name]) => name.length === lowerName.length && name.toLowerCase() === lowerName,
  );
}

/** Appends query parameters to a URL. */
export function applyQuery(url: URL, query: QueryInput | undefined): void {
  if (query === undefined) return;
  const entries =
    query instanceof URLSearchParams ||
    typeof (query as Iterable<unknown>)[Symbol.iterator] === "function"
      ? [...(query as Iterable<readonly [string, string]>)]
      : Object.entries(query).flatMap(([k, v]) =>
          v === undefined
            ? []
            : Array.isArray(v)
              ? v.map((x) => [k, String(x)] as const)
              : [[k, String(v)] as const],
        );
  for (const [key, value] of entries) url.searchParams.append(key, value);
}

/** Normalizes the timeout option. */
export function timeoutOptions(timeout: number | TimeoutOptions | undefined): TimeoutOptions {
  if (timeout === undefined) return {};
  const options = typeof timeout === "number" ? { total: timeout } : timeout;
  for (const [key, value] of Object.entries(options)) {
    if (
      value !== undefined &&
      !(typeof value === "number" && value > 0 && Number.isFinite(value))
    ) {
      throw new InvalidRequestError(`timeout.${key} must be a positive number of ms`);
    }
  }
  return options;
}

/** Normalizes the redirect option. */
export function redirectOptions(
  redirect: RedirectMode | RedirectOptions | undefined,
): Required<RedirectOptions> {
  const options = typeof redirect === "string" ? { mode: redirect } : (redirect ?? {});
  const mode = options.mode ?? "follow";
  if (mode !== "follow" && mode !== "manual" && mode !== "error")
    throw new InvalidRequestError(`bad redirect mode ${mode}`);
  const max = options.max ?? 20;
  if (!Number.isInteger(max) || max < 0)
    throw new InvalidRequestError("redirect.max must be a non-negative integer");
  const sensitive = options.sensitiveHeaders ?? DEFAULT_SENSITIVE_HEADERS;
  if (!Array.isArray(sensitive) || !sensitive.every((name) => typeof name === "string"))
    throw new InvalidRequestError("redirect.sensitiveHeaders must be an array of header names");
  const sensitiveHeaders =
    sensitive === DEFAULT_SENSITIVE_HEADERS
      ? DEFAULT_SENSITIVE_HEADERS
      : Object.freeze(sensitive.map((name) => name.toLowerCase()));
  return { mode, max, sensitiveHeaders };
}

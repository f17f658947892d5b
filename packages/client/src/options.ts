/** Request and session options (public types), and their normalization. */
import type { Headers as ProtocolHeaders } from "@reqivo/protocol";
import type { AuthOptions } from "./auth.ts";
import type { BodyInit } from "./body.ts";
import type { TimeoutOptions } from "./connection/lifeline.ts";
import type { ProxyInput } from "./connection/proxy/config.ts";
import type { ClientTlsOptions } from "./connection/tls-settings.ts";
import type { DecompressOptions } from "./decompress.ts";
import { InvalidRequestError } from "./errors.ts";
import type { HeadersInput, QueryInput } from "./header-input.ts";
import type { Hooks } from "./hooks.ts";
import type { Middleware } from "./middleware.ts";
import type { ProgressCallback } from "./progress.ts";
import { DEFAULT_SENSITIVE_HEADERS } from "./redirect.ts";
import type { RetryOptions } from "./retry.ts";

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
  /** Middleware of this request, innermost of the session's (see the middleware guide). */
  use?: Middleware[];
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

/**
 * fetch()'s input and init read as the Fetch standard's Request constructor
 * reads them, into the Session's request options. What a server runtime has
 * no use for (mode, referrer, keepalive, priority) is checked and ignored;
 * what Reqivo cannot do honestly (`credentials: "omit"` with a cookie jar)
 * is refused with a TypeError.
 */
import type { BodyInit } from "./body.ts";
import { toRequestBody } from "./body.ts";
import { concatBytes } from "./connection/bytes.ts";
import { fetchFailure, fetchRefusal } from "./fetch-errors.ts";
import type { RequestOptions } from "./options.ts";

/**
 * `fetch`'s `RequestInit`, plus three per-request network options of
 * {@link RequestOptions}: a proxy, TLS settings and a Unix socket (Bun's own
 * `fetch` takes `proxy` and `tls` in the same place). Every other member a
 * wrapper adds for itself (`timeout`, `retry`, …) is ignored, as the runtime's
 * fetch ignores it; timeouts come from the session or an `AbortSignal`.
 *
 * @example
 * ```ts
 * import type { FetchInit } from "@reqivo/client";
 * const init: FetchInit = { method: "GET", proxy: "http://127.0.0.1:3128", signal: AbortSignal.timeout(5_000) };
 * ```
 */
export interface FetchInit extends RequestInit {
  proxy?: RequestOptions["proxy"];
  tls?: RequestOptions["tls"];
  socketPath?: RequestOptions["socketPath"];
  /** Required by the standard for a stream body; `"half"` is the only value. */
  duplex?: "half";
}

/**
 * Bodies of `Request` inputs up to this size are read whole before sending:
 * they go out with a Content-Length and are sent again on a 307/308. A
 * Request's body is always a stream, and whether it came from a string or
 * from a caller's own stream cannot be seen, so the size decides; a longer
 * body is sent chunked, once.
 */
export const REQUEST_BODY_BUFFER_LIMIT = 8 * 1024 * 1024;

const STANDARD_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MODES = new Set(["cors", "no-cors", "same-origin", "navigate"]);
const CREDENTIALS = new Set(["omit", "same-origin", "include"]);
const CACHE_MODES = new Set([
  "default",
  "no-store",
  "reload",
  "no-cache",
  "force-cache",
  "only-if-cached",
]);
const REDIRECT_MODES = new Set(["follow", "error", "manual"]);

/** The runtime's classes as they were when Reqivo loaded: code that replaces the globals later does not change fetch(). */
export const runtimeClasses = {
  Headers: globalThis.Headers,
  Request: globalThis.Request as typeof globalThis.Request | undefined,
  Response: globalThis.Response,
};

/** One fetch() call, ready for `session.request`. */
export interface PreparedFetch {
  readonly url: string;
  readonly method: string;
  readonly signal: AbortSignal | null;
  /** Subresource Integrity metadata the body must match ("" for none). */
  readonly integrity: string;
  readonly options: RequestOptions;
}

/** What `prepareFetch` needs to know of the session. */
export interface FetchSessionView {
  /** The session keeps cookies (credentials: "omit" cannot be honoured). */
  readonly hasCookieJar: boolean;
}

function enumMember(name: string, value: unknown, allowed: Set<string>): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!allowed.has(text))
    throw new TypeError(`fetch: ${name} ${JSON.stringify(text)} is not valid`);
  return text;
}

/** Fetch's "normalize a method", with its checks. */
function normalizeMethod(given: unknown): string {
  const method = String(given);
  if (!TOKEN.test(method)) throw new TypeError(`fetch: ${JSON.stringify(method)} is not a method`);
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) throw new TypeError(`fetch: method ${method} is forbidden`);
  return STANDARD_METHODS.has(upper) ? upper : method;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function"
  );
}

/** An init body as the session takes it; anything else is a string, as WebIDL converts it. */
function initBody(body: unknown): BodyInit {
  if (typeof body === "string" || body instanceof ArrayBuffer) return body;
  if (ArrayBuffer.isView(body))
    return new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
  if (
    (typeof Blob !== "undefined" && body instanceof Blob) ||
    body instanceof URLSearchParams ||
    (typeof FormData !== "undefined" && body instanceof FormData) ||
    (typeof ReadableStream !== "undefined" && body instanceof ReadableStream) ||
    isAsyncIterable(body)
  )
    return body as BodyInit;
  return String(body);
}

function chunkBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError("fetch: a request body stream must yield Uint8Array chunks");
}

async function* resumed(
  pieces: Uint8Array[],
  reader: ReadableStreamDefaultReader<unknown>,
): AsyncIterable<Uint8Array> {
  yield* pieces;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield chunkBytes(value);
  }
}

/**
 * A Request's body: whole bytes when it ends within
 * {@link REQUEST_BODY_BUFFER_LIMIT}, else the bytes read so far and the rest,
 * streamed. An abort of `signal` stops the reading with its reason.
 */
async function takeRequestBody(
  stream: ReadableStream<unknown>,
  signal: AbortSignal | null,
): Promise<Uint8Array | AsyncIterable<Uint8Array>> {
  const reader = stream.getReader();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const pieces: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      if (done) return concatBytes(pieces, size);
      const bytes = chunkBytes(value);
      pieces.push(bytes);
      size += bytes.length;
      if (size > REQUEST_BODY_BUFFER_LIMIT) return resumed(pieces, reader);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** The body's length when it is known before sending (`null`: a stream). */
function knownLength(body: BodyInit | null): number | null {
  try {
    return body === null ? 0 : (toRequestBody(body, undefined)?.length ?? null);
  } catch (error) {
    throw fetchFailure(error, null);
  }
}

/** Fetch's cache-mode request headers (HTTP-network-or-cache fetch); Reqivo keeps no cache. */
function addCacheHeaders(headers: Headers, cache: string | undefined): void {
  if (cache === "no-cache" && !headers.has("cache-control"))
    headers.set("cache-control", "max-age=0");
  if (cache === "no-store" || cache === "reload") {
    if (!headers.has("pragma")) headers.set("pragma", "no-cache");
    if (!headers.has("cache-control")) headers.set("cache-control", "no-cache");
  }
}

/**
 * Reads `input` and `init` as `new Request(input, init)` would, and returns
 * the URL, the signal and the session options of the call.
 */
export async function prepareFetch(
  input: string | URL | Request,
  init: FetchInit,
  session: FetchSessionView,
): Promise<PreparedFetch> {
  const RuntimeRequest = runtimeClasses.Request;
  const request =
    RuntimeRequest !== undefined && input instanceof RuntimeRequest ? input : undefined;
  const url = request?.url ?? String(input);

  if (init.window !== undefined && init.window !== null)
    throw new TypeError("fetch: window can only be null");
  const mode = enumMember("mode", init.mode, MODES);
  if (mode === "navigate") throw new TypeError("fetch: mode navigate cannot be requested");
  const credentials = enumMember(
    "credentials",
    init.credentials ?? request?.credentials,
    CREDENTIALS,
  );
  const cache = enumMember("cache", init.cache ?? request?.cache, CACHE_MODES);
  if (cache === "only-if-cached" && (mode ?? request?.mode) !== "same-origin")
    throw new TypeError('fetch: cache "only-if-cached" needs mode "same-origin"');
  const redirect = enumMember("redirect", init.redirect ?? request?.redirect, REDIRECT_MODES);
  if (init.duplex !== undefined && init.duplex !== "half")
    throw new TypeError('fetch: duplex can only be "half"');
  const integrity = String(init.integrity ?? request?.integrity ?? "");
  if (credentials === "omit" && session.hasCookieJar)
    throw new TypeError(
      'fetch: credentials "omit" needs a Session without a cookie jar (new Session({ cookies: false }))',
    );

  const method = normalizeMethod(init.method ?? request?.method ?? "GET");
  const headers = new runtimeClasses.Headers(
    init.headers !== undefined ? init.headers : request?.headers,
  );
  const signal = init.signal !== undefined ? init.signal : (request?.signal ?? null);
  if (signal?.aborted) throw signal.reason;

  let body: BodyInit | null = null;
  if (init.body !== undefined && init.body !== null) {
    body = initBody(init.body);
  } else if (request?.body) {
    if (request.bodyUsed) throw new TypeError("fetch: the Request's body is already used");
    body = await takeRequestBody(request.body, signal).catch((error: unknown) => {
      throw fetchFailure(error, signal);
    });
  }
  if (body !== null && (method === "GET" || method === "HEAD"))
    throw new TypeError("fetch: a GET or HEAD request cannot have a body");

  if (!headers.has("accept")) headers.set("accept", "*/*");
  addCacheHeaders(headers, cache);
  const declared = headers.get("content-length");
  if (declared !== null) {
    const length = knownLength(body);
    if (length !== null && declared.trim() !== String(length))
      throw fetchRefusal(
        "CONTENT_LENGTH_MISMATCH",
        `Content-Length ${declared} does not match the body's ${length} bytes`,
      );
  }
  if (cache === "only-if-cached")
    throw fetchRefusal("NOT_CACHED", 'cache "only-if-cached": Reqivo keeps no HTTP cache');

  const options: RequestOptions = {
    method,
    headers: [...headers],
    body,
    redirect: (redirect ?? "follow") as RequestOptions["redirect"] & string,
  };
  if (signal !== null) options.signal = signal;
  if (credentials === "omit") options.auth = null;
  if (init.proxy !== undefined) options.proxy = init.proxy;
  if (init.tls !== undefined) options.tls = init.tls;
  if (init.socketPath !== undefined) options.socketPath = init.socketPath;
  return { url, method, signal, integrity, options };
}

/**
 * The client's errors. Every Reqivo error — these, the protocol's and the
 * transports' — carries the `Symbol.for("reqivo.error")` brand, so
 * `err instanceof ReqivoError` holds for all of them, across packages and
 * across two copies of one package. Each class also has its own brand,
 * `Symbol.for("reqivo.error.<Name>")`, written out as a fixed string (as the
 * protocol and transport packages do), never taken from the class's runtime
 * name: a minifier that renames classes must not change what a brand is.
 */
const ANY_REQIVO_ERROR = Symbol.for("reqivo.error");

/** Each Reqivo error class's fixed name and brand, set by {@link brandErrorClass}. */
const CLASS_BRANDS = new WeakMap<object, { readonly name: string; readonly brand: symbol }>();

function branded(value: unknown, brand: symbol): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/**
 * Gives an error class its fixed `name` and its brand,
 * `Symbol.for("reqivo.error." + name)`. Called once per class, in its static
 * block, with the name spelled out; the brand strings are shared with every
 * other version of the package, so they never change.
 */
export function brandErrorClass(
  errorClass: abstract new (...args: never[]) => Error,
  name: string,
): void {
  CLASS_BRANDS.set(errorClass, { name, brand: Symbol.for(`reqivo.error.${name}`) });
}

/**
 * Root of the hierarchy: `instanceof ReqivoError` is true for every error a
 * Reqivo package throws (protocol and transport errors included).
 *
 * @example
 * ```ts
 * import { ReqivoError } from "@reqivo/client";
 * try { await session.get("http://127.0.0.1:1/"); }
 * catch (e) { if (e instanceof ReqivoError) console.log(e.code); } // "CONNECTION_REFUSED"
 * ```
 */
export class ReqivoError extends Error {
  /** Stable, machine-readable code. */
  readonly code: string;
  readonly [ANY_REQIVO_ERROR] = true;

  static {
    brandErrorClass(ReqivoError, "ReqivoError");
  }

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // A class of the caller's own (no fixed brand) keeps its own name.
    this.name = CLASS_BRANDS.get(new.target)?.name ?? new.target.name;
    this.code = code;
    // The brands of the class and of every Reqivo class above it: a SocksError is a ProxyError too.
    for (let c: object | null = new.target; c !== null; c = Object.getPrototypeOf(c)) {
      const own = CLASS_BRANDS.get(c);
      if (own !== undefined) (this as Record<symbol, unknown>)[own.brand] = true;
      if (c === ReqivoError) break;
    }
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class `instanceof` was called on: ReqivoError matches any branded error.
    // biome-ignore lint/complexity/noThisInStatic: the receiver decides which brand to check
    if (this === ReqivoError) return branded(value, ANY_REQIVO_ERROR);
    // biome-ignore lint/complexity/noThisInStatic: the receiver decides which brand to check
    const own = CLASS_BRANDS.get(this);
    if (own !== undefined) return branded(value, own.brand);
    // A caller's own subclass has no fixed brand: the ordinary prototype-chain check.
    // biome-ignore lint/complexity/noThisInStatic: the receiver decides which brand to check
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * A time limit of the request ran out. Subclasses say which one.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@reqivo/client";
 * try { await session.get(url, { timeout: { headers: 100 } }); }
 * catch (e) { if (e instanceof TimeoutError) console.log(e.code); } // "HEADERS_TIMEOUT"
 * ```
 */
export class TimeoutError extends ReqivoError {
  static {
    brandErrorClass(TimeoutError, "TimeoutError");
  }

  /** The limit that ran out, in milliseconds. */
  readonly timeout: number;
  constructor(code: string, message: string, timeout: number) {
    super(code, message);
    this.timeout = timeout;
  }
}

/**
 * No response head arrived within `timeout.headers` ms of the request being sent.
 *
 * @example
 * ```ts
 * import { HeadersTimeoutError } from "@reqivo/client";
 * new HeadersTimeoutError(5000).code; // "HEADERS_TIMEOUT"
 * ```
 */
export class HeadersTimeoutError extends TimeoutError {
  static {
    brandErrorClass(HeadersTimeoutError, "HeadersTimeoutError");
  }

  constructor(timeout: number) {
    super("HEADERS_TIMEOUT", `no response head within ${timeout} ms`, timeout);
  }
}

/**
 * The gap between two pieces of the response body exceeded `timeout.body` ms.
 *
 * @example
 * ```ts
 * import { BodyTimeoutError } from "@reqivo/client";
 * new BodyTimeoutError(5000).code; // "BODY_TIMEOUT"
 * ```
 */
export class BodyTimeoutError extends TimeoutError {
  static {
    brandErrorClass(BodyTimeoutError, "BodyTimeoutError");
  }

  constructor(timeout: number) {
    super("BODY_TIMEOUT", `no response body data for ${timeout} ms`, timeout);
  }
}

/**
 * The whole request — connecting, redirects, reading the body — took longer than `timeout.total` ms.
 *
 * @example
 * ```ts
 * import { DeadlineExceededError } from "@reqivo/client";
 * new DeadlineExceededError(30000).code; // "DEADLINE_EXCEEDED"
 * ```
 */
export class DeadlineExceededError extends TimeoutError {
  static {
    brandErrorClass(DeadlineExceededError, "DeadlineExceededError");
  }

  constructor(timeout: number) {
    super("DEADLINE_EXCEEDED", `request not complete within ${timeout} ms`, timeout);
  }
}

/**
 * The request was aborted through its `signal`; the signal's reason is the `cause`.
 *
 * @example
 * ```ts
 * import { AbortError } from "@reqivo/client";
 * const controller = new AbortController();
 * const pending = session.get(url, { signal: controller.signal });
 * controller.abort("changed my mind");
 * await pending.catch((e) => e instanceof AbortError && e.cause); // "changed my mind"
 * ```
 */
export class AbortError extends ReqivoError {
  static {
    brandErrorClass(AbortError, "AbortError");
  }

  constructor(reason: unknown) {
    super("ABORTED", "the request was aborted", { cause: reason });
  }
}

/**
 * More redirects than `redirect.max` (default 20).
 *
 * @example
 * ```ts
 * import { TooManyRedirectsError } from "@reqivo/client";
 * new TooManyRedirectsError(20).code; // "TOO_MANY_REDIRECTS"
 * ```
 */
export class TooManyRedirectsError extends ReqivoError {
  static {
    brandErrorClass(TooManyRedirectsError, "TooManyRedirectsError");
  }

  constructor(max: number) {
    super("TOO_MANY_REDIRECTS", `more than ${max} redirects`);
  }
}

/**
 * A redirect led back to a URL already visited with the same method.
 *
 * @example
 * ```ts
 * import { RedirectLoopError } from "@reqivo/client";
 * new RedirectLoopError("http://a/x").code; // "REDIRECT_LOOP"
 * ```
 */
export class RedirectLoopError extends ReqivoError {
  static {
    brandErrorClass(RedirectLoopError, "RedirectLoopError");
  }

  constructor(url: string) {
    super("REDIRECT_LOOP", `redirect loop back to ${url}`);
  }
}

/**
 * A redirect when the request said `redirect: "error"`, or one that cannot be followed
 * (a 307/308 whose streamed body cannot be sent again, a non-HTTP location).
 *
 * @example
 * ```ts
 * import { RedirectError } from "@reqivo/client";
 * new RedirectError("redirects are disabled").code; // "REDIRECT"
 * ```
 */
export class RedirectError extends ReqivoError {
  static {
    brandErrorClass(RedirectError, "RedirectError");
  }

  constructor(message: string) {
    super("REDIRECT", message);
  }
}

/**
 * The session was closed, or a request was made on the default session before a
 * transport was configured.
 *
 * @example
 * ```ts
 * import { SessionClosedError } from "@reqivo/client";
 * new SessionClosedError().code; // "SESSION_CLOSED"
 * ```
 */
export class SessionClosedError extends ReqivoError {
  static {
    brandErrorClass(SessionClosedError, "SessionClosedError");
  }

  constructor(message = "the session is closed") {
    super("SESSION_CLOSED", message);
  }
}

/**
 * The caller passed something unusable (a bad URL, an unsupported body type, a bad option).
 *
 * @example
 * ```ts
 * import { InvalidRequestError } from "@reqivo/client";
 * new InvalidRequestError("bad url").code; // "INVALID_REQUEST"
 * ```
 */
export class InvalidRequestError extends ReqivoError {
  static {
    brandErrorClass(InvalidRequestError, "InvalidRequestError");
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super("INVALID_REQUEST", message, options);
  }
}

/**
 * A compressed response body could not be decoded safely: it decodes to more
 * than `decompress.maxSize` bytes (`DECOMPRESSED_TOO_LARGE`), stacks more
 * codings than `decompress.maxEncodings` (`TOO_MANY_ENCODINGS`), or is corrupt
 * (`DECOMPRESSION_FAILED`, the codec's error as `cause`).
 *
 * @example
 * ```ts
 * import { DecompressionError } from "@reqivo/client";
 * try { await (await session.get(url)).bytes(); }
 * catch (e) { if (e instanceof DecompressionError) console.log(e.code); } // "DECOMPRESSED_TOO_LARGE"
 * ```
 */
export class DecompressionError extends ReqivoError {
  static {
    brandErrorClass(DecompressionError, "DecompressionError");
  }

  constructor(
    code: "DECOMPRESSED_TOO_LARGE" | "TOO_MANY_ENCODINGS" | "DECOMPRESSION_FAILED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/**
 * An HTTP/2 stream ended without a response: the server reset it
 * (`HTTP2_STREAM_RESET`, `HTTP2_REFUSED_STREAM`) or went away before
 * processing it (`HTTP2_UNPROCESSED`: a GOAWAY whose last stream id is below
 * it, or a connection that stopped taking streams). `errorCode` is the
 * RST_STREAM or GOAWAY error code (RFC 9113 §7). Refused and unprocessed
 * requests were not acted on: the client sends them again on another
 * connection once before this reaches the caller.
 *
 * @example
 * ```ts
 * import { Http2StreamError } from "@reqivo/client";
 * try { await session.get(url); }
 * catch (e) { if (e instanceof Http2StreamError) console.log(e.code, e.errorCode); } // "HTTP2_STREAM_RESET" 2
 * ```
 */
export class Http2StreamError extends ReqivoError {
  /** The HTTP/2 error code the stream ended with. */
  readonly errorCode: number;

  static {
    brandErrorClass(Http2StreamError, "Http2StreamError");
  }

  constructor(
    code: "HTTP2_STREAM_RESET" | "HTTP2_REFUSED_STREAM" | "HTTP2_UNPROCESSED",
    message: string,
    errorCode: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.errorCode = errorCode;
  }
}

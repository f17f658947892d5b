/**
 * A WHATWG-compatible `fetch` on top of a Session, for drop-in use: same
 * signature, returns the runtime's own `Response` class (so `instanceof
 * Response`, `response.body` and `Response.json()`-style code keep working).
 */
import type { BodyInit } from "./body.ts";
import { InvalidRequestError } from "./errors.ts";
import type { RequestOptions } from "./options.ts";
import type { Session } from "./session.ts";

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * `fetch`'s `RequestInit`, plus the per-request network options of
 * {@link RequestOptions}: a proxy, TLS settings, a Unix socket, timeouts
 * (Bun's own `fetch` takes `proxy`, `tls` and `unix` in the same place).
 *
 * @example
 * ```ts
 * import type { FetchInit } from "@reqivo/client";
 * const init: FetchInit = { method: "GET", proxy: "http://127.0.0.1:3128", timeout: 5_000 };
 * ```
 */
export interface FetchInit extends RequestInit {
  proxy?: RequestOptions["proxy"];
  tls?: RequestOptions["tls"];
  socketPath?: RequestOptions["socketPath"];
  timeout?: RequestOptions["timeout"];
}

/** The `fetch` signature bound to one Session. */
export type FetchFunction = (
  input: string | URL | Request,
  init?: FetchInit,
) => Promise<globalThis.Response>;

/**
 * Makes a `fetch` that sends through `session` (its pool, defaults and transport).
 *
 * @example
 * ```ts
 * import { Session, createFetch } from "@reqivo/client";
 * const fetch = createFetch(new Session({ transport }));
 * const res = await fetch("http://127.0.0.1:8080/data", { method: "POST", body: "hi" });
 * console.log(res.status, await res.text());
 * ```
 */
export function createFetch(session: Session): FetchFunction {
  return async (input, init = {}) => {
    const request = typeof Request !== "undefined" && input instanceof Request ? input : undefined;
    const url = request?.url ?? String(input);
    const headers = new Headers(init.headers ?? request?.headers);
    const method = (init.method ?? request?.method ?? "GET").toUpperCase();
    const given: unknown =
      init.body ?? (request !== undefined && request.body !== null ? request.body : null);
    const body = (
      ArrayBuffer.isView(given) && !(given instanceof Uint8Array)
        ? new Uint8Array(given.buffer, given.byteOffset, given.byteLength)
        : given
    ) as BodyInit | null;
    if (body !== null && (method === "GET" || method === "HEAD")) {
      throw new TypeError("fetch: a GET or HEAD request cannot have a body");
    }
    const redirect = init.redirect ?? request?.redirect ?? "follow";
    const options: RequestOptions = {
      method,
      headers: [...headers],
      body,
      redirect: redirect === "follow" ? "follow" : redirect === "manual" ? "manual" : "error",
    };
    const signal = init.signal ?? request?.signal;
    if (signal) options.signal = signal;
    if (init.proxy !== undefined) options.proxy = init.proxy;
    if (init.tls !== undefined) options.tls = init.tls;
    if (init.socketPath !== undefined) options.socketPath = init.socketPath;
    if (init.timeout !== undefined) options.timeout = init.timeout;
    let response: Awaited<ReturnType<Session["request"]>>;
    try {
      response = await session.request(url, options);
    } catch (error) {
      if (error instanceof InvalidRequestError)
        throw new TypeError(error.message, { cause: error });
      throw error;
    }
    const responseHeaders = new Headers();
    for (const [name, value] of response.headers) responseHeaders.append(name, value);
    const nullBody = NULL_BODY_STATUSES.has(response.status) || method === "HEAD";
    if (nullBody) await response.dump();
    // The WHATWG Response constructor takes 200-599 only; interim statuses never reach here.
    const status = Math.max(200, response.status);
    const out = new globalThis.Response(nullBody ? null : response.body, {
      status,
      statusText: response.statusText,
      headers: responseHeaders,
    });
    Object.defineProperty(out, "url", { value: response.url });
    Object.defineProperty(out, "redirected", { value: response.redirected });
    return out;
  };
}

/**
 * A WHATWG-compatible `fetch` on top of a Session, for drop-in use: same
 * signature, returns the runtime's own `Response` class (so `instanceof
 * Response`, `response.body` and `Response.json()`-style code keep working),
 * rejects as the runtime's fetch does (see fetch-errors.ts).
 */
import { fetchFailure } from "./fetch-errors.ts";
import { prepareFetch } from "./fetch-request.ts";
import { toFetchResponse } from "./fetch-response.ts";
import type { RequestOptions } from "./options.ts";
import type { Session } from "./session.ts";

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
  return async (input, init) => {
    const view = { hasCookieJar: session.cookies !== undefined };
    const prepared = await prepareFetch(input, init ?? {}, view);
    let response: Awaited<ReturnType<Session["request"]>>;
    try {
      response = await session.request(prepared.url, prepared.options);
    } catch (error) {
      throw fetchFailure(error, prepared.signal);
    }
    return toFetchResponse(response, prepared);
  };
}

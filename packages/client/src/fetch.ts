/**
 * A WHATWG-compatible `fetch` on top of a Session, for drop-in use: same
 * signature, returns the runtime's own `Response` class (so `instanceof
 * Response`, `response.body` and `Response.json()`-style code keep working),
 * rejects as the runtime's fetch does (see fetch-errors.ts).
 */
import { fetchFailure } from "./fetch-errors.ts";
import { type FetchInit, prepareFetch } from "./fetch-request.ts";
import { toFetchResponse } from "./fetch-response.ts";
import type { Session } from "./session.ts";

// Defined beside the code that reads it (fetch-request.ts), so the two modules import no circle.
export type { FetchInit } from "./fetch-request.ts";

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

/**
 * Reqivo for Bun: the client wired to `Bun.connect`. Import and go —
 * `get`, `post`, `fetch` and friends share one default session; `new Session()`
 * needs no transport.
 *
 * @example
 * ```ts
 * import { get, Session } from "@reqivo/bun";
 * const res = await get("http://127.0.0.1:8080/hello");
 * console.log(res.status, await res.text());
 * await using session = new Session({ baseUrl: "http://127.0.0.1:8080" });
 * ```
 *
 * @module
 */
import { type BoundApi, bindTransport } from "@reqivo/client";
import { createTransport } from "@reqivo/transport-bun";

const api: BoundApi = bindTransport(() => createTransport());

/**
 * A Session over the Bun transport: its own pool, cookies and defaults.
 * Pass `transport` to override the default one.
 *
 * @example
 * ```ts
 * import { Session } from "@reqivo/bun";
 * await using api = new Session({ baseUrl: "http://127.0.0.1:8080/", timeout: 5_000 });
 * const res = await api.get("items", { query: { page: 2 } });
 * console.log(res.status, await res.json());
 * ```
 */
export const Session: typeof api.Session = api.Session;
/** The type of a {@link Session} instance, so `function f(s: Session)` works with this package alone. */
export type Session = InstanceType<typeof api.Session>;
/**
 * The shared session behind `get`, `post`, `fetch` and the rest, created on first use.
 *
 * @example
 * ```ts
 * import { defaultSession, get } from "@reqivo/bun";
 * await (await get("http://127.0.0.1:8080/")).text();
 * console.log(defaultSession().poolStats());
 * ```
 */
export const defaultSession: typeof api.defaultSession = api.defaultSession;
/**
 * Sends a request with any method on the default session.
 *
 * @example
 * ```ts
 * import { request } from "@reqivo/bun";
 * const res = await request("http://127.0.0.1:8080/items/1", { method: "PUT", body: "x" });
 * console.log(res.status);
 * ```
 */
export const request: typeof api.request = api.request;
/**
 * GET on the default session.
 *
 * @example
 * ```ts
 * import { get } from "@reqivo/bun";
 * const res = await get("http://127.0.0.1:8080/hello");
 * console.log(res.status, res.headers.get("content-type"), await res.text());
 * ```
 */
export const get: typeof api.get = api.get;
/**
 * HEAD on the default session.
 *
 * @example
 * ```ts
 * import { head } from "@reqivo/bun";
 * const res = await head("http://127.0.0.1:8080/file.bin");
 * console.log(res.headers.get("content-length"));
 * ```
 */
export const head: typeof api.head = api.head;
/**
 * POST on the default session.
 *
 * @example
 * ```ts
 * import { post } from "@reqivo/bun";
 * const res = await post("http://127.0.0.1:8080/items", { json: { name: "widget" } });
 * console.log(res.status, await res.json());
 * ```
 */
export const post: typeof api.post = api.post;
/**
 * PUT on the default session.
 *
 * @example
 * ```ts
 * import { put } from "@reqivo/bun";
 * await put("http://127.0.0.1:8080/items/1", { body: "new contents" });
 * ```
 */
export const put: typeof api.put = api.put;
/**
 * PATCH on the default session.
 *
 * @example
 * ```ts
 * import { patch } from "@reqivo/bun";
 * await patch("http://127.0.0.1:8080/items/1", { json: { name: "renamed" } });
 * ```
 */
export const patch: typeof api.patch = api.patch;
/**
 * DELETE on the default session (`delete` is a keyword, hence `del`).
 *
 * @example
 * ```ts
 * import { del } from "@reqivo/bun";
 * const res = await del("http://127.0.0.1:8080/items/1");
 * console.log(res.status);
 * ```
 */
export const del: typeof api.delete = api.delete;
/**
 * WHATWG `fetch` on the default session: takes and returns the standard types.
 *
 * @example
 * ```ts
 * import { fetch } from "@reqivo/bun";
 * const res = await fetch("http://127.0.0.1:8080/hello", { headers: { accept: "text/plain" } });
 * console.log(res.ok, await res.text());
 * ```
 */
export const fetch: typeof api.fetch = api.fetch;
/**
 * The WHATWG `WebSocket`, connecting through the default session.
 *
 * @example
 * ```ts
 * import { WebSocket } from "@reqivo/bun";
 * const ws = new WebSocket("ws://127.0.0.1:8080/echo");
 * ws.onopen = () => ws.send("hello");
 * ws.onmessage = (event) => console.log(event.data);
 * ```
 */
export const WebSocket: typeof api.WebSocket = api.WebSocket;
/** The type of a {@link WebSocket} instance, usable as a type from this package alone. */
export type WebSocket = InstanceType<typeof api.WebSocket>;

// Everything else of the client (errors, Response, MockTransport, BodyWriter, option
// types…) as is; the bound names above take precedence over the client's unbound ones.
export * from "@reqivo/client";
export { createTransport } from "@reqivo/transport-bun";

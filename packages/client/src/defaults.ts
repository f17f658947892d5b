/**
 * The default session behind the top-level `request()`, `get()`, … and
 * `fetch()`, and `bindTransport()`, which the runtime packages
 * (`@reqivo/node`, `@reqivo/deno`, `@reqivo/bun`) use to wire in their transport.
 */
import type { Transport } from "@reqivo/transport";
import { SessionClosedError } from "./errors.ts";
import { createFetch, type FetchInit } from "./fetch.ts";
import type { RequestOptions } from "./options.ts";
import type { Response } from "./response.ts";
import { Session, type SessionOptions } from "./session.ts";
import { createWebSocketClass, type WebSocketConstructor } from "./websocket/index.ts";

type MethodOptions = Omit<RequestOptions, "method">;

/** The request functions of a session, detached from it. */
export interface RequestApi {
  request(url: string | URL, options?: RequestOptions): Promise<Response>;
  get(url: string | URL, options?: MethodOptions): Promise<Response>;
  head(url: string | URL, options?: MethodOptions): Promise<Response>;
  post(url: string | URL, options?: MethodOptions): Promise<Response>;
  put(url: string | URL, options?: MethodOptions): Promise<Response>;
  patch(url: string | URL, options?: MethodOptions): Promise<Response>;
  delete(url: string | URL, options?: MethodOptions): Promise<Response>;
  fetch(input: string | URL | Request, init?: FetchInit): Promise<globalThis.Response>;
}

function apiOf(current: () => Session): RequestApi {
  return {
    request: (url, options) => current().request(url, options),
    get: (url, options) => current().get(url, options),
    head: (url, options) => current().head(url, options),
    post: (url, options) => current().post(url, options),
    put: (url, options) => current().put(url, options),
    patch: (url, options) => current().patch(url, options),
    delete: (url, options) => current().delete(url, options),
    fetch: (input, init) => createFetch(current())(input, init),
  };
}

/** Session options where the transport is optional (a bound default fills it in). */
export type BoundSessionOptions = Omit<SessionOptions, "transport"> & { transport?: Transport };

/** What {@link bindTransport} returns: a Session class and request functions on a shared default session. */
export interface BoundApi extends RequestApi {
  Session: new (options?: BoundSessionOptions) => Session;
  /** The shared session behind the functions (created on first use). */
  defaultSession(): Session;
  /** A WHATWG `WebSocket` class whose sockets connect through the default session. */
  WebSocket: WebSocketConstructor;
}

/**
 * Binds a transport factory: `new Session()` needs no transport, and the
 * request functions share one default session.
 *
 * @example
 * ```ts
 * import { bindTransport } from "@reqivo/client";
 * import { createTransport } from "@reqivo/transport-node";
 * export const { Session, get, post, fetch } = bindTransport(createTransport);
 * ```
 */
export function bindTransport(createTransport: () => Transport): BoundApi {
  class BoundSession extends Session {
    constructor(options: BoundSessionOptions = {}) {
      super({ ...options, transport: options.transport ?? createTransport() });
    }
  }
  let shared: Session | undefined;
  const defaultSession = () => {
    shared ??= new BoundSession();
    return shared;
  };
  return {
    ...apiOf(defaultSession),
    Session: BoundSession,
    defaultSession,
    WebSocket: createWebSocketClass(defaultSession),
  };
}

let configured: Session | undefined;

/**
 * Sets the session behind `@reqivo/client`'s own top-level functions
 * (the runtime packages do this for you).
 *
 * @example
 * ```ts
 * import { get, setDefaultSession, Session } from "@reqivo/client";
 * setDefaultSession(new Session({ transport }));
 * await get("http://127.0.0.1:8080/");
 * ```
 */
export function setDefaultSession(session: Session | undefined): void {
  configured = session;
}

const top = apiOf(() => {
  if (configured === undefined) {
    throw new SessionClosedError(
      "no default session: call setDefaultSession(), or import @reqivo/node, @reqivo/deno or @reqivo/bun",
    );
  }
  return configured;
});

/** Sends a request on the default session. @example `await request("http://127.0.0.1:8080/", { method: "PUT", body: "x" })` */
export const request: RequestApi["request"] = top.request;
/** GET on the default session. @example `const res = await get("http://127.0.0.1:8080/")` */
export const get: RequestApi["get"] = top.get;
/** HEAD on the default session. @example `const res = await head("http://127.0.0.1:8080/")` */
export const head: RequestApi["head"] = top.head;
/** POST on the default session. @example `await post("http://127.0.0.1:8080/items", { json: { a: 1 } })` */
export const post: RequestApi["post"] = top.post;
/** PUT on the default session. @example `await put("http://127.0.0.1:8080/items/1", { body: "x" })` */
export const put: RequestApi["put"] = top.put;
/** PATCH on the default session. @example `await patch("http://127.0.0.1:8080/items/1", { json: {} })` */
export const patch: RequestApi["patch"] = top.patch;
/** DELETE on the default session (exported as `del` too, since `delete` is a keyword). @example `await del("http://127.0.0.1:8080/items/1")` */
export const del: RequestApi["delete"] = top.delete;
/** WHATWG fetch on the default session. @example `const res = await fetch("http://127.0.0.1:8080/")` */
export const fetch: RequestApi["fetch"] = top.fetch;

/**
 * Session: the client users hold. It keeps the connection pool, default
 * headers, base URL and policies, and turns `request(url, options)` into a
 * call through the middleware (middleware/chain.ts lists them in order) down
 * to the wire layer (connection/).
 */
import type { HeaderList, HttpLimits } from "@reqivo/protocol";
import type { Transport } from "@reqivo/transport";
import { type AuthOptions, checkAuth } from "./auth.ts";
import { callFailed } from "./call-failed.ts";
import { type DnsOptions, SessionDns } from "./connection/dns/session-dns.ts";
import { type Http2Options, http2Settings } from "./connection/http2/options.ts";
import { Lifeline, type TimeoutOptions } from "./connection/lifeline.ts";
import { checkSocketPath, OriginTargets } from "./connection/origin-targets.ts";
import { Pool, type PoolOptions } from "./connection/pool.ts";
import type { ProxyInput } from "./connection/proxy/config.ts";
import { ProxyRoutes } from "./connection/proxy/routes.ts";
import { type ClientTlsOptions, TlsProfiles } from "./connection/tls-settings.ts";
import { Cookies, type CookiesOption } from "./cookies.ts";
import { type DecompressOptions, decompressOptions } from "./decompress.ts";
import { DigestCache } from "./digest.ts";
import { InvalidRequestError } from "./errors.ts";
import { type HeadersInput, headerPairs, mergeHeaders } from "./header-input.ts";
import { type Hooks, mergeHooks } from "./hooks.ts";
import { runCall, startCall } from "./middleware/chain.ts";
import type { Middleware } from "./middleware.ts";
import {
  type RedirectMode,
  type RedirectOptions,
  type RequestOptions,
  redirectOptions,
  timeoutOptions,
} from "./options.ts";
import type { RequestCall, SessionState } from "./request-context.ts";
import { SharedUrls } from "./resolve-url.ts";
import type { Response } from "./response.ts";
import { type RetryOptions, retryPolicy } from "./retry.ts";
import { afterBody } from "./send.ts";
import { OpenWebSockets, openWebSocket } from "./websocket/connect.ts";
import type { WebSocketOptions } from "./websocket/options.ts";
import type { WebSocketClient } from "./websocket/socket.ts";

/**
 * Session options.
 *
 * @example
 * ```ts
 * const session = new Session({
 *   transport: createTransport(),
 *   baseUrl: "https://api.example.com/v1/",
 *   headers: { authorization: "Bearer …" },
 *   timeout: { connect: 5_000, headers: 10_000 },
 *   pool: { connections: 16, idleTimeout: 10_000 },
 *   retry: { limit: 3 },
 *   auth: { digest: { username: "ada", password: "s3cret" } },
 * });
 * ```
 */
export interface SessionOptions {
  /** How bytes move: `createTransport()` from a Reqivo transport package, or a MockTransport. */
  transport: Transport;
  /**
   * Relative request URLs resolve against this. The session's `auth` and its
   * credential headers (Authorization, Cookie, the `redirect.sensitiveHeaders`)
   * go only to this URL's origin; a request for another origin (an absolute or
   * `//host` URL) is sent without them.
   */
  baseUrl?: string | URL;
  /**
   * Refuse every request (InvalidRequestError) and redirect (RedirectError)
   * whose origin is not `baseUrl`'s. Default false. Needs `baseUrl`.
   */
  stayOnBaseOrigin?: boolean;
  /** Sent with every request; request headers of the same name replace them. */
  headers?: HeadersInput;
  timeout?: number | TimeoutOptions;
  pool?: PoolOptions;
  redirect?: RedirectMode | RedirectOptions;
  /**
   * TLS settings for https origins: `ca`, client certificate (`cert`, `key`),
   * `pins` (SPKI SHA-256), `minVersion`, `servername` (SNI and the name
   * checked, for every origin). `rejectUnauthorized: false` turns certificate
   * checks off and makes the session emit one `REQIVO_TLS_INSECURE` warning.
   */
  tls?: ClientTlsOptions;
  /** Connect every origin through this Unix domain socket instead of TCP (see also `http+unix:` URLs). */
  socketPath?: string;
  /**
   * Offer HTTP/2 to https origins (ALPN `h2`, then `http/1.1`): where the
   * server picks `h2`, one connection per origin carries many requests at
   * once (`response.httpVersion` is `"2"`); elsewhere HTTP/1.1, as with
   * `http2: false`. On by default; `false` turns it off, an object of HTTP/2 settings tunes it.
   * Proxied requests and WebSockets stay on HTTP/1.1.
   */
  http2?: boolean | Http2Options;
  /** Name resolution: a lookup hook or a table of addresses, a cache, the happy-eyeballs delay. */
  dns?: DnsOptions;
  /**
   * Send requests through a proxy: its URL (`http:`, `https:`, `socks5:`,
   * `socks5h:`), {@link ProxyOptions}, or `"env"` for `HTTP_PROXY`,
   * `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`. Off by default (the
   * environment is only read when asked to); a request's `proxy` replaces it.
   */
  proxy?: ProxyInput;
  /** Parser limits for responses. */
  limits?: Partial<HttpLimits>;
  /** Throw HttpError on 4xx/5xx by default. */
  throwOnHttpError?: boolean;
  /**
   * The cookie jar: on by default (an RFC 6265bis jar, see `session.cookies`),
   * `false` for none, your own tough-cookie-like jar, or a snapshot from
   * `session.cookies.toJSON()` to start from.
   */
  cookies?: CookiesOption;
  /**
   * Credentials for every request (requests and `user:pass@` URLs replace
   * them); only ever sent to the origin asked for, and with `baseUrl` only to
   * its origin.
   */
  auth?: AuthOptions;
  /** Retries (off by default): a number is the limit. */
  retry?: number | boolean | RetryOptions;
  /** Response decompression: on by default (64 MiB cap, 2 stacked codings at most); `false` turns it off. */
  decompress?: boolean | DecompressOptions;
  hooks?: Hooks;
  /**
   * Middleware around every request of the session, outermost first, inside
   * the built-in ones (redirects, retries, auth, cookies, decompression) and
   * outside the wire: each sees every attempt and redirect hop as it is sent.
   */
  use?: Middleware[];
}

const DEFAULT_HEADERS: HeaderList = [["user-agent", "reqivo/0.1"]];

// Best effort for a Session the program forgot to close: when it is collected,
// its pool closes the sockets it still holds. The registry holds the pool,
// which never points back at the Session, so it does not keep the Session alive.
const forgottenSessions = new FinalizationRegistry<Pool>((pool) => {
  pool.close().catch(() => {});
});

/**
 * An HTTP client with a connection pool and shared defaults.
 *
 * @example
 * ```ts
 * import { Session } from "@reqivo/client";
 * import { createTransport } from "@reqivo/transport-node";
 *
 * await using session = new Session({ transport: createTransport(), baseUrl: "http://127.0.0.1:8080" });
 * const res = await session.get("/hello");
 * console.log(res.status, await res.text());
 * ```
 */
export class Session {
  readonly #state: SessionState;
  /** The session's WebSockets, open or opening: close() closes them. */
  readonly #websockets = new OpenWebSockets();

  constructor(options: SessionOptions) {
    if (options?.transport === undefined)
      throw new InvalidRequestError("a Session needs a transport");
    const http2 = http2Settings(options.http2);
    const pool = new Pool(options.transport, options.pool, options.limits, http2);
    const baseUrl = options.baseUrl === undefined ? undefined : new URL(options.baseUrl);
    if (options.stayOnBaseOrigin === true && baseUrl === undefined)
      throw new InvalidRequestError("stayOnBaseOrigin needs a baseUrl");
    const headers = mergeHeaders(DEFAULT_HEADERS, headerPairs(options.headers));
    const timeout = timeoutOptions(options.timeout);
    const redirect = redirectOptions(options.redirect);
    const tls = new TlsProfiles(options.tls);
    const proxies = new ProxyRoutes(options.proxy);
    const socketPath = checkSocketPath(options.socketPath);
    const dns =
      options.dns === undefined ? undefined : new SessionDns(options.dns, options.transport);
    forgottenSessions.register(this, pool, this);
    this.#state = {
      pool,
      baseUrl,
      stayOnBaseOrigin: options.stayOnBaseOrigin === true,
      headers,
      timeout,
      redirect,
      throwOnHttpError: options.throwOnHttpError ?? false,
      cookies: Cookies.from(options.cookies),
      auth: checkAuth(options.auth) ?? undefined,
      retry: retryPolicy(options.retry),
      decompress: decompressOptions(options.decompress),
      hooks: options.hooks,
      use: options.use === undefined ? [] : [...options.use],
      digest: new DigestCache(),
      urls: new SharedUrls(),
      targets: new OriginTargets({
        tls: tls.session,
        socketPath,
        dns,
        proxy: proxies.settings(undefined),
        http2,
      }),
      tls,
      socketPath,
      dns,
      proxies,
      http2,
      afterBody: afterBody(pool),
    };
  }

  /**
   * The session's cookie jar (`undefined` when created with `cookies: false`).
   *
   * @example
   * ```ts
   * await session.cookies?.get("http://127.0.0.1:8080/"); // { sid: "abc" }
   * const snapshot = session.cookies?.toJSON();             // for new Session({ cookies: snapshot })
   * ```
   */
  get cookies(): Cookies | undefined {
    return this.#state.cookies;
  }

  /** Connections per origin (for diagnostics and tests). */
  poolStats(): ReturnType<Pool["stats"]> {
    return this.#state.pool.stats();
  }

  /** Sends a request. The method defaults to GET (POST when there is a body). */
  request(url: string | URL, options: RequestOptions = {}): Promise<Response> {
    const state = this.#state;
    let timeouts: TimeoutOptions;
    let lifeline: Lifeline;
    let hooks: Required<Hooks>;
    try {
      // The session's limits are used as they are when the request sets none (nothing writes to them).
      timeouts =
        options.timeout === undefined
          ? state.timeout
          : { ...state.timeout, ...timeoutOptions(options.timeout) };
      lifeline = new Lifeline(timeouts, options.signal);
      hooks = mergeHooks(state.hooks, options.hooks);
    } catch (error) {
      // Bad options: nothing to stop yet, and no hook runs.
      return Promise.reject(error);
    }
    let call: RequestCall | undefined;
    try {
      lifeline.check();
      call = startCall(state, url, options, timeouts, lifeline, hooks);
      const started = call;
      const pending = runCall(started);
      if (pending === started.wirePending && started.callerChain === undefined) {
        // The wire's own promise, handed up unchanged (the layers only joined
        // steps to it): the wire marks the response final and runs the
        // failure path itself (send.ts), so the call needs no `then` of its
        // own: keep-alive GET, apps/bench `scripts/instructions.sh client`
        // 51,088 → 50,662 instructions, `COUNT_PROMISES=1 scripts/client-cycle.mjs`
        // 10.0 → 9.0 promises per request (results/2026-12-07-session-then.md).
        started.outcome = pending;
        return pending;
      }
      // One `then` for the outcome, not an async function awaiting runCall:
      // one promise less per request (apps/bench `COUNT_PROMISES=1
      // scripts/client-cycle.mjs`, keep-alive GET: 16.0 → 15.0).
      return pending.then(
        (response) => {
          // The call's response is out: the request ends with its body.
          lifeline.markFinal();
          return response;
        },
        (error: unknown) => callFailed(error, lifeline, hooks, started, options),
      );
    } catch (error) {
      return callFailed(error, lifeline, hooks, call, options);
    }
  }

  /** GET `url`. */
  get(url: string | URL, options: Omit<RequestOptions, "method"> = {}): Promise<Response> {
    return this.request(url, { ...options, method: "GET" });
  }
  /** HEAD `url`. */
  head(url: string | URL, options: Omit<RequestOptions, "method"> = {}): Promise<Response> {
    return this.request(url, { ...options, method: "HEAD" });
  }
  /** POST to `url`. */
  post(url: string | URL, options: Omit<RequestOptions, "method"> = {}): Promise<Response> {
    return this.request(url, { ...options, method: "POST" });
  }
  /** PUT to `url`. */
  put(url: string | URL, options: Omit<RequestOptions, "method"> = {}): Promise<Response> {
    return this.request(url, { ...options, method: "PUT" });
  }
  /** PATCH `url`. */
  patch(url: string | URL, options: Omit<RequestOptions, "method"> = {}): Promise<Response> {
    return this.request(url, { ...options, method: "PATCH" });
  }
  /** DELETE `url`. */
  delete(url: string | URL, options: Omit<RequestOptions, "method"> = {}): Promise<Response> {
    return this.request(url, { ...options, method: "DELETE" });
  }
  /** OPTIONS `url`. */
  options(url: string | URL, options: Omit<RequestOptions, "method"> = {}): Promise<Response> {
    return this.request(url, { ...options, method: "OPTIONS" });
  }

  /**
   * Opens a WebSocket (`ws:`, `wss:`, or `http:`/`https:` URLs; `ws+unix:` and
   * `wss+unix:` name a Unix socket as `http+unix:` does for requests) on a fresh
   * connection of this session's transport, with its default headers, cookies,
   * credentials, TLS, socket path, proxy (tunnelled) and connect timeout.
   *
   * @example
   * ```ts
   * const ws = await session.websocket("ws://127.0.0.1:8080/chat", { protocols: ["chat"] });
   * await ws.send("hello");
   * for await (const message of ws) console.log(message);
   * ```
   */
  websocket(url: string | URL, options: WebSocketOptions = {}): Promise<WebSocketClient> {
    return openWebSocket(this.#state, this.#websockets, url, options);
  }

  /** Closes every pooled connection and open WebSocket; later requests fail with SessionClosedError. */
  close(): Promise<void> {
    forgottenSessions.unregister(this);
    return Promise.all([this.#websockets.closeAll(), this.#state.pool.close()]).then(
      () => undefined,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Session: the client users hold. It keeps the connection pool, default
 * headers, base URL and policies, and turns `request(url, options)` into
 * exchanges: resolve the URL, pick a pooled connection, retry once on a fresh
 * one when a reused connection turns out to be stale, follow redirects, and
 * hand back a Response whose body releases the connection when read.
 */
import type { HeaderList, Headers, HttpLimits } from "@reqivo/protocol";
import type { ConnectOptions, TlsOptions, Transport } from "@reqivo/transport";
import { type AuthOptions, checkAuth, takeUrlCredentials, upFrontAuthorization } from "./auth.ts";
import { type RequestBody, toRequestBody } from "./body.ts";
import { Cookies, type CookiesOption, sameSiteContext, siteOf, withJarCookies } from "./cookies.ts";
import {
  type Codecs,
  type DecompressOptions,
  decodeBody,
  decompressOptions,
  loadCodecs,
} from "./decompress.ts";
import { DigestCache, loadMd5, pickDigestChallenge } from "./digest.ts";
import {
  HttpError,
  InvalidRequestError,
  RedirectError,
  RedirectLoopError,
  TooManyRedirectsError,
} from "./errors.ts";
import { type ExchangeProgress, exchange, type WireRequest } from "./exchange.ts";
import {
  type HookRedirect,
  type HookRequest,
  type HookRetry,
  type Hooks,
  isRequestBody,
  mergeHooks,
  RequestHeaders,
} from "./hooks.ts";
import { Lifeline } from "./lifeline.ts";
import {
  applyQuery,
  type HeadersInput,
  hasHeader,
  headerPairs,
  mergeHeaders,
  type RedirectMode,
  type RedirectOptions,
  type RequestOptions,
  redirectOptions,
  type TimeoutOptions,
  timeoutOptions,
} from "./options.ts";
import { Pool, type PoolOptions } from "./pool.ts";
import type { PooledConnection } from "./pooled-connection.ts";
import { countDownload, countUpload } from "./progress.ts";
import { followRedirect, isRedirect, type NextHop } from "./redirect.ts";
import {
  type BodySource,
  ConnectionBody,
  type RedirectHop,
  Response,
  type Timings,
} from "./response.ts";
import { type RetryOptions, type RetryPolicy, retryDelay, retryPolicy, sleep } from "./retry.ts";
import { SESSION_INTERNALS, type SessionInternals } from "./session-internals.ts";
import { openWebSocket, type WebSocketClient, type WebSocketOptions } from "./websocket/index.ts";

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
  /** Relative request URLs resolve against this. */
  baseUrl?: string | URL;
  /** Sent with every request; request headers of the same name replace them. */
  headers?: HeadersInput;
  timeout?: number | TimeoutOptions;
  pool?: PoolOptions;
  redirect?: RedirectMode | RedirectOptions;
  /** TLS settings for https origins (CA, client certificate, rejectUnauthorized, …). */
  tls?: Omit<TlsOptions, "servername" | "alpnProtocols">;
  /** Connect every origin through this Unix domain socket instead of TCP. */
  socketPath?: string;
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
  /** Credentials for every request (requests and `user:pass@` URLs replace them); only ever sent to the origin asked for. */
  auth?: AuthOptions;
  /** Retries (off by default): a number is the limit. */
  retry?: number | boolean | RetryOptions;
  /** Response decompression: on by default (64 MiB cap, 2 stacked codings at most); `false` turns it off. */
  decompress?: boolean | DecompressOptions;
  hooks?: Hooks;
}

/** The request as it goes through hooks, retries and redirects. */
interface Hop {
  url: URL;
  method: string;
  headers: HeaderList;
  body: RequestBody | null;
}

/** State shared by the hops, attempts and hooks of one `request()` call. */
interface RequestContext {
  options: RequestOptions;
  timeouts: TimeoutOptions;
  lifeline: Lifeline;
  hooks: Required<Hooks>;
  retry: RetryPolicy | undefined;
  auth: AuthOptions | undefined;
  /** Credentials go to this origin only; `undefined` once a redirect left it. */
  authOrigin: string | undefined;
  /** The site the caller asked for (SameSite cookies). */
  site: string;
  leftSite: boolean;
  decompress: Required<DecompressOptions> | undefined;
  codecs: Codecs | undefined;
  history: RedirectHop[];
  retries: number;
  started: number;
  /** The latest hop, for onError hooks. */
  current: Hop | undefined;
}

const NO_BODY_STATUSES = new Set([204, 304]);

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
const DEFAULT_HEADERS: HeaderList = [["user-agent", "reqivo/0.1"]];

function isStale(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "CONNECTION_CLOSED" || code === "CONNECTION_RESET";
}

/** Parses `Keep-Alive: timeout=N` into milliseconds. */
function keepAliveHint(value: string | null): number | undefined {
  const match = value === null ? null : /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(value);
  return match === null ? undefined : Number(match[1]) * 1000;
}

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
  readonly #pool: Pool;
  readonly #baseUrl: URL | undefined;
  readonly #headers: HeaderList;
  readonly #timeout: TimeoutOptions;
  readonly #redirect: Required<RedirectOptions>;
  readonly #tls: SessionOptions["tls"];
  readonly #socketPath: string | undefined;
  readonly #throwOnHttpError: boolean;
  readonly #cookies: Cookies | undefined;
  readonly #auth: AuthOptions | undefined;
  readonly #retry: RetryPolicy | undefined;
  readonly #decompress: Required<DecompressOptions> | undefined;
  readonly #hooks: Hooks | undefined;
  readonly #digest = new DigestCache();

  constructor(options: SessionOptions) {
    if (options?.transport === undefined)
      throw new InvalidRequestError("a Session needs a transport");
    this.#pool = new Pool(options.transport, options.pool, options.limits);
    this.#baseUrl = options.baseUrl === undefined ? undefined : new URL(options.baseUrl);
    this.#headers = mergeHeaders(DEFAULT_HEADERS, headerPairs(options.headers));
    this.#timeout = timeoutOptions(options.timeout);
    this.#redirect = redirectOptions(options.redirect);
    this.#tls = options.tls;
    this.#socketPath = options.socketPath;
    this.#throwOnHttpError = options.throwOnHttpError ?? false;
    this.#cookies = Cookies.from(options.cookies);
    this.#auth = checkAuth(options.auth) ?? undefined;
    this.#retry = retryPolicy(options.retry);
    this.#decompress = decompressOptions(options.decompress);
    this.#hooks = options.hooks;
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
    return this.#cookies;
  }

  /** Connections per origin (for diagnostics and tests). */
  poolStats(): ReturnType<Pool["stats"]> {
    return this.#pool.stats();
  }

  /** Sends a request. The method defaults to GET (POST when there is a body). */
  async request(url: string | URL, options: RequestOptions = {}): Promise<Response> {
    const timeouts = { ...this.#timeout, ...timeoutOptions(options.timeout) };
    const lifeline = new Lifeline(timeouts, options.signal);
    const hooks = mergeHooks(this.#hooks, options.hooks);
    const ctx: Partial<RequestContext> = {};
    try {
      lifeline.check();
      return await this.#run(url, options, timeouts, lifeline, hooks, ctx);
    } catch (error) {
      lifeline.finish();
      let reason = lifeline.explain(error);
      for (const hook of hooks.onError) {
        const context = { url: ctx.current?.url, method: ctx.current?.method ?? "GET", options };
        const replaced = await hook(reason, context);
        if (replaced !== undefined) reason = replaced;
      }
      throw reason;
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
   * Opens a WebSocket (`ws:`, `wss:`, or `http:`/`https:` URLs) on a fresh
   * connection of this session's transport, with its default headers, cookies,
   * credentials, TLS, socket path and connect timeout.
   *
   * @example
   * ```ts
   * const ws = await session.websocket("ws://127.0.0.1:8080/chat", { protocols: ["chat"] });
   * await ws.send("hello");
   * for await (const message of ws) console.log(message);
   * ```
   */
  websocket(url: string | URL, options: WebSocketOptions = {}): Promise<WebSocketClient> {
    const internals = this[SESSION_INTERNALS]();
    return openWebSocket(
      {
        transport: this.#pool.transport,
        closed: this.#pool.closed,
        baseUrl: this.#baseUrl,
        headers: this.#headers,
        tls: this.#tls,
        socketPath: this.#socketPath,
        timeout: this.#timeout,
        credentialHeaders: (target, headers) => internals.credentialHeaders(target, headers),
        storeCookies: (target, headers) => internals.storeCookies(target, headers),
      },
      url,
      options,
    );
  }

  /** Closes every pooled connection; later requests fail with SessionClosedError. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #resolve(input: string | URL, options: RequestOptions): URL {
    let url: URL;
    try {
      url = new URL(input, this.#baseUrl);
    } catch (cause) {
      throw new InvalidRequestError(`invalid URL ${JSON.stringify(String(input))}`, { cause });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new InvalidRequestError(`unsupported URL scheme ${url.protocol}`);
    }
    applyQuery(url, options.query);
    return url;
  }

  async #run(
    input: string | URL,
    options: RequestOptions,
    timeouts: TimeoutOptions,
    lifeline: Lifeline,
    hooks: Required<Hooks>,
    partial: Partial<RequestContext>,
  ): Promise<Response> {
    const url = this.#resolve(input, options);
    // Taken out of the URL first, so they never reach the target, Host, response.url or history.
    const fromUrl = takeUrlCredentials(url);
    const requestAuth = checkAuth(options.auth);
    const decompress =
      options.decompress === undefined ? this.#decompress : decompressOptions(options.decompress);
    const body = toRequestBody(options.body, options.json);
    const hop: Hop = {
      url,
      method: (options.method ?? (body === null ? "GET" : "POST")).toUpperCase(),
      headers: mergeHeaders(this.#headers, headerPairs(options.headers)),
      body,
    };
    const ctx: RequestContext = Object.assign(partial, {
      options,
      timeouts,
      lifeline,
      hooks,
      retry: options.retry === undefined ? this.#retry : retryPolicy(options.retry),
      auth: requestAuth === null ? undefined : (requestAuth ?? fromUrl ?? this.#auth),
      authOrigin: url.origin,
      site: siteOf(url),
      leftSite: false,
      decompress,
      codecs: decompress === undefined ? undefined : ((await loadCodecs()) ?? undefined),
      history: [],
      retries: 0,
      started: performance.now(),
      current: hop,
    });
    const redirect =
      options.redirect === undefined ? this.#redirect : redirectOptions(options.redirect);
    const visited = new Set<string>([`${hop.method} ${url.href}`]);
    for (let current = hop; ; ) {
      ctx.current = current;
      const response = await this.#attempt(ctx, current);
      const location = response.headers.get("location");
      if (!isRedirect(response.status) || location === null || redirect.mode === "manual")
        return this.#final(ctx, current, response);
      await response.dump();
      if (redirect.mode === "error")
        throw new RedirectError(`redirect (${response.status}) to ${location} not allowed`);
      if (ctx.history.length >= redirect.max) throw new TooManyRedirectsError(redirect.max);
      const next = followRedirect(
        current.url,
        response.status,
        location,
        current.method,
        current.headers,
        current.body,
      );
      // Credentials in a Location are never used: only the caller gives credentials.
      next.url.username = "";
      next.url.password = "";
      ctx.history.push({
        url: current.url.href,
        status: response.status,
        headers: response.headers,
      });
      await this.#beforeRedirect(ctx, current.url, response, next);
      const key = `${next.method} ${next.url.href}`;
      if (visited.has(key)) throw new RedirectLoopError(next.url.href);
      visited.add(key);
      // Once the chain leaves the origin (or site), it never regains its credentials (or same-site status).
      if (next.url.origin !== ctx.authOrigin) ctx.authOrigin = undefined;
      if (siteOf(next.url) !== ctx.site) ctx.leftSite = true;
      current = next;
    }
  }

  /** The response the caller gets: afterResponse hooks, then throwOnHttpError. */
  async #final(ctx: RequestContext, hop: Hop, response: Response): Promise<Response> {
    response.timings.retries = ctx.retries;
    ctx.lifeline.markFinal();
    let final = response;
    for (const hook of ctx.hooks.afterResponse) {
      const replaced = await hook(final, {
        url: hop.url,
        method: hop.method,
        options: ctx.options,
      });
      if (replaced instanceof Response && replaced !== final) {
        if (!final.bodyUsed) await final.dump();
        final = replaced;
      }
    }
    if ((ctx.options.throwOnHttpError ?? this.#throwOnHttpError) && final.status >= 400)
      throw new HttpError(final);
    return final;
  }

  /** One hop, retried as the retry policy says. */
  async #attempt(ctx: RequestContext, hop: Hop): Promise<Response> {
    for (let retry = 1; ; retry++) {
      let response: Response | undefined;
      let error: unknown;
      try {
        response = await this.#authenticated(ctx, hop);
      } catch (failure) {
        error = ctx.lifeline.explain(failure);
        // The failed exchange's connection is gone: stop its phase timer before any wait.
        if (ctx.lifeline.reason === undefined) ctx.lifeline.bodyEnded();
      }
      const total = ctx.timeouts.total;
      const delay = retryDelay(ctx.retry, {
        retry,
        method: hop.method,
        body: hop.body,
        response,
        error,
        ended: ctx.lifeline.reason !== undefined,
        timeLeft: total === undefined ? undefined : total - (performance.now() - ctx.started),
      });
      if (delay === undefined) {
        if (response !== undefined) return response;
        throw error;
      }
      const info: HookRetry = {
        attempt: retry,
        error,
        response,
        url: hop.url,
        method: hop.method,
        delay,
      };
      try {
        for (const hook of ctx.hooks.beforeRetry) await hook(info);
      } finally {
        await response?.dump();
      }
      await sleep(info.delay, ctx.lifeline.signal);
      ctx.retries++;
    }
  }

  /** One exchange, with cookies stored from its response and a Digest challenge answered once. */
  async #authenticated(ctx: RequestContext, hop: Hop): Promise<Response> {
    await this.#beforeRequest(ctx, hop);
    for (let answered = false; ; answered = true) {
      const headers = await this.#credentialHeaders(ctx, hop);
      const response = await this.#send(ctx, hop, headers);
      await this.#storeCookies(ctx, hop, response.headers);
      if (response.status !== 401 || answered || !(await this.#takeChallenge(ctx, hop, response)))
        return response;
      await response.dump();
    }
  }

  #authFor(ctx: RequestContext, url: URL): AuthOptions | undefined {
    return url.origin === ctx.authOrigin ? ctx.auth : undefined;
  }

  /** Remembers a Digest challenge we can answer by sending the request again. */
  async #takeChallenge(ctx: RequestContext, hop: Hop, response: Response): Promise<boolean> {
    const auth = this.#authFor(ctx, hop.url);
    if (auth === undefined || !("digest" in auth)) return false;
    if (hop.body !== null && !hop.body.replayable) return false;
    // An Authorization header the caller wrote is theirs to answer.
    if (hasHeader(hop.headers, "authorization")) return false;
    const challenge = pickDigestChallenge(response.headers, (await loadMd5()) !== null);
    if (challenge === undefined) return false;
    this.#digest.remember(hop.url.origin, challenge);
    return true;
  }

  /** The hop's headers plus jar cookies, credentials and Accept-Encoding. */
  async #credentialHeaders(ctx: RequestContext, hop: Hop): Promise<HeaderList> {
    let headers = hop.headers;
    if (this.#cookies !== undefined) {
      const context = sameSiteContext(ctx.site, hop.url, hop.method, ctx.leftSite);
      headers = withJarCookies(headers, await this.#cookies.header(hop.url, context));
    }
    const auth = this.#authFor(ctx, hop.url);
    if (auth !== undefined && !hasHeader(headers, "authorization")) {
      const value = await this.#authorization(auth, hop.url, hop.method);
      if (value !== undefined) headers = [...headers, ["authorization", value]];
    }
    if (ctx.codecs !== undefined && !hasHeader(headers, "accept-encoding"))
      headers = [...headers, ["accept-encoding", ctx.codecs.acceptEncoding]];
    return headers;
  }

  #authorization(auth: AuthOptions, url: URL, method: string): Promise<string | undefined> {
    const upFront = upFrontAuthorization(auth);
    if (upFront !== undefined || !("digest" in auth)) return Promise.resolve(upFront);
    return this.#digest.answer(url.origin, auth.digest, method, `${url.pathname}${url.search}`);
  }

  async #storeCookies(ctx: RequestContext, hop: Hop, headers: Headers): Promise<void> {
    const setCookies = headers.getSetCookie();
    if (this.#cookies === undefined || setCookies.length === 0) return;
    const context = sameSiteContext(ctx.site, hop.url, hop.method, ctx.leftSite);
    await this.#cookies.store(hop.url, setCookies, context);
  }

  async #beforeRequest(ctx: RequestContext, hop: Hop): Promise<void> {
    if (ctx.hooks.beforeRequest.length === 0) return;
    const request: HookRequest = {
      url: hop.url,
      method: hop.method,
      headers: new RequestHeaders(hop.headers),
      body: hop.body,
      retryCount: ctx.retries,
      redirectCount: ctx.history.length,
      options: ctx.options,
    };
    for (const hook of ctx.hooks.beforeRequest) await hook(request);
    const url = this.#resolve(request.url, {});
    takeUrlCredentials(url);
    hop.url = url;
    hop.method = request.method.toUpperCase();
    hop.headers = request.headers.toList();
    hop.body = isRequestBody(request.body) ? request.body : toRequestBody(request.body, undefined);
  }

  async #beforeRedirect(
    ctx: RequestContext,
    from: URL,
    response: Response,
    next: NextHop,
  ): Promise<void> {
    if (ctx.hooks.beforeRedirect.length === 0) return;
    const redirect: HookRedirect = {
      response,
      from,
      url: next.url,
      method: next.method,
      headers: new RequestHeaders(next.headers),
    };
    for (const hook of ctx.hooks.beforeRedirect) await hook(redirect);
    next.url = this.#resolve(redirect.url, {});
    next.url.username = "";
    next.url.password = "";
    next.method = redirect.method.toUpperCase();
    next.headers = redirect.headers.toList();
  }

  /** @internal Credential plumbing for the WebSocket client (see session-internals.ts). */
  [SESSION_INTERNALS](): SessionInternals {
    return {
      credentialHeaders: async (target, headers = [], auth, method = "GET") => {
        const url = new URL(target.href);
        const fromUrl = takeUrlCredentials(url);
        const given = checkAuth(auth);
        const chosen = given === null ? undefined : (given ?? fromUrl ?? this.#auth);
        let out = mergeHeaders(this.#headers, headers);
        if (this.#cookies !== undefined)
          out = withJarCookies(out, await this.#cookies.header(url, "strict"));
        if (chosen !== undefined && !hasHeader(out, "authorization")) {
          const value = await this.#authorization(chosen, url, method);
          if (value !== undefined) out = [...out, ["authorization", value]];
        }
        return out;
      },
      storeCookies: async (target, headers) => {
        const url = new URL(target.href);
        url.username = "";
        url.password = "";
        await this.#cookies?.store(url, headers.getSetCookie(), "strict");
      },
    };
  }

  #connectOptions(
    url: URL,
    timeouts: TimeoutOptions,
    lifeline: Lifeline,
  ): { key: string; connect: ConnectOptions } {
    const https = url.protocol === "https:";
    const port = url.port === "" ? (https ? 443 : 80) : Number(url.port);
    const host = url.hostname;
    const connect: ConnectOptions =
      this.#socketPath === undefined ? { host, port } : { path: this.#socketPath };
    if (https) connect.tls = { ...this.#tls };
    if (timeouts.connect !== undefined) connect.connectTimeout = timeouts.connect;
    // Read only when a connect starts: a reused connection needs no AbortController.
    Object.defineProperty(connect, "signal", { get: () => lifeline.signal, enumerable: true });
    return {
      key: `${url.protocol}//${host}:${port}${this.#socketPath ? `@${this.#socketPath}` : ""}`,
      connect,
    };
  }

  #wireRequest(
    url: URL,
    method: string,
    headers: HeaderList,
    body: RequestBody | null,
    options: RequestOptions,
  ): WireRequest {
    const wire: HeaderList = hasHeader(headers, "host")
      ? headers.slice()
      : [["host", url.host], ...headers];
    if (body?.contentType && !hasHeader(headers, "content-type"))
      wire.push(["content-type", body.contentType]);
    let expectContinue: number | undefined;
    if (options.expectContinue !== undefined && options.expectContinue !== false && body !== null) {
      expectContinue = options.expectContinue === true ? 1000 : options.expectContinue;
      if (!hasHeader(wire, "expect")) wire.push(["expect", "100-continue"]);
    }
    return {
      method,
      target: `${url.pathname}${url.search}`,
      headers: wire,
      body,
      expectContinue,
      onInformational: options.onInformational,
    };
  }

  async #send(ctx: RequestContext, hop: Hop, headers: HeaderList): Promise<Response> {
    const { url, method, options } = { url: hop.url, method: hop.method, options: ctx.options };
    const { lifeline, history } = ctx;
    const { key, connect } = this.#connectOptions(url, ctx.timeouts, lifeline);
    const onUpload = options.onUploadProgress;
    const body = hop.body !== null && onUpload ? countUpload(hop.body, onUpload) : hop.body;
    const wire = this.#wireRequest(url, method, headers, body, options);
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const connection = await this.#pool.acquire(key, connect, attempt > 0, lifeline.cancellation);
      if (lifeline.reason !== undefined) {
        // Ended while the pool was handing the connection over: give it back, or its slot leaks.
        this.#pool.discard(connection);
        throw lifeline.reason;
      }
      const reused = connection.requests > 0;
      lifeline.attach(connection);
      const progress: ExchangeProgress = { bodyStarted: false };
      let result: Awaited<ReturnType<typeof exchange>>;
      try {
        result = await exchange(connection, wire, lifeline, progress);
      } catch (error) {
        this.#pool.discard(connection);
        const reason = lifeline.explain(error);
        const replayable = body === null || body.replayable;
        // A reused connection the server had already closed: the "socket hang up" class. Once, on a fresh one.
        const retry =
          attempt === 0 &&
          reused &&
          lifeline.reason === undefined &&
          isStale(reason) &&
          replayable &&
          (IDEMPOTENT.has(method) || !progress.bodyStarted);
        if (retry) continue;
        throw reason;
      }
      const timings: Timings = {
        connect: reused ? 0 : connection.connectTime,
        firstByte: performance.now() - started,
        total: undefined,
        reused,
        retries: ctx.retries,
      };
      connection.keepAliveHint = keepAliveHint(result.headers.get("keep-alive"));
      const init = {
        status: result.status,
        statusText: result.reason,
        headers: result.headers,
        url: url.href,
        history: history.slice(),
        timings,
      };
      if (result.upgraded) {
        // Not HTTP any more: this connection can never return to the pool.
        this.#pool.discard(connection);
        lifeline.bodyEnded();
        timings.total = timings.firstByte;
        return new Response({ ...init, body: null });
      }
      const source = new ConnectionBody(
        connection,
        lifeline,
        (done, reusable) => this.#afterBody(done, reusable),
        started,
        timings,
      );
      source.settleIfEmpty();
      return new Response({ ...init, body: this.#responseBody(ctx, hop, result, source) });
    }
  }

  /** The body the caller reads: counted for progress on the wire, then decoded. */
  #responseBody(
    ctx: RequestContext,
    hop: Hop,
    head: { status: number; headers: Headers },
    source: ConnectionBody,
  ): BodySource {
    const { status, headers } = head;
    let body: BodySource = source;
    const onDownload = ctx.options.onDownloadProgress;
    if (onDownload !== undefined) {
      const length = Number(headers.get("content-length") ?? Number.NaN);
      body = countDownload(body, Number.isSafeInteger(length) ? length : undefined, onDownload);
    }
    if (ctx.codecs === undefined || ctx.decompress === undefined) return body;
    if (hop.method === "HEAD" || NO_BODY_STATUSES.has(status)) return body;
    try {
      return decodeBody(body, headers.get("content-encoding"), ctx.codecs, ctx.decompress);
    } catch (error) {
      source.cancel();
      throw error;
    }
  }

  #afterBody(connection: PooledConnection, reusable: boolean): void {
    if (reusable) {
      connection.protocol.startNextCycle();
      this.#pool.release(connection);
    } else {
      this.#pool.discard(connection);
    }
  }
}

/**
 * Session: the client users hold. It keeps the connection pool, default
 * headers, base URL and policies, and turns `request(url, options)` into
 * exchanges: resolve the URL, pick a pooled connection, retry once on a fresh
 * one when a reused connection turns out to be stale, follow redirects, and
 * hand back a Response whose body releases the connection when read.
 */
import type { HeaderList, HttpLimits } from "@reqivo/protocol";
import type { ConnectOptions, TlsOptions, Transport } from "@reqivo/transport";
import { type RequestBody, toRequestBody } from "./body.ts";
import {
  HttpError,
  InvalidRequestError,
  RedirectError,
  RedirectLoopError,
  TooManyRedirectsError,
} from "./errors.ts";
import { type ExchangeProgress, exchange, type WireRequest } from "./exchange.ts";
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
import { followRedirect, isRedirect } from "./redirect.ts";
import { ConnectionBody, type RedirectHop, Response, type Timings } from "./response.ts";

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
}

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
  }

  /** Connections per origin (for diagnostics and tests). */
  poolStats(): ReturnType<Pool["stats"]> {
    return this.#pool.stats();
  }

  /** Sends a request. The method defaults to GET (POST when there is a body). */
  async request(url: string | URL, options: RequestOptions = {}): Promise<Response> {
    const timeouts = { ...this.#timeout, ...timeoutOptions(options.timeout) };
    const lifeline = new Lifeline(timeouts, options.signal);
    try {
      lifeline.check();
      return await this.#run(url, options, timeouts, lifeline);
    } catch (error) {
      lifeline.finish();
      throw lifeline.explain(error);
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
  ): Promise<Response> {
    let url = this.#resolve(input, options);
    let body = toRequestBody(options.body, options.json);
    let method = (options.method ?? (body === null ? "GET" : "POST")).toUpperCase();
    let headers = mergeHeaders(this.#headers, headerPairs(options.headers));
    const redirect =
      options.redirect === undefined ? this.#redirect : redirectOptions(options.redirect);
    const history: RedirectHop[] = [];
    const visited = new Set<string>([`${method} ${url.href}`]);
    for (;;) {
      const response = await this.#send(
        url,
        method,
        headers,
        body,
        options,
        timeouts,
        lifeline,
        history,
      );
      const location = response.headers.get("location");
      if (!isRedirect(response.status) || location === null || redirect.mode === "manual") {
        lifeline.markFinal();
        if ((options.throwOnHttpError ?? this.#throwOnHttpError) && response.status >= 400)
          throw new HttpError(response);
        return response;
      }
      await response.dump();
      if (redirect.mode === "error")
        throw new RedirectError(`redirect (${response.status}) to ${location} not allowed`);
      if (history.length >= redirect.max) throw new TooManyRedirectsError(redirect.max);
      const next = followRedirect(url, response.status, location, method, headers, body);
      history.push({ url: url.href, status: response.status, headers: response.headers });
      const key = `${next.method} ${next.url.href}`;
      if (visited.has(key)) throw new RedirectLoopError(next.url.href);
      visited.add(key);
      ({ url, method, headers, body } = next);
    }
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
    connect.signal = lifeline.signal;
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

  async #send(
    url: URL,
    method: string,
    headers: HeaderList,
    body: RequestBody | null,
    options: RequestOptions,
    timeouts: TimeoutOptions,
    lifeline: Lifeline,
    history: RedirectHop[],
  ): Promise<Response> {
    const { key, connect } = this.#connectOptions(url, timeouts, lifeline);
    const wire = this.#wireRequest(url, method, headers, body, options);
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const connection = await this.#pool.acquire(key, connect, attempt > 0);
      lifeline.check();
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
      return new Response({ ...init, body: source });
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

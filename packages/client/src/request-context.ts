/**
 * The state a request needs while it runs: what a Session fixed at
 * construction ({@link SessionState}), and what one `request()` call carries
 * through its redirect hops, retries and hooks ({@link RequestContext}). The
 * request pipeline (request-pipeline.ts, attempt.ts, send-hop.ts) is written
 * as functions over these two, so that Session itself stays a thin public API.
 */
import type { HeaderList } from "@reqivo/protocol";
import type { AuthOptions } from "./auth.ts";
import type { RequestBody } from "./body.ts";
import type { Cookies } from "./cookies.ts";
import type { Codecs, DecompressOptions } from "./decompress.ts";
import type { DigestCache } from "./digest.ts";
import type { SessionDns } from "./dns/session-dns.ts";
import type { Hooks } from "./hooks.ts";
import type { Lifeline } from "./lifeline.ts";
import type { RedirectOptions, RequestOptions, TimeoutOptions } from "./options.ts";
import type { OriginTargets } from "./origin-targets.ts";
import type { Pool } from "./pool.ts";
import type { PooledConnection } from "./pooled-connection.ts";
import type { ProxyRoutes } from "./proxy/routes.ts";
import type { RedirectHop } from "./response.ts";
import type { RetryPolicy } from "./retry.ts";
import type { TlsProfiles } from "./tls-settings.ts";

/** A Session's settings and shared parts, fixed when it is created. */
export interface SessionState {
  readonly pool: Pool;
  readonly baseUrl: URL | undefined;
  /** Requests and redirects to other origins than `baseUrl`'s are refused. */
  readonly stayOnBaseOrigin: boolean;
  /** Default headers (User-Agent and the session's own). */
  readonly headers: HeaderList;
  readonly timeout: TimeoutOptions;
  readonly redirect: Required<RedirectOptions>;
  readonly throwOnHttpError: boolean;
  readonly cookies: Cookies | undefined;
  readonly auth: AuthOptions | undefined;
  readonly retry: RetryPolicy | undefined;
  readonly decompress: Required<DecompressOptions> | undefined;
  readonly hooks: Hooks | undefined;
  readonly digest: DigestCache;
  /** Per-origin connect options, pool keys and Host values, with the session's TLS and socket settings. */
  readonly targets: OriginTargets;
  /** The session's TLS settings and those of requests that set their own. */
  readonly tls: TlsProfiles;
  readonly socketPath: string | undefined;
  readonly dns: SessionDns | undefined;
  /** The session's proxy settings and those of requests that set their own. */
  readonly proxies: ProxyRoutes;
  /**
   * Where a response body sends its connection when it ends. One function per
   * session instead of a closure per response.
   */
  readonly afterBody: (connection: PooledConnection, reusable: boolean) => void;
}

/** The request as it goes through hooks, retries and redirects. */
export interface Hop {
  url: URL;
  method: string;
  headers: HeaderList;
  body: RequestBody | null;
}

/** State shared by the hops, attempts and hooks of one `request()` call. */
export interface RequestContext {
  options: RequestOptions;
  /** `state.targets`, or targets of the request's own TLS settings or socket. */
  targets: OriginTargets;
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

/**
 * A request context before the pipeline fills it: every field present from
 * the start, so the object is made once with its final shape instead of
 * growing field by field on every request.
 */
export function emptyRequestContext(): Partial<RequestContext> {
  return {
    options: undefined,
    targets: undefined,
    timeouts: undefined,
    lifeline: undefined,
    hooks: undefined,
    retry: undefined,
    auth: undefined,
    authOrigin: undefined,
    site: undefined,
    leftSite: undefined,
    decompress: undefined,
    codecs: undefined,
    history: undefined,
    retries: undefined,
    started: undefined,
    current: undefined,
  };
}

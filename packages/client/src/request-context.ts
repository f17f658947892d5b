/**
 * The state a request needs while it runs: what a Session fixed at
 * construction ({@link SessionState}), and what one `request()` call settles
 * once and its middleware share ({@link RequestCall}: the per-request
 * policies, the deadline, the redirects followed and the retries made).
 */

import type { HeaderList } from "@reqivo/protocol";
import type { AuthOptions } from "./auth.ts";
import type { Lifeline, TimeoutOptions } from "./connection/lifeline.ts";
import type { OriginTargets, SessionTargets } from "./connection/origin-targets.ts";
import type { Pool } from "./connection/pool.ts";
import type { PooledConnection } from "./connection/pooled-connection.ts";
import type { Cookies } from "./cookies.ts";
import type { DecompressOptions } from "./decompress.ts";
import type { DigestCache } from "./digest.ts";
import type { Hooks } from "./hooks.ts";
import type { Handler, Middleware, OutgoingRequest } from "./middleware.ts";
import type { RedirectOptions, RequestOptions } from "./options.ts";
import type { SharedUrls } from "./resolve-url.ts";
import type { RedirectHop, Response } from "./response.ts";
import type { RetryPolicy } from "./retry.ts";

/** A Session's settings and shared parts, fixed when it is created. */
export interface SessionState extends SessionTargets {
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
  /** The session's own middleware, innermost of the built-in ones. */
  readonly use: readonly Middleware[];
  readonly digest: DigestCache;
  /** URLs parsed from strings, shared by calls no hook or middleware sees. */
  readonly urls: SharedUrls;
  /**
   * Where a response body sends its connection when it ends. One function per
   * session instead of a closure per response.
   */
  readonly afterBody: (connection: PooledConnection, reusable: boolean) => void;
}

/** What one `request()` call settled: each field is the request's own setting or the session's. */
export interface RequestSettings {
  readonly options: RequestOptions;
  /** `state.targets`, or targets of the request's own TLS settings, socket or proxy. */
  readonly targets: OriginTargets;
  readonly timeouts: TimeoutOptions;
  readonly lifeline: Lifeline;
  readonly hooks: Required<Hooks>;
  readonly redirect: Required<RedirectOptions>;
  readonly retry: RetryPolicy | undefined;
  readonly auth: AuthOptions | undefined;
  readonly decompress: Required<DecompressOptions> | undefined;
}

/**
 * One `request()` call: its settings, and what its middleware record as it
 * runs (the built-in layers are shared by all calls: what they remember for
 * one call lives here).
 */
/**
 * What a built-in layer does with a response on its way out: the response
 * it passes on, or a promise of it.
 *
 * @example
 * ```ts
 * const unchanged: ResponseStep = (response, _call) => response;
 * ```
 */
export type ResponseStep = (response: Response, call: RequestCall) => Response | Promise<Response>;

/** The history of a call that followed no redirect: one frozen list for all of them. */
const NO_REDIRECTS: readonly RedirectHop[] = Object.freeze([]);

export class RequestCall {
  readonly state: SessionState;
  readonly settings: RequestSettings;
  /**
   * Redirects followed so far, oldest first. Never changed in place (a
   * redirect puts a longer copy here), so each response holds the list as it
   * was without a copy of its own, and a call without redirects shares one
   * frozen empty list (apps/bench `ALLOCATIONS=1 IN_FLIGHT=100 CONNECTIONS=50
   * scripts/client-cycle.mjs 50000`: see results/2026-12-07-pool-wait.md).
   */
  history: readonly RedirectHop[] = NO_REDIRECTS;
  /** Retries made so far (the `retry` policy), over all hops. */
  retries = 0;
  /** The latest request handed to the wire, for onError hooks. */
  current: OutgoingRequest;
  /** The URL the caller asked for: credentials go to its origin only; its site is the call's for cookies. */
  readonly asked: URL;
  /** Set once a request of the call left `asked`'s origin: no credentials are sent from then on. */
  leftOrigin = false;
  /** `asked`'s site, looked up when a cookie first needs it (the public-suffix lookup is costly). */
  askedSite: string | undefined = undefined;
  /** Set once a request of the call left `asked`'s site (same-site cookies). */
  leftSite = false;
  /** When the retries layer first saw the call: the retry policy's time budget counts from it. */
  retryStarted: number | undefined = undefined;
  /** The caller's middleware (`use`) around the wire, made for this call; `undefined` when there is none. */
  callerChain: Handler | undefined = undefined;
  /** The promise of the latest request handed to the wire, while its response is still to come. */
  wirePending: Promise<Response> | undefined = undefined;
  /**
   * What built-in layers do with that response, innermost first, run in the
   * wire's own `then` (see `onResponse` in middleware/layer.ts).
   */
  wireSteps: ResponseStep[] | undefined = undefined;
  /** How many of `wireSteps` are set (the array is made with room to spare). */
  wireStepCount = 0;
  /**
   * The request the redirects layer was given (the first hop), and the one
   * the decompression layer passed on last (its method says whether a body
   * is decoded): read by those layers' response steps, which are shared
   * functions rather than closures made per request. Keep-alive GET, 100 in
   * flight over 50 connections, in memory (apps/bench `READ_NOW=1
   * IN_FLIGHT=100 CONNECTIONS=50 scripts/instructions.sh client`): Node
   * 47,122 → 46,432 instructions per request; 64 KiB ~7,490 → ~7,403 bytes
   * per request (results/2026-12-07-bun-cut.md).
   */
  redirectFirst: OutgoingRequest | undefined = undefined;
  decodeFor: OutgoingRequest | undefined = undefined;

  /** Forgets the wire steps; the list and its count always go together. */
  dropWireSteps(): void {
    this.wireSteps = undefined;
    this.wireStepCount = 0;
  }
  /**
   * The wire's promise that Session.request handed to the caller as it is:
   * its response is the call's final one, and its failure the call's (send.ts
   * settles the call on it). `undefined` while the call has its own `then`.
   */
  outcome: Promise<Response> | undefined = undefined;

  constructor(state: SessionState, settings: RequestSettings, first: OutgoingRequest) {
    this.state = state;
    this.settings = settings;
    this.current = first;
    this.asked = first.url;
  }
}

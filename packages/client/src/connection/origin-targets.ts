/**
 * Where a request to an origin goes: its pool key, its Host header value and
 * the options a new connection to it is opened with. They depend only on the
 * origin and the session's settings, so they are worked out once per origin
 * instead of on every request. Measured with apps/bench
 * `scripts/instructions.sh client` (keep-alive GET), mean of two runs each:
 * 60,144 instructions per request with the per-origin table, 61,349 without.
 */
import type { HeaderPair } from "@reqivo/protocol";
import type { Connection, ConnectOptions, Transport } from "@reqivo/transport";
import { isIpAddress } from "@reqivo/transport/kit";
import { InvalidRequestError } from "../errors.ts";
import type { SessionDns } from "./dns/session-dns.ts";
import type { Http2Settings } from "./http2/options.ts";
import type { TimeoutOptions } from "./lifeline.ts";
import {
  type ProxyInput,
  type ProxyRoute,
  type ProxySettings,
  proxyRoute,
} from "./proxy/config.ts";
import { dial } from "./proxy/dial.ts";
import type { ProxyRoutes } from "./proxy/routes.ts";
import type { ClientTlsOptions, TlsProfile, TlsProfiles } from "./tls-settings.ts";

/** Where a connect's abort signal comes from: a request's Lifeline, a WebSocket's AbortController. */
export interface SignalSource {
  readonly signal: AbortSignal;
}

/** One origin as the session sees it. */
export interface OriginTarget {
  /**
   * The pool's key: scheme, host, port, the socket path when there is one,
   * and for https the TLS settings' id. Connections are only reused under an equal key.
   */
  readonly key: string;
  /** `url.host`: the Host header a request to this origin carries. */
  readonly host: string;
  /** `["host", host]`: the pair every request's wire headers start with (pairs are never changed in place). */
  readonly hostHeader: HeaderPair;
  readonly hostname: string;
  readonly port: number;
  readonly https: boolean;
  /** How the connection goes through a proxy; `undefined`: directly. */
  readonly route: ProxyRoute | undefined;
  /** `https` or `http`: the `:scheme` of an HTTP/2 request. */
  readonly scheme: string;
  /**
   * Whether connections may speak HTTP/2: the `http2` option, on a direct
   * https origin (offered with ALPN `h2`) or, with `priorKnowledge`, a direct http one.
   */
  readonly http2: boolean;
}

// A session talking to more origins than this starts over: the cache only saves work.
const MAX_ORIGINS = 256;
const SLASH = 0x2f;

/** How connections are opened: the same for every origin of a session (or of a request that overrides them). */
export interface TargetSettings {
  /** TLS settings of https origins, and their part of the pool key. */
  readonly tls: TlsProfile;
  /** Connect through this Unix domain socket instead of TCP. */
  readonly socketPath: string | undefined;
  /** Name resolution (`undefined`: the transport resolves on its own). */
  readonly dns: SessionDns | undefined;
  /** Proxies (`undefined`: none). Not used over a Unix socket: the socket is the route. */
  readonly proxy: ProxySettings | undefined;
  /** The `http2` option (`undefined`: off). */
  readonly http2: Http2Settings | undefined;
}

/** The per-origin cache of a session. */
export class OriginTargets {
  readonly #tls: TlsProfile;
  readonly #socketPath: string | undefined;
  readonly #dns: SessionDns | undefined;
  readonly #proxy: ProxySettings | undefined;
  readonly #http2: Http2Settings | undefined;
  readonly #byOrigin = new Map<string, OriginTarget>();

  constructor(settings: TargetSettings) {
    this.#tls = settings.tls;
    this.#socketPath = settings.socketPath;
    this.#dns = settings.dns;
    this.#proxy = settings.proxy;
    this.#http2 = settings.http2;
  }

  /**
   * The origin asked for last and its target. Most requests go where the
   * one before went: their href starts with that origin followed by the
   * path's `/` (an http(s) href is scheme, `//`, host, optional port, path;
   * userinfo or another port or host breaks the prefix), which a compare
   * tells without building the origin string and hashing it for the table
   * (apps/bench `scripts/instructions.sh client`, keep-alive GET: 52,656 →
   * 51,684 instructions per request; results/2026-12-07-h1-costs.md).
   */
  #lastOrigin = "";
  #lastTarget: OriginTarget | undefined;

  /** The target of `url`'s origin (http: or https: only). */
  of(url: URL): OriginTarget {
    const href = url.href;
    const last = this.#lastOrigin;
    if (
      this.#lastTarget !== undefined &&
      href.startsWith(last) &&
      href.charCodeAt(last.length) === SLASH
    )
      return this.#lastTarget;
    const origin = url.origin;
    let target = this.#byOrigin.get(origin);
    if (target === undefined) {
      target = this.#target(url, false);
      if (this.#byOrigin.size >= MAX_ORIGINS) this.#byOrigin.clear();
      this.#byOrigin.set(origin, target);
    }
    this.#lastOrigin = origin;
    this.#lastTarget = target;
    return target;
  }

  /**
   * The target of a WebSocket handshake to `url` (its http: or https: form):
   * the same TLS settings, socket, DNS and proxy as a request's, but through
   * a proxy always a tunnel, never a forwarded request.
   */
  websocket(url: URL): OriginTarget {
    return this.#target(url, true);
  }

  #target(url: URL, websocket: boolean): OriginTarget {
    const https = url.protocol === "https:";
    const port = url.port === "" ? (https ? 443 : 80) : Number(url.port);
    const hostname = url.hostname;
    const socketPath = this.#socketPath;
    const direct = `${url.protocol}//${hostname}:${port}${socketPath ? `@${socketPath}` : ""}${https && this.#tls.key ? `#${this.#tls.key}` : ""}`;
    // Redirects come here for each new origin: NO_PROXY is decided afresh.
    const route =
      socketPath === undefined ? proxyRoute(this.#proxy, url, port, websocket) : undefined;
    return {
      // Forwarded requests share connections to the proxy; a tunnel is one origin's, through one proxy.
      key:
        route === undefined
          ? direct
          : route.forward
            ? `proxy ${route.endpoint.key}`
            : `${direct} via ${route.endpoint.key}`,
      host: url.host,
      hostHeader: ["host", url.host],
      hostname,
      port,
      https,
      route,
      scheme: https ? "https" : "http",
      // Proxied connections stay HTTP/1.1: a forward proxy reads HTTP/1.1, and tunnels are not offered h2 yet.
      http2:
        this.#http2 !== undefined &&
        (https || this.#http2.priorKnowledge) &&
        route === undefined &&
        !websocket,
    };
  }

  /**
   * Options for opening a new connection to `target`: a fresh object each
   * time, since a transport may keep or change what it is given.
   */
  connectOptions(
    target: OriginTarget,
    timeouts: TimeoutOptions,
    lifeline: SignalSource,
  ): ConnectOptions {
    const connect: ConnectOptions =
      this.#socketPath === undefined
        ? { host: target.hostname, port: target.port }
        : { path: this.#socketPath };
    if (target.https) {
      connect.tls = { ...this.#tls.options };
      if (target.http2) connect.tls.alpnProtocols = ["h2", "http/1.1"];
      // Over a socket there is no host to default to: check the name the request was made to.
      if (
        this.#socketPath !== undefined &&
        connect.tls.servername === undefined &&
        !isIpAddress(target.hostname)
      )
        connect.tls.servername = target.hostname;
    }
    if (this.#dns !== undefined && this.#socketPath === undefined) {
      // Through a proxy, only the proxy's name is resolved here (the proxy resolves the target's).
      const lookup = this.#dns.lookupFor(target.route?.endpoint.hostname ?? target.hostname);
      if (lookup !== undefined) connect.lookup = lookup;
      if (this.#dns.happyEyeballsDelay !== undefined)
        connect.happyEyeballsDelay = this.#dns.happyEyeballsDelay;
    }
    if (timeouts.connect !== undefined) connect.connectTimeout = timeouts.connect;
    connect.signal = lifeline.signal;
    return connect;
  }

  /** Opens a new connection to `target`, through its proxy when it has one (proxy/dial.ts). */
  open(
    transport: Transport,
    target: OriginTarget,
    timeouts: TimeoutOptions,
    lifeline: SignalSource,
  ): Promise<Connection> {
    if (!target.http2)
      return dial(transport, this.connectOptions(target, timeouts, lifeline), target.route);
    // A connection that may carry HTTP/2 outlives the request that opened it:
    // that request's end must stop the connect, never the connection.
    const request = lifeline.signal;
    const connect = new AbortController();
    const onAbort = () => connect.abort(request.reason);
    if (request.aborted) onAbort();
    else request.addEventListener("abort", onAbort, { once: true });
    return dial(transport, this.connectOptions(target, timeouts, connect), target.route).finally(
      () => request.removeEventListener("abort", onAbort),
    );
  }
}

/** Checks a socket path given as an option: a non-empty string without NUL. */
export function checkSocketPath(path: unknown): string | undefined {
  if (path === undefined) return undefined;
  if (typeof path !== "string" || path.length === 0 || path.includes("\0"))
    throw new InvalidRequestError("socketPath must be a non-empty path without NUL characters");
  return path;
}

/** What {@link requestTargets} needs of a session: its targets and the settings they were made from. */
export interface SessionTargets {
  /** Per-origin connect options, pool keys and Host values, with the session's TLS and socket settings. */
  readonly targets: OriginTargets;
  /** The session's TLS settings and those of requests that set their own. */
  readonly tls: TlsProfiles;
  readonly socketPath: string | undefined;
  readonly dns: SessionDns | undefined;
  /** The session's proxy settings and those of requests that set their own. */
  readonly proxies: ProxyRoutes;
  /** The `http2` option (`undefined`: off). */
  readonly http2: Http2Settings | undefined;
}

/**
 * The targets a request uses: the session's, or — when the request sets its
 * own TLS settings or socket (a Unix-socket URL's `socketPath` wins over the
 * option) — targets of its own, whose pool keys keep their connections apart.
 */
export function requestTargets(
  state: SessionTargets,
  tls: ClientTlsOptions | undefined,
  socketPath: string | undefined,
  proxy?: ProxyInput,
): OriginTargets {
  if (tls === undefined && socketPath === undefined && proxy === undefined) return state.targets;
  return new OriginTargets({
    tls: state.tls.forRequest(tls),
    socketPath: checkSocketPath(socketPath) ?? state.socketPath,
    dns: state.dns,
    proxy: state.proxies.settings(proxy),
    http2: state.http2,
  });
}

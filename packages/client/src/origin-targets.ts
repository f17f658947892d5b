/**
 * Where a request to an origin goes: its pool key, its Host header value and
 * the options a new connection to it is opened with. They depend only on the
 * origin and the session's settings, so they are worked out once per origin
 * instead of on every request (string building and a property definition per
 * request showed up in keep-alive profiles).
 */
import type { ConnectOptions, TlsOptions } from "@reqivo/transport";
import type { Lifeline } from "./lifeline.ts";
import type { TimeoutOptions } from "./options.ts";

/** One origin as the session sees it. */
export interface OriginTarget {
  /** The pool's key: scheme, host, port, and the socket path when there is one. */
  readonly key: string;
  /** `url.host`: the Host header a request to this origin carries. */
  readonly host: string;
  readonly hostname: string;
  readonly port: number;
  readonly https: boolean;
}

// A session talking to more origins than this starts over: the cache only saves work.
const MAX_ORIGINS = 256;

/** The per-origin cache of a session. */
export class OriginTargets {
  readonly #tls: Omit<TlsOptions, "servername" | "alpnProtocols"> | undefined;
  readonly #socketPath: string | undefined;
  readonly #byOrigin = new Map<string, OriginTarget>();

  constructor(
    tls: Omit<TlsOptions, "servername" | "alpnProtocols"> | undefined,
    socketPath: string | undefined,
  ) {
    this.#tls = tls;
    this.#socketPath = socketPath;
  }

  /** The target of `url`'s origin (http: or https: only). */
  of(url: URL): OriginTarget {
    const origin = url.origin;
    let target = this.#byOrigin.get(origin);
    if (target === undefined) {
      const https = url.protocol === "https:";
      const port = url.port === "" ? (https ? 443 : 80) : Number(url.port);
      const hostname = url.hostname;
      const socketPath = this.#socketPath;
      target = {
        key: `${url.protocol}//${hostname}:${port}${socketPath ? `@${socketPath}` : ""}`,
        host: url.host,
        hostname,
        port,
        https,
      };
      if (this.#byOrigin.size >= MAX_ORIGINS) this.#byOrigin.clear();
      this.#byOrigin.set(origin, target);
    }
    return target;
  }

  /**
   * Options for opening a new connection to `target`: a fresh object each
   * time, since a transport may keep or change what it is given.
   */
  connectOptions(
    target: OriginTarget,
    timeouts: TimeoutOptions,
    lifeline: Lifeline,
  ): ConnectOptions {
    const connect: ConnectOptions =
      this.#socketPath === undefined
        ? { host: target.hostname, port: target.port }
        : { path: this.#socketPath };
    if (target.https) connect.tls = { ...this.#tls };
    if (timeouts.connect !== undefined) connect.connectTimeout = timeouts.connect;
    // Read only when a connect starts: a request that never connects needs no AbortController.
    Object.defineProperty(connect, "signal", { get: () => lifeline.signal, enumerable: true });
    return connect;
  }
}

import type {
  AbortSignalLike,
  Connection,
  ConnectOptions,
  LookupFunction,
  TlsVersion,
} from "./contract.ts";
import { InvalidArgumentError } from "./errors.ts";

/**
 * TLS settings with defaults applied; see {@link resolveConnectOptions}.
 *
 * @example
 * ```ts
 * import { resolveConnectOptions } from "@reqivo/transport/kit";
 * const tls = resolveConnectOptions({ host: "a.test", port: 443, tls: true }).tls;
 * tls?.rejectUnauthorized; // true
 * ```
 */
export interface ResolvedTlsOptions {
  /** SNI and verification name; `null` when connecting to an IP address without `servername`. */
  readonly servername: string | null;
  readonly ca: readonly string[] | null;
  readonly cert: string | null;
  readonly key: string | null;
  readonly rejectUnauthorized: boolean;
  readonly alpnProtocols: readonly string[];
  readonly minVersion: TlsVersion | null;
  /** Base64 SPKI SHA-256 pins, `sha256/` prefix removed; empty when not pinning. */
  readonly pins: readonly string[];
}

/**
 * {@link ConnectOptions} checked and with defaults applied; what a transport implementation works from.
 *
 * @example
 * ```ts
 * import { resolveConnectOptions } from "@reqivo/transport/kit";
 * resolveConnectOptions({ path: "/run/app.sock" }).kind; // "unix"
 * ```
 */
export interface ResolvedConnectOptions {
  readonly kind: "tcp" | "tls" | "unix";
  readonly host: string | null;
  readonly port: number | null;
  readonly path: string | null;
  readonly tls: ResolvedTlsOptions | null;
  readonly connectTimeout: number | null;
  readonly signal: AbortSignalLike | null;
  readonly noDelay: boolean;
  /** `null`: keep-alive off. A number: the idle delay before the first probe (0 = the OS default). */
  readonly keepAliveDelay: number | null;
  /** `host:port` or the socket path, for error messages. */
  readonly address: string;
  readonly lookup: LookupFunction | null;
  readonly happyEyeballsDelay: number;
  /** The connection to run TLS over instead of opening a socket; `tls` is then set. */
  readonly tunnel: Connection | null;
}

const TLS_VERSIONS: readonly string[] = ["TLSv1.2", "TLSv1.3"];

/**
 * Tells whether `host` is an IPv4 or IPv6 literal (brackets allowed), for
 * which no SNI may be sent.
 *
 * @example
 * ```ts
 * import { isIpAddress } from "@reqivo/transport/kit";
 * isIpAddress("127.0.0.1"); // true
 * isIpAddress("localhost"); // false
 * ```
 */
export function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

/**
 * Checks connect options and applies the defaults every transport shares.
 * Throws `TypeError` for options that make no sense (no host and no path, a
 * port out of range, a client certificate without its key).
 *
 * @example
 * ```ts
 * import { resolveConnectOptions } from "@reqivo/transport/kit";
 * const resolved = resolveConnectOptions({ host: "example.com", port: 443, tls: true });
 * resolved.tls?.servername; // "example.com"
 * ```
 */
export function resolveConnectOptions(options: ConnectOptions): ResolvedConnectOptions {
  const path = options.path ?? null;
  const host = path === null ? checkHost(options.host) : null;
  const port = path === null ? checkPort(options.port) : null;
  const tls = resolveTls(options.tls, host);
  const kind = tls !== null ? "tls" : path !== null ? "unix" : "tcp";
  return {
    kind,
    host,
    port,
    path,
    tls,
    connectTimeout: checkTimeout(options.connectTimeout),
    signal: options.signal ?? null,
    noDelay: options.noDelay ?? true,
    keepAliveDelay: keepAliveDelay(options.keepAlive),
    address: path ?? `${host}:${port}`,
    lookup: options.lookup ?? null,
    happyEyeballsDelay: checkDelay(options.happyEyeballsDelay),
    tunnel: checkTunnel(options.tunnel, tls !== null, path),
  };
}

function checkDelay(delay: number | undefined): number {
  if (delay === undefined) return DEFAULT_HAPPY_EYEBALLS_DELAY;
  if (typeof delay !== "number" || !(delay >= 0) || !Number.isFinite(delay)) {
    throw new InvalidArgumentError("happyEyeballsDelay must be a number of milliseconds >= 0");
  }
  return delay;
}

function checkTunnel(
  tunnel: Connection | undefined,
  tls: boolean,
  path: string | null,
): Connection | null {
  if (tunnel === undefined) return null;
  if (!tls)
    throw new InvalidArgumentError(
      "`tunnel` needs `tls`: a tunnel without TLS is the connection itself",
    );
  if (path !== null)
    throw new InvalidArgumentError("`tunnel` names the far end by host and port, not `path`");
  return tunnel;
}

// RFC 8305 §5 recommends 250 ms as the default Connection Attempt Delay.
const DEFAULT_HAPPY_EYEBALLS_DELAY = 250;

function checkHost(host: string | undefined): string {
  if (typeof host !== "string" || host.length === 0) {
    throw new InvalidArgumentError("connect options need `host` and `port`, or `path`");
  }
  // Brackets belong to URLs, not to socket APIs.
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function checkPort(port: number | undefined): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`port must be an integer from 1 to 65535, got ${String(port)}`);
  }
  return port;
}

function checkTimeout(timeout: number | undefined): number | null {
  if (timeout === undefined) return null;
  if (typeof timeout !== "number" || !(timeout > 0) || !Number.isFinite(timeout)) {
    throw new InvalidArgumentError(`connectTimeout must be a positive number of milliseconds`);
  }
  return timeout;
}

function keepAliveDelay(keepAlive: boolean | number | undefined): number | null {
  if (keepAlive === undefined || keepAlive === false) return null;
  if (keepAlive === true) return 0;
  if (!(keepAlive >= 0)) throw new InvalidArgumentError("keepAlive delay must be >= 0 ms");
  return keepAlive;
}

function resolveTls(tls: ConnectOptions["tls"], host: string | null): ResolvedTlsOptions | null {
  if (tls === undefined || tls === false) return null;
  const options = tls === true ? {} : tls;
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new InvalidArgumentError("tls.cert and tls.key go together");
  }
  if (options.minVersion !== undefined && !TLS_VERSIONS.includes(options.minVersion)) {
    throw new InvalidArgumentError(`tls.minVersion must be one of ${TLS_VERSIONS.join(", ")}`);
  }
  const servername = options.servername ?? (host !== null && !isIpAddress(host) ? host : null);
  return {
    servername,
    ca:
      options.ca === undefined ? null : typeof options.ca === "string" ? [options.ca] : options.ca,
    cert: options.cert ?? null,
    key: options.key ?? null,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
    alpnProtocols: checkAlpnProtocols(options.alpnProtocols),
    minVersion: options.minVersion ?? null,
    pins: (options.pins ?? []).map(normalizePin),
  };
}

// RFC 7301 §3.1: each name is 1 to 255 bytes, the whole list at most 2^16-1 bytes.
// Names are limited to visible ASCII (the IANA registry's are) so that what is
// offered is exactly what `info.alpnProtocol` can report back as a string.
const ALPN_NAME = /^[\x21-\x7e]{1,255}$/;
const ALPN_LIST_MAX_BYTES = 0xffff;

function checkAlpnProtocols(protocols: readonly string[] | undefined): readonly string[] {
  if (protocols === undefined) return [];
  if (!Array.isArray(protocols))
    throw new InvalidArgumentError("tls.alpnProtocols must be an array of names");
  let wireBytes = 0;
  for (const name of protocols) {
    if (typeof name !== "string" || !ALPN_NAME.test(name)) {
      throw new InvalidArgumentError(
        'each tls.alpnProtocols entry must be 1 to 255 visible ASCII characters, e.g. "h2"',
      );
    }
    wireBytes += 1 + name.length;
  }
  if (wireBytes > ALPN_LIST_MAX_BYTES) {
    throw new InvalidArgumentError(
      `tls.alpnProtocols takes at most ${ALPN_LIST_MAX_BYTES} bytes on the wire`,
    );
  }
  return [...protocols];
}

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

function normalizePin(pin: string): string {
  const bare = typeof pin === "string" && pin.startsWith("sha256/") ? pin.slice(7) : pin;
  if (typeof bare !== "string" || !BASE64_SHA256.test(bare)) {
    throw new InvalidArgumentError(
      "each tls.pins entry must be a base64 SHA-256 digest, optionally prefixed sha256/",
    );
  }
  return bare;
}

/**
 * The `proxy` option: what callers write, checked and turned into settings
 * — one endpoint for `http:` targets, one for `https:` targets, and the
 * NO_PROXY rules — and the choice of route for one URL.
 */
import { type HeaderList, isFieldValue, isToken } from "@reqivo/protocol";
import type { TlsOptions } from "@reqivo/transport";
import { resolveConnectOptions } from "@reqivo/transport/kit";
import { InvalidRequestError } from "../../errors.ts";
import { type HeadersInput, hasHeader, headerPairs } from "../../header-input.ts";
import { basicAuthorization, type Credentials } from "../basic-credentials.ts";
import { envProxySettings, type ProxyEnv, runtimeEnv } from "./env.ts";
import { bypassesProxy, type NoProxy, parseNoProxy } from "./no-proxy.ts";

/**
 * A proxy with its settings (the object form of the `proxy` option).
 * Give `url`, or `env` to read the environment's variables.
 *
 * @example
 * ```ts
 * import type { ProxyOptions } from "@reqivo/client";
 * const proxy: ProxyOptions = {
 *   url: "https://ada:s3cret@proxy.internal:8443",  // credentials → Proxy-Authorization: Basic
 *   tls: { ca: "-----BEGIN CERTIFICATE-----\n…" },   // TLS to the proxy itself
 *   noProxy: ["localhost", ".internal", "10.0.0.0/8"],
 * };
 * const fromEnv: ProxyOptions = { env: { HTTPS_PROXY: "http://proxy.internal:3128" } };
 * ```
 */
export interface ProxyOptions {
  /**
   * `http://`, `https://` (TLS to the proxy), `socks5://` or `socks5h://`
   * (both let the proxy resolve names). `user:pass@` in it is sent to the
   * proxy only: as `Proxy-Authorization: Basic` or SOCKS5 user/password.
   */
  url?: string | URL;
  /**
   * Take the proxy from environment variables (`HTTP_PROXY`, `HTTPS_PROXY`,
   * `ALL_PROXY`, `NO_PROXY`, lower case first): `true` for the runtime's
   * environment, or an object to read instead.
   */
  env?: true | ProxyEnv;
  /** Hosts reached directly, NO_PROXY syntax; replaces the environment's `NO_PROXY`. */
  noProxy?: string | readonly string[];
  /** TLS settings for an `https://` proxy (its CA, a client certificate, …). */
  tls?: Omit<TlsOptions, "alpnProtocols">;
  /** Extra headers for the proxy: on `CONNECT` and on requests forwarded to it, never to the origin. */
  headers?: HeadersInput;
}

/**
 * The `proxy` option of a session or request: a proxy URL, its settings,
 * `"env"` (the runtime's environment variables), or `false` for none.
 *
 * @example
 * ```ts
 * import type { ProxyInput } from "@reqivo/client";
 * const proxy: ProxyInput = "http://127.0.0.1:3128";
 * ```
 */
export type ProxyInput = string | URL | ProxyOptions | "env" | false;

/** One proxy, parsed. */
export interface ProxyEndpoint {
  readonly protocol: "http:" | "https:" | "socks5:" | "socks5h:";
  readonly hostname: string;
  readonly port: number;
  /** `protocol//hostname:port`, without credentials: for messages. */
  readonly href: string;
  /** `Proxy-Authorization` value for HTTP proxies (from URL credentials or `headers`). */
  readonly authorization: string | undefined;
  /** User name and password for SOCKS5 (RFC 1929). */
  readonly credentials: Credentials | undefined;
  /** TLS to an `https:` proxy. */
  readonly tls: Omit<TlsOptions, "alpnProtocols"> | undefined;
  /** Extra headers for the proxy, `Proxy-Authorization` not among them. */
  readonly headers: HeaderList;
  /** Identity in pool keys: address plus an id standing for credentials, TLS and headers. */
  readonly key: string;
}

/** Where requests go, per target scheme; `undefined`: direct. */
export interface ProxySettings {
  readonly http: ProxyEndpoint | undefined;
  readonly https: ProxyEndpoint | undefined;
  readonly noProxy: NoProxy | undefined;
}

/** How a connection to an origin is made through a proxy. */
export interface ProxyRoute {
  readonly endpoint: ProxyEndpoint;
  /** `http:` target through an HTTP proxy: absolute-form requests to the proxy, no tunnel. */
  readonly forward: boolean;
}

const DEFAULT_PORTS: Record<ProxyEndpoint["protocol"], number> = {
  "http:": 80,
  "https:": 443,
  "socks5:": 1080,
  "socks5h:": 1080,
};

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Credentials in SOCKS5 are length-prefixed with one byte. */
function socksCredentials(credentials: Credentials): Credentials {
  const encoder = new TextEncoder();
  const user = encoder.encode(credentials.username).length;
  const password = encoder.encode(credentials.password).length;
  if (user < 1 || user > 255 || password > 255)
    throw new InvalidRequestError("SOCKS5 user name must be 1–255 bytes, password at most 255");
  return credentials;
}

function proxyHeaders(input: HeadersInput | undefined): HeaderList {
  const headers = headerPairs(input);
  for (const [name, value] of headers) {
    if (!isToken(name) || !isFieldValue(value))
      throw new InvalidRequestError(`invalid proxy header ${JSON.stringify(name)}`);
    if (name.toLowerCase() === "host")
      throw new InvalidRequestError("the proxy's Host header is set by the client");
  }
  return headers;
}

/**
 * Parses one proxy URL. `identify` turns everything that distinguishes two
 * proxies at the same address (credentials, TLS, headers) into a short id.
 * `fromEnv` names the variable the URL came from. Messages never repeat the
 * URL: it may hold a password.
 */
export function parseProxyUrl(
  input: string | URL,
  options: Pick<ProxyOptions, "tls" | "headers">,
  identify: (fingerprint: string) => string,
  fromEnv?: string,
): ProxyEndpoint {
  const what = fromEnv === undefined ? "proxy URL" : `proxy URL in ${fromEnv}`;
  const text = String(input).trim();
  let url: URL;
  try {
    // No scheme (HTTPS_PROXY=proxy:3128) means an HTTP proxy, as curl and Go read it.
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch (cause) {
    throw new InvalidRequestError(`invalid ${what}`, { cause });
  }
  const protocol = url.protocol as ProxyEndpoint["protocol"];
  if (/^socks(4a?)?:$/.test(protocol))
    throw new InvalidRequestError(
      `${protocol} proxies are not supported: use socks5:// or socks5h://`,
    );
  if (!(protocol in DEFAULT_PORTS))
    throw new InvalidRequestError(`unsupported ${what} scheme ${protocol}`);
  if (url.hostname === "") throw new InvalidRequestError(`${what} has no host`);
  const port = url.port === "" ? DEFAULT_PORTS[protocol] : Number(url.port);
  const userinfo =
    url.username === "" && url.password === ""
      ? undefined
      : { username: decode(url.username), password: decode(url.password) };
  const socks = protocol === "socks5:" || protocol === "socks5h:";
  // The environment's tls and headers are for its HTTP(S) proxies, not an ALL_PROXY=socks5://.
  const settings = socks && fromEnv !== undefined ? {} : options;
  const headers = proxyHeaders(settings.headers);
  if (socks && (headers.length > 0 || settings.tls !== undefined))
    throw new InvalidRequestError("SOCKS5 proxies take neither headers nor tls");
  if (settings.tls !== undefined) {
    try {
      resolveConnectOptions({ host: "localhost", port: 443, tls: settings.tls });
    } catch (cause) {
      throw new InvalidRequestError(`invalid proxy tls option: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
  const ownAuthorization = headers.find(([name]) => name.toLowerCase() === "proxy-authorization");
  const authorization =
    ownAuthorization?.[1] ??
    (userinfo !== undefined && !socks ? basicAuthorization(userinfo) : undefined);
  const credentials = userinfo !== undefined && socks ? socksCredentials(userinfo) : undefined;
  const address = `${protocol}//${url.hostname}:${port}`;
  const fingerprint = JSON.stringify([address, authorization, credentials, settings.tls, headers]);
  return {
    protocol,
    hostname: url.hostname,
    port,
    href: address,
    authorization,
    credentials,
    tls: protocol === "https:" ? settings.tls : undefined,
    headers: hasHeader(headers, "proxy-authorization")
      ? headers.filter(([name]) => name.toLowerCase() !== "proxy-authorization")
      : headers,
    key: `${address}${identify(fingerprint)}`,
  };
}

function explicitNoProxy(value: string | readonly string[]): NoProxy {
  const noProxy = parseNoProxy(value);
  if (noProxy.invalid.length > 0)
    throw new InvalidRequestError(`invalid noProxy entry ${JSON.stringify(noProxy.invalid[0])}`);
  return noProxy;
}

function fromEnv(
  env: ProxyEnv,
  options: ProxyOptions,
  identify: (fingerprint: string) => string,
): ProxySettings | undefined {
  const vars = envProxySettings(env);
  const endpoint = (value: string | undefined, name: string) =>
    value === undefined ? undefined : parseProxyUrl(value, options, identify, name);
  const http = endpoint(vars.http ?? vars.all, vars.http ? "HTTP_PROXY" : "ALL_PROXY");
  const https = endpoint(vars.https ?? vars.all, vars.https ? "HTTPS_PROXY" : "ALL_PROXY");
  if (http === undefined && https === undefined) return undefined;
  const noProxy =
    options.noProxy !== undefined
      ? explicitNoProxy(options.noProxy)
      : vars.noProxy === undefined
        ? undefined
        : parseNoProxy(vars.noProxy); // the environment's bad entries are ignored, as curl does
  return { http, https, noProxy };
}

/**
 * Checks a `proxy` option and returns its settings (`undefined`: no proxy).
 * Throws InvalidRequestError for anything unusable.
 *
 * @example
 * ```ts
 * const settings = proxySettings("http://127.0.0.1:3128", () => "");
 * settings?.https?.port; // 3128
 * ```
 */
export function proxySettings(
  input: ProxyInput,
  identify: (fingerprint: string) => string,
): ProxySettings | undefined {
  if (input === false) return undefined;
  if (input === "env") return fromEnv(runtimeEnv(), {}, identify);
  if (typeof input === "string" || input instanceof URL) {
    const endpoint = parseProxyUrl(input, {}, identify);
    return { http: endpoint, https: endpoint, noProxy: undefined };
  }
  if (typeof input !== "object" || input === null)
    throw new InvalidRequestError('proxy must be a URL, proxy options, "env" or false');
  if ((input.url === undefined) === (input.env === undefined))
    throw new InvalidRequestError("proxy options need either url or env");
  if (input.env !== undefined)
    return fromEnv(input.env === true ? runtimeEnv() : input.env, input, identify);
  const endpoint = parseProxyUrl(input.url as string | URL, input, identify);
  const noProxy = input.noProxy === undefined ? undefined : explicitNoProxy(input.noProxy);
  return { http: endpoint, https: endpoint, noProxy };
}

/**
 * The route to `url` (an `http:` or `https:` URL; WebSockets pass theirs so
 * converted), or `undefined` to connect directly. A WebSocket always
 * tunnels: its connection stops speaking HTTP to the proxy.
 *
 * @example
 * ```ts
 * const settings = proxySettings({ url: "http://p:3128", noProxy: "localhost" }, () => "");
 * proxyRoute(settings, new URL("http://example.com/"), 80, false)?.forward; // true
 * proxyRoute(settings, new URL("http://localhost/"), 80, false);            // undefined
 * ```
 */
export function proxyRoute(
  settings: ProxySettings | undefined,
  url: URL,
  port: number,
  websocket: boolean,
): ProxyRoute | undefined {
  if (settings === undefined) return undefined;
  const https = url.protocol === "https:";
  const endpoint = https ? settings.https : settings.http;
  if (endpoint === undefined) return undefined;
  if (settings.noProxy !== undefined && bypassesProxy(settings.noProxy, url.hostname, port))
    return undefined;
  const httpProxy = endpoint.protocol === "http:" || endpoint.protocol === "https:";
  return { endpoint, forward: httpProxy && !https && !websocket };
}

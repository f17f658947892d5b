/**
 * The one way the client opens a connection to an origin: directly, or
 * through a proxy — a connection to the proxy (TLS to it for `https:`
 * proxies), then for tunnels a `CONNECT` or SOCKS5 handshake, then TLS to the
 * origin inside the tunnel for `https:` targets. What comes out is ready for
 * HTTP to the target (or, for forwarding, to the proxy).
 */
import {
  type Connection,
  type ConnectOptions,
  ConnectTimeoutError,
  type Transport,
} from "@reqivo/transport";
import type { ProxyRoute } from "./config.ts";
import { openHttpTunnel } from "./http-connect.ts";
import { withLeftover } from "./leftover.ts";
import { socksHandshake } from "./socks.ts";

/** The part of the target's connect options that applies to the connection to the proxy too. */
function toProxy(options: ConnectOptions, route: ProxyRoute): ConnectOptions {
  const { endpoint } = route;
  const out: ConnectOptions = { host: endpoint.hostname, port: endpoint.port };
  if (endpoint.protocol === "https:") out.tls = { ...endpoint.tls, alpnProtocols: ["http/1.1"] };
  if (options.connectTimeout !== undefined) out.connectTimeout = options.connectTimeout;
  if (options.signal !== undefined) out.signal = options.signal;
  if (options.lookup !== undefined) out.lookup = options.lookup;
  if (options.happyEyeballsDelay !== undefined) out.happyEyeballsDelay = options.happyEyeballsDelay;
  if (options.noDelay !== undefined) out.noDelay = options.noDelay;
  if (options.keepAlive !== undefined) out.keepAlive = options.keepAlive;
  return out;
}

/**
 * Opens a connection to the target `options` names (`host`, `port`, `tls`),
 * through `route` when there is one. `options.connectTimeout` bounds the
 * whole of it (proxy connect, handshake, TLS to the target) with
 * ConnectTimeoutError; `options.signal` aborts it. Proxy failures are
 * ProxyError (SocksError for SOCKS5); a transport that cannot run TLS inside
 * the tunnel rejects with its UnsupportedError. Nothing stays open on failure.
 *
 * @example
 * ```ts
 * const route = proxyRoute(settings, url, 443, false);
 * const connection = await dial(transport, { host: "example.com", port: 443, tls: {} }, route);
 * ```
 */
export async function dial(
  transport: Transport,
  options: ConnectOptions,
  route: ProxyRoute | undefined,
): Promise<Connection> {
  if (route === undefined) return transport.connect(options);
  const proxyOptions = toProxy(options, route);
  if (route.forward) return transport.connect(proxyOptions);
  const limit = options.connectTimeout;
  const started = performance.now();
  const left = () => (limit === undefined ? undefined : limit - (performance.now() - started));
  const proxied = await transport.connect(proxyOptions);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut: ConnectTimeoutError | undefined;
  try {
    const handshakeTime = left();
    if (handshakeTime !== undefined) {
      timer = setTimeout(
        () => {
          timedOut = new ConnectTimeoutError(limit as number);
          proxied.abort(timedOut);
        },
        Math.max(0, handshakeTime),
      );
    }
    const host = options.host as string;
    const port = options.port as number;
    const { endpoint } = route;
    const rest =
      endpoint.protocol === "socks5:" || endpoint.protocol === "socks5h:"
        ? await socksHandshake(proxied, endpoint, host, port)
        : await openHttpTunnel(proxied, endpoint, `${host}:${port}`);
    clearTimeout(timer);
    const tunnel = withLeftover(proxied, rest);
    if (options.tls === undefined || options.tls === false) return tunnel;
    const tlsTime = left();
    if (tlsTime !== undefined && tlsTime < 1) throw new ConnectTimeoutError(limit as number);
    const secured: ConnectOptions = { host, port, tls: options.tls, tunnel };
    if (tlsTime !== undefined) secured.connectTimeout = tlsTime;
    if (options.signal !== undefined) secured.signal = options.signal;
    return await transport.connect(secured);
  } catch (error) {
    clearTimeout(timer);
    proxied.close();
    throw timedOut ?? error;
  }
}

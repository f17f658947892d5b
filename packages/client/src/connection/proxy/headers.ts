/**
 * What a request carries when it goes through a proxy. Forwarded (plain
 * `http:` through an HTTP proxy): the proxy's headers and credentials, since
 * the proxy reads that request. Tunnelled: nothing of the proxy's, and a
 * caller's own `Proxy-Authorization` is dropped — inside a tunnel the next
 * hop is the origin, which must never see proxy credentials.
 */
import type { HeaderList } from "@reqivo/protocol";
import { hasHeader } from "../../header-input.ts";
import type { ProxyRoute } from "./config.ts";

const PROXY_AUTHORIZATION = "proxy-authorization";

/**
 * `headers` as they go out on `route`.
 *
 * @example
 * ```ts
 * proxiedHeaders({ endpoint, forward: true }, [["host", "example.com"]]);
 * // [["host", "example.com"], ["proxy-authorization", "Basic …"]]
 * ```
 */
export function proxiedHeaders(route: ProxyRoute, headers: HeaderList): HeaderList {
  const { endpoint } = route;
  const replaced = !route.forward || endpoint.authorization !== undefined;
  let out =
    replaced && hasHeader(headers, PROXY_AUTHORIZATION)
      ? headers.filter(([name]) => name.toLowerCase() !== PROXY_AUTHORIZATION)
      : headers;
  if (!route.forward) return out;
  if (out === headers) out = headers.slice();
  for (const pair of endpoint.headers) {
    if (!hasHeader(out, pair[0].toLowerCase())) out.push(pair);
  }
  if (endpoint.authorization !== undefined) out.push([PROXY_AUTHORIZATION, endpoint.authorization]);
  return out;
}

/**
 * The request target of `url` as a forwarding proxy reads it (absolute form, RFC 9112 §3.2.2).
 *
 * @example
 * ```ts
 * absoluteTarget(new URL("http://example.com:8080/a?b#c")); // "http://example.com:8080/a?b"
 * ```
 */
export function absoluteTarget(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
}

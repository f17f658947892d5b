/**
 * Opening a tunnel through an HTTP proxy: `CONNECT host:port` sent and its
 * answer read by the protocol core, the proxy's credentials added to that
 * request only. A 2xx answer leaves a raw byte stream to the target.
 */
import {
  ClientConnection,
  type HeaderList,
  Headers,
  NEED_DATA,
  ProtocolError,
} from "@reqivo/protocol";
import type { Connection } from "@reqivo/transport";
import type { ProxyEndpoint } from "./config.ts";
import { ProxyError } from "./errors.ts";

// Interim (1xx) answers tolerated before the real one: a proxy sending more is broken or hostile.
const MAX_INTERIM = 16;

/**
 * Sends `CONNECT authority` on `connection` (open to the proxy) and resolves
 * with the bytes that followed the 2xx head once the tunnel is up. A non-2xx
 * answer throws ProxyError (`PROXY_AUTH_REQUIRED` for 407, else
 * `PROXY_TUNNEL_FAILED`) with the proxy's status and headers; an answer that
 * is not HTTP, or none, throws `PROXY_PROTOCOL_ERROR`. The caller closes the
 * connection on failure.
 *
 * @example
 * ```ts
 * const rest = await openHttpTunnel(connection, endpoint, "example.com:443");
 * ```
 */
export async function openHttpTunnel(
  connection: Connection,
  endpoint: ProxyEndpoint,
  authority: string,
): Promise<Uint8Array> {
  const http = new ClientConnection();
  const headers: HeaderList = [["host", authority], ...endpoint.headers];
  if (endpoint.authorization !== undefined)
    headers.push(["proxy-authorization", endpoint.authorization]);
  const head = http.send({ type: "request", method: "CONNECT", target: authority, headers });
  const end = http.send({ type: "end" });
  await connection.write(head);
  if (end.length > 0) await connection.write(end);
  const proxy = endpoint.href;
  for (let interim = 0; ; ) {
    let event: ReturnType<ClientConnection["nextEvent"]>;
    try {
      event = http.nextEvent();
    } catch (cause) {
      if (!(cause instanceof ProtocolError)) throw cause;
      throw new ProxyError(
        "PROXY_PROTOCOL_ERROR",
        `proxy ${proxy} did not answer CONNECT ${authority} with HTTP: ${cause.message}`,
        { proxy, cause },
      );
    }
    if (event === NEED_DATA) {
      http.receiveData(await connection.read());
      continue;
    }
    if (event.type === "upgrade") return event.trailing;
    if (event.type === "response") {
      const { status, reason } = event;
      throw new ProxyError(
        status === 407 ? "PROXY_AUTH_REQUIRED" : "PROXY_TUNNEL_FAILED",
        `proxy ${proxy} answered CONNECT ${authority} with ${status} ${reason}`.trimEnd(),
        { proxy, status, headers: new Headers(event.headers) },
      );
    }
    if (++interim > MAX_INTERIM)
      throw new ProxyError(
        "PROXY_PROTOCOL_ERROR",
        `proxy ${proxy} sent more than ${MAX_INTERIM} interim answers to CONNECT`,
        { proxy },
      );
  }
}

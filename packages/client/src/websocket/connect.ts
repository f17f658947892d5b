/**
 * Opening a WebSocket: resolve the URL, gather the handshake headers, connect a
 * fresh transport connection (never a pooled one: it stops speaking HTTP), send
 * the upgrade through the HTTP core, check the 101, and hand the connection
 * and the bytes after the 101 head to the RFC 6455 core.
 */
import {
  buildHandshakeRequest,
  ClientConnection,
  type ClientReceiveEvent,
  type HeaderList,
  Headers,
  NEED_DATA,
  ProtocolError,
  validateHandshakeResponse,
  WebSocketConnection,
  type WebSocketHandshake,
} from "@reqivo/protocol";
import type { Connection, ConnectOptions, LookupFunction, Transport } from "@reqivo/transport";
import { isIpAddress } from "@reqivo/transport/kit";
import { AbortError, InvalidRequestError, SessionClosedError } from "../errors.ts";
import { headerPairs, mergeHeaders, type TimeoutOptions } from "../options.ts";
import { dial } from "../proxy/dial.ts";
import { proxiedHeaders } from "../proxy/headers.ts";
import { ProxyRoutes } from "../proxy/routes.ts";
import { type RequestTarget, unixTarget } from "../resolve-url.ts";
import type { ClientTlsOptions } from "../tls-settings.ts";
import { deflateOffer, loadDeflate, ZlibDeflateCodec } from "./deflate.ts";
import { WebSocketError } from "./errors.ts";
import { resolveWebSocketOptions, type WebSocketOptions } from "./options.ts";
import { registerWebSocket, trackWebSocket } from "./registry.ts";
import { WebSocketClient } from "./socket.ts";

/**
 * What a Session lends to a WebSocket it opens (built by `session.websocket()`).
 *
 * @example
 * ```ts
 * const context: WebSocketSessionContext = {
 *   transport, closed: false, baseUrl: undefined, headers: [["user-agent", "reqivo"]],
 *   tls: undefined, socketPath: undefined, timeout: {},
 * };
 * const ws = await openWebSocket(context, "ws://127.0.0.1:8080/");
 * ```
 */
export interface WebSocketSessionContext {
  transport: Transport;
  /** The session was closed: refuse to open. */
  closed: boolean;
  baseUrl: URL | undefined;
  /** The session's default headers. */
  headers: HeaderList;
  tls: ClientTlsOptions | undefined;
  socketPath: string | undefined;
  timeout: TimeoutOptions;
  /** The session's name resolution: the lookup for a host (`undefined`: the transport's own). */
  lookupFor?: (hostname: string) => LookupFunction | undefined;
  /** Milliseconds between happy-eyeballs attempts (the session's `dns.happyEyeballsDelay`). */
  happyEyeballsDelay?: number;
  /** The session's proxies (a WebSocket always goes through a `CONNECT` or SOCKS5 tunnel). */
  proxies?: ProxyRoutes;
  /**
   * Cookies and credentials: returns `headers` merged over the session's
   * defaults plus the jar's `Cookie` and an `Authorization` for `url`
   * (Session wires its `SESSION_INTERNALS().credentialHeaders` here).
   * Without it, only the defaults and `headers` are sent.
   */
  credentialHeaders?: (url: URL, headers: HeaderList) => Promise<HeaderList>;
  /** Stores the `Set-Cookie` fields of the handshake's answer (101 or not). */
  storeCookies?: (url: URL, headers: Headers) => Promise<void>;
  /**
   * What the socket is registered under for `closeWebSockets(owner)` (what
   * `session.close()` calls). Default: `headers`, the session's own list.
   */
  owner?: object;
}

// Set by the handshake itself; a session default of these names is left out.
const RESERVED = new Set([
  "host",
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-protocol",
  "sec-websocket-extensions",
  "content-length",
  "transfer-encoding",
]);

/**
 * Every extra header of a WebSocket handshake, gathered in one place: the
 * session's default headers, its cookies for `url` and its credentials
 * (`context.credentialHeaders`: the jar, basic/bearer auth, `user:pass@` in
 * the URL), and the call's `headers`, which win over the session's. The
 * handshake's own headers (`Host`, `Upgrade`, `Connection`, `Sec-WebSocket-*`)
 * are set by the protocol core: giving one in `headers` is an
 * InvalidRequestError, and session defaults of those names are left out.
 *
 * @example
 * ```ts
 * const headers = await handshakeHeaders(context, new URL("http://127.0.0.1:8080/chat"), {
 *   headers: { "x-room": "1" },
 * });
 * ```
 */
export async function handshakeHeaders(
  context: WebSocketSessionContext,
  url: URL,
  options: Pick<WebSocketOptions, "headers">,
): Promise<HeaderList> {
  const own = headerPairs(options.headers);
  for (const [name] of own) {
    if (RESERVED.has(name.toLowerCase())) {
      throw new InvalidRequestError(`header ${name} is set by the WebSocket handshake`);
    }
  }
  const all =
    context.credentialHeaders === undefined
      ? mergeHeaders(context.headers, own)
      : await context.credentialHeaders(url, own);
  return all.filter(([name]) => !RESERVED.has(name.toLowerCase()));
}

/**
 * Resolves a WebSocket URL and gives it the HTTP scheme it is connected with:
 * `ws:` becomes `http:`, `wss:` becomes `https:`; `http:`/`https:` are kept.
 * The fragment is dropped.
 *
 * @example
 * ```ts
 * websocketHttpUrl("wss://example.com/chat").href; // "https://example.com/chat"
 * ```
 */
export function websocketHttpUrl(input: string | URL, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch (cause) {
    throw new InvalidRequestError(`invalid URL ${JSON.stringify(String(input))}`, { cause });
  }
  if (url.protocol === "ws:") url.protocol = "http:";
  else if (url.protocol === "wss:") url.protocol = "https:";
  else if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidRequestError(`unsupported WebSocket URL scheme ${url.protocol}`);
  }
  url.hash = "";
  return url;
}

/** {@link websocketHttpUrl}, or a `ws+unix:`/`wss+unix:` URL's `http(s)://localhost/…` and socket. */
function websocketTarget(input: string | URL, base: URL | undefined): RequestTarget {
  let parsed: URL | undefined;
  try {
    parsed = new URL(input, base);
  } catch {
    // websocketHttpUrl says why.
  }
  const unix = parsed === undefined ? undefined : unixTarget(parsed, true);
  if (unix === undefined) return { url: websocketHttpUrl(input, base), socketPath: undefined };
  unix.url.hash = "";
  return unix;
}

function wsUrl(url: URL): string {
  const out = new URL(url.href);
  out.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return out.href;
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function handshakeFailed(cause: unknown): WebSocketError {
  return new WebSocketError(
    "HANDSHAKE_FAILED",
    `WebSocket handshake failed: ${(cause as Error).message}`,
    { cause },
  );
}

/** Reads the answer to the upgrade request: the 101 event, or a HANDSHAKE_FAILED error. */
async function readAnswer(
  http: ClientConnection,
  connection: Connection,
  url: URL,
  context: WebSocketSessionContext,
): Promise<Extract<ClientReceiveEvent, { type: "upgrade" }>> {
  for (;;) {
    let event: ReturnType<ClientConnection["nextEvent"]>;
    try {
      event = http.nextEvent();
    } catch (error) {
      throw error instanceof ProtocolError ? handshakeFailed(error) : error;
    }
    if (event === NEED_DATA) {
      http.receiveData(await connection.read());
      continue;
    }
    if (event.type === "upgrade") {
      await context.storeCookies?.(url, new Headers(event.headers));
      return event;
    }
    if (event.type === "response") {
      const headers = new Headers(event.headers);
      await context.storeCookies?.(url, headers);
      throw new WebSocketError(
        "HANDSHAKE_FAILED",
        `WebSocket handshake failed: the server answered ${event.status} ${event.reason}`,
        { status: event.status, headers },
      );
    }
    // 1xx interim answers are skipped; nothing else comes before the head.
  }
}

/**
 * Opens a WebSocket for a session (what `session.websocket()` calls).
 *
 * @example
 * ```ts
 * const ws = await openWebSocket(context, "ws://127.0.0.1:8080/echo", { protocols: ["chat"] });
 * ```
 */
export async function openWebSocket(
  context: WebSocketSessionContext,
  input: string | URL,
  options: WebSocketOptions = {},
): Promise<WebSocketClient> {
  const settings = resolveWebSocketOptions(options, context.timeout);
  const { url, socketPath: urlSocket } = websocketTarget(input, context.baseUrl);
  const socketPath = urlSocket ?? context.socketPath;
  if (context.closed) throw new SessionClosedError();
  const signal = options.signal;
  if (signal?.aborted) throw new AbortError(signal.reason);
  const support = settings.compress === null ? null : await loadDeflate();
  const https = url.protocol === "https:";
  const port = url.port === "" ? (https ? 443 : 80) : Number(url.port);
  const proxies =
    context.proxies ?? (options.proxy === undefined ? undefined : new ProxyRoutes(undefined));
  const route =
    socketPath === undefined ? proxies?.route(url, port, options.proxy, true) : undefined;
  const gathered = await handshakeHeaders(context, url, options);
  const headers = route === undefined ? gathered : proxiedHeaders(route, gathered);
  let handshake: WebSocketHandshake;
  try {
    handshake = buildHandshakeRequest({
      target: `${url.pathname}${url.search}`,
      host: url.host,
      protocols: settings.protocols,
      perMessageDeflate:
        support !== null && settings.compress !== null
          ? deflateOffer(settings.compress, support)
          : false,
      origin: options.origin,
      headers,
    });
  } catch (cause) {
    throw new InvalidRequestError((cause as Error).message, { cause });
  }

  const connect: ConnectOptions =
    socketPath === undefined ? { host: url.hostname, port } : { path: socketPath };
  if (https) {
    connect.tls = { ...context.tls };
    // Over a socket there is no host to default to: check the name the URL gives.
    if (
      socketPath !== undefined &&
      connect.tls.servername === undefined &&
      !isIpAddress(url.hostname)
    )
      connect.tls.servername = url.hostname;
  }
  if (socketPath === undefined) {
    // Through a proxy, only the proxy's name is resolved here.
    const lookup = context.lookupFor?.(route?.endpoint.hostname ?? url.hostname);
    if (lookup !== undefined) connect.lookup = lookup;
    if (context.happyEyeballsDelay !== undefined)
      connect.happyEyeballsDelay = context.happyEyeballsDelay;
  }
  if (settings.connectTimeout !== undefined) connect.connectTimeout = settings.connectTimeout;
  // Aborting it ends the handshake and, later, the open connection.
  const controller = new AbortController();
  connect.signal = controller.signal;
  const onAbort = () => controller.abort(new AbortError(signal?.reason));
  signal?.addEventListener("abort", onAbort, { once: true });
  // session.close() while the handshake runs aborts it.
  const owner = context.owner ?? context.headers;
  const unregister = registerWebSocket(owner, async () => {
    controller.abort(new SessionClosedError());
  });
  const limit = settings.handshakeTimeout;
  const timer =
    limit === undefined
      ? undefined
      : setTimeout(
          () =>
            controller.abort(
              new WebSocketError("HANDSHAKE_TIMEOUT", `no WebSocket handshake within ${limit} ms`),
            ),
          limit,
        );
  let connection: Connection | undefined;
  try {
    connection = await dial(context.transport, connect, route);
    const http = new ClientConnection();
    const head = http.send(handshake.request);
    await connection.write(joined(head, http.send({ type: "end" })));
    const upgrade = await readAnswer(http, connection, url, context);
    let agreed: ReturnType<typeof validateHandshakeResponse>;
    try {
      agreed = validateHandshakeResponse(handshake, upgrade);
    } catch (error) {
      throw handshakeFailed(error);
    }
    const codec =
      agreed.perMessageDeflate !== null && support !== null
        ? new ZlibDeflateCodec(support, agreed.perMessageDeflate)
        : undefined;
    const core = new WebSocketConnection({
      role: "client",
      maxMessageSize: settings.maxMessageSize,
      autoPong: true,
      perMessageDeflate: codec,
    });
    // Frames the server sent right behind its 101 came in the same read.
    if (upgrade.trailing.length > 0) core.receiveData(upgrade.trailing);
    controller.signal.throwIfAborted();
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    unregister();
    const client = new WebSocketClient({
      url: wsUrl(url),
      connection,
      core,
      controller,
      signal,
      protocol: agreed.protocol ?? "",
      extensions: new Headers(upgrade.headers).getAll("sec-websocket-extensions").join(", "),
      closeTimeout: settings.closeTimeout,
      pingInterval: settings.pingInterval,
      highWaterMark: settings.highWaterMark,
      compressThreshold: codec?.canCompress ? settings.threshold : null,
    });
    trackWebSocket(owner, client);
    return client;
  } catch (error) {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    unregister();
    connection?.close();
    throw controller.signal.aborted ? controller.signal.reason : error;
  }
}

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
import type { Connection } from "@reqivo/transport";
import { takeUrlCredentials } from "../auth.ts";
import { sessionDefaultsFor } from "../base-origin.ts";
import { concatBytes } from "../connection/bytes.ts";
import { requestTargets } from "../connection/origin-targets.ts";
import { proxiedHeaders } from "../connection/proxy/headers.ts";
import { AbortError, InvalidRequestError, SessionClosedError } from "../errors.ts";
import { headerPairs, mergeHeaders } from "../header-input.ts";
import { credentialsFor } from "../middleware/auth.ts";
import { cookieJar } from "../middleware/cookies.ts";
import { compose, type Handler, type OutgoingRequest } from "../middleware.ts";
import type { SessionState } from "../request-context.ts";
import { type RequestTarget, unixTarget } from "../resolve-url.ts";
import { Response } from "../response.ts";
import { type DeflateSupport, deflateOffer, loadDeflate, ZlibDeflateCodec } from "./deflate.ts";
import { WebSocketError } from "./errors.ts";
import {
  type ResolvedWebSocketOptions,
  resolveWebSocketOptions,
  type WebSocketOptions,
} from "./options.ts";
import { WebSocketClient } from "./socket.ts";

type Closer = () => Promise<unknown>;

/**
 * The WebSockets a Session has open or is opening: `session.close()` closes
 * them (a handshake under way is aborted).
 *
 * @example
 * ```ts
 * const sockets = new OpenWebSockets();
 * const forget = sockets.add(async () => undefined);
 * forget();
 * await sockets.closeAll();
 * ```
 */
export class OpenWebSockets {
  readonly #closers = new Set<Closer>();

  /** Adds a way to close one; returns what forgets it. */
  add(close: Closer): () => void {
    this.#closers.add(close);
    return () => {
      this.#closers.delete(close);
    };
  }

  /** Closes `ws` with the others (1001 going away), and forgets it once it closed. */
  track(ws: WebSocketClient): void {
    const forget = this.add(() => ws.close(1001, "going away"));
    void ws.closed.then(forget);
  }

  /** Closes every one; failures are ignored. */
  async closeAll(): Promise<void> {
    if (this.#closers.size === 0) return;
    const closers = [...this.#closers];
    this.#closers.clear();
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
  }
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
 * The handshake's extra headers before cookies and credentials: the
 * session's defaults and the call's `headers`, which win. The handshake's own
 * headers (`Host`, `Upgrade`, `Connection`, `Sec-WebSocket-*`) are set by
 * the protocol core: giving one in `headers` is an InvalidRequestError, and
 * session defaults of those names are left out.
 */
function handshakeHeaders(
  defaults: HeaderList,
  options: Pick<WebSocketOptions, "headers">,
): HeaderList {
  const own = headerPairs(options.headers);
  for (const [name] of own) {
    if (RESERVED.has(name.toLowerCase())) {
      throw new InvalidRequestError(`header ${name} is set by the WebSocket handshake`);
    }
  }
  return mergeHeaders(defaults, own).filter(([name]) => !RESERVED.has(name.toLowerCase()));
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

function handshakeFailed(cause: unknown): WebSocketError {
  return new WebSocketError(
    "HANDSHAKE_FAILED",
    `WebSocket handshake failed: ${(cause as Error).message}`,
    { cause },
  );
}

type Answer = Extract<ClientReceiveEvent, { type: "upgrade" } | { type: "response" }>;

/** Reads the answer to the upgrade request: the 101 (`upgrade`) or another final response. */
async function readAnswer(http: ClientConnection, connection: Connection): Promise<Answer> {
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
    if (event.type === "upgrade" || event.type === "response") return event;
    // 1xx interim answers are skipped; nothing else comes before the head.
  }
}

/** A handshake that was answered with 101: its connection, what was offered, and the answer. */
interface Upgraded {
  connection: Connection;
  handshake: WebSocketHandshake;
  upgrade: Extract<ClientReceiveEvent, { type: "upgrade" }>;
}

/**
 * The innermost handler of a handshake: a fresh connection to the request's
 * target (never a pooled one: it stops speaking HTTP), the upgrade request
 * sent through the HTTP core, and its answer as a Response. A 101 leaves its
 * connection in `opened`; any other answer closes it.
 */
function handshakeHandler(
  state: SessionState,
  targets: ReturnType<typeof requestTargets>,
  settings: ResolvedWebSocketOptions,
  options: WebSocketOptions,
  support: DeflateSupport | null,
  controller: AbortController,
  opened: { current: Upgraded | undefined },
): Handler {
  return async (request) => {
    const { url } = request;
    const target = targets.websocket(url);
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
        headers:
          target.route === undefined
            ? request.headers
            : proxiedHeaders(target.route, request.headers),
      });
    } catch (cause) {
      throw new InvalidRequestError((cause as Error).message, { cause });
    }
    const timeouts = { connect: settings.connectTimeout };
    const connection = await targets.open(state.pool.transport, target, timeouts, controller);
    try {
      const http = new ClientConnection();
      const head = http.send(handshake.request);
      await connection.write(concatBytes([head, http.send({ type: "end" })]));
      const answer = await readAnswer(http, connection);
      const headers = new Headers(answer.headers);
      if (answer.type === "upgrade") {
        opened.current = { connection, handshake, upgrade: answer };
        return Response.of("", {
          status: 101,
          statusText: "Switching Protocols",
          headers,
          url: url.href,
        });
      }
      connection.close();
      return Response.of("", {
        status: answer.status,
        statusText: answer.reason,
        headers,
        url: url.href,
      });
    } catch (error) {
      connection.close();
      throw error;
    }
  };
}

/**
 * Opens a WebSocket for a session (what `session.websocket()` calls). The
 * handshake goes the way of a request: the session's targets (TLS settings,
 * socket, DNS, proxy: always a tunnel), its credentials (Digest included)
 * and its cookie jar, as middleware around the handshake.
 *
 * @example
 * ```ts
 * const ws = await openWebSocket(state, sockets, "ws://127.0.0.1:8080/echo", { protocols: ["chat"] });
 * ```
 */
export async function openWebSocket(
  state: SessionState,
  sockets: OpenWebSockets,
  input: string | URL,
  options: WebSocketOptions = {},
): Promise<WebSocketClient> {
  const settings = resolveWebSocketOptions(options, state.timeout);
  const { url, socketPath } = websocketTarget(input, state.baseUrl);
  if (state.pool.closed) throw new SessionClosedError();
  const signal = options.signal;
  if (signal?.aborted) throw new AbortError(signal.reason);
  const support = settings.compress === null ? null : await loadDeflate();
  const targets = requestTargets(state, undefined, socketPath, options.proxy);
  // Credentials written into the URL are used as a request's are; the socket's `url` keeps them, as it always did.
  const asked = new URL(url.href);
  const fromUrl = takeUrlCredentials(asked);
  // The session's auth and credential headers go only to its baseUrl origin, as a request's do.
  const defaults = sessionDefaultsFor(state, asked, state.redirect.sensitiveHeaders);
  const first: OutgoingRequest = {
    url: asked,
    method: "GET",
    headers: handshakeHeaders(defaults.headers, options),
    body: null,
  };
  // Aborting it ends the handshake and, later, the open connection.
  const controller = new AbortController();
  const onAbort = () => controller.abort(new AbortError(signal?.reason));
  signal?.addEventListener("abort", onAbort, { once: true });
  // session.close() while the handshake runs aborts it.
  const forget = sockets.add(async () => {
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
  const opened: { current: Upgraded | undefined } = { current: undefined };
  try {
    const send = compose(
      [credentialsFor(state, fromUrl ?? defaults.auth, asked), cookieJar(state.cookies, asked)],
      handshakeHandler(state, targets, settings, options, support, controller, opened),
    );
    const response = await send(first);
    const upgraded = opened.current;
    if (response.status !== 101 || upgraded === undefined) {
      throw new WebSocketError(
        "HANDSHAKE_FAILED",
        `WebSocket handshake failed: the server answered ${response.status} ${response.statusText}`,
        { status: response.status, headers: response.headers },
      );
    }
    const { connection, handshake, upgrade } = upgraded;
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
    forget();
    const client = new WebSocketClient({
      url: wsUrl(url),
      connection,
      core,
      controller,
      signal,
      protocol: agreed.protocol ?? "",
      extensions: response.headers.getAll("sec-websocket-extensions").join(", "),
      closeTimeout: settings.closeTimeout,
      pingInterval: settings.pingInterval,
      highWaterMark: settings.highWaterMark,
      compressThreshold: codec?.canCompress ? settings.threshold : null,
    });
    sockets.track(client);
    return client;
  } catch (error) {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    forget();
    opened.current?.connection.close();
    throw controller.signal.aborted ? controller.signal.reason : error;
  }
}

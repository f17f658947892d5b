/**
 * A WHATWG-compatible `WebSocket` (the browser API) on top of
 * `session.websocket()`: same constructor, readyState constants, events,
 * `binaryType`, `bufferedAmount`, `send` and `close` rules, so code written
 * for the browser's WebSocket runs unchanged over a Reqivo session.
 */
import type { Session } from "../session.ts";
import type { WebSocketOptions } from "./options.ts";
import type { WebSocketClient, WebSocketCloseInfo, WebSocketMessage } from "./socket.ts";

const encoder = new TextEncoder();

interface CloseEventInit extends EventInit {
  code?: number;
  reason?: string;
  wasClean?: boolean;
}

/** `CloseEvent` where the runtime has none (Node 20). */
class CloseEventShim extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(type: string, init: CloseEventInit = {}) {
    super(type, init);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? "";
    this.wasClean = init.wasClean ?? false;
  }
}

/** `MessageEvent` where the runtime has none. */
class MessageEventShim extends Event {
  readonly data: unknown;
  readonly origin: string;
  readonly lastEventId = "";
  readonly source = null;
  readonly ports: readonly unknown[] = [];
  constructor(type: string, init: { data?: unknown; origin?: string } = {}) {
    super(type);
    this.data = init.data;
    this.origin = init.origin ?? "";
  }
}

const globals = globalThis as {
  CloseEvent?: new (type: string, init?: CloseEventInit) => Event;
  MessageEvent?: new (type: string, init?: { data?: unknown; origin?: string }) => Event;
};
const CloseEventClass = globals.CloseEvent ?? CloseEventShim;
const MessageEventClass = globals.MessageEvent ?? MessageEventShim;

function domError(message: string, name: string): Error {
  return typeof DOMException === "function"
    ? new DOMException(message, name)
    : Object.assign(new Error(message), { name });
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function parseUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw domError(`invalid URL ${JSON.stringify(String(input))}`, "SyntaxError");
  }
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw domError(`unsupported scheme ${url.protocol}`, "SyntaxError");
  }
  if (url.hash !== "") throw domError("a WebSocket URL cannot have a fragment", "SyntaxError");
  return url;
}

function byteLength(data: unknown): number {
  if (typeof data === "string") return encoder.encode(data).length;
  if (typeof Blob !== "undefined" && data instanceof Blob) return data.size;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/** Options of {@link ReqivoWebSocket} beyond the WHATWG arguments. */
export interface ReqivoWebSocketInit {
  /** The session that opens the connection. */
  session: Session;
  /** Options for `session.websocket()` (protocols and signal are set by the class). */
  defaults?: WebSocketOptions;
}

/**
 * The events a {@link ReqivoWebSocket} dispatches and their types: the
 * runtime's `MessageEvent` and `CloseEvent` (a `CloseEvent`-shaped subclass of
 * `Event` on runtimes without one, such as Node 20).
 *
 * @example
 * ```ts
 * import type { ReqivoWebSocketEventMap } from "@reqivo/client";
 * const onClose = (event: ReqivoWebSocketEventMap["close"]) => console.log(event.code, event.wasClean);
 * ```
 */
export interface ReqivoWebSocketEventMap {
  open: Event;
  message: MessageEvent;
  error: Event;
  close: CloseEvent;
}

/** An `on…` event handler property's value. */
type Handler<E extends Event> = ((this: ReqivoWebSocket, event: E) => unknown) | null;
type AnyHandler = ((this: ReqivoWebSocket, event: Event) => unknown) | null;
type Listener<K extends keyof ReqivoWebSocketEventMap> = (
  this: ReqivoWebSocket,
  event: ReqivoWebSocketEventMap[K],
) => unknown;
type BinaryType = "blob" | "arraybuffer";

/**
 * The WHATWG `WebSocket` interface over a Reqivo session. Normally obtained
 * from {@link createWebSocketClass} (or `WebSocket` of `@reqivo/node`,
 * `@reqivo/deno`, `@reqivo/bun`), whose constructor is the browser's
 * `(url, protocols?)`; constructed directly it needs `{ session }` as a third argument.
 *
 * @example
 * ```ts
 * const WebSocket = createWebSocketClass(session);
 * const ws = new WebSocket("ws://127.0.0.1:8080/echo", ["chat"]);
 * ws.binaryType = "arraybuffer";
 * ws.onopen = () => ws.send("hello");
 * ws.onmessage = (event) => { console.log(event.data); ws.close(1000, "bye"); };
 * ws.onclose = (event) => console.log(event.code, event.wasClean);
 * ```
 */
export class ReqivoWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  /** The URL, with a `ws:` or `wss:` scheme. */
  readonly url: string;
  #readyState = 0;
  #protocol = "";
  #extensions = "";
  #binaryType: BinaryType = "blob";
  #bufferedAmount = 0;
  #client: WebSocketClient | undefined;
  #pending: Promise<unknown> = Promise.resolve();
  readonly #controller = new AbortController();
  readonly #handlers = new Map<string, { handler: AnyHandler; listener: (event: Event) => void }>();

  constructor(url: string | URL, protocols?: string | string[], init?: ReqivoWebSocketInit) {
    super();
    const parsed = parseUrl(url);
    const list =
      protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : [...protocols];
    if (list.some((p) => !TOKEN.test(p)) || new Set(list).size !== list.length) {
      throw domError("invalid or repeated subprotocol", "SyntaxError");
    }
    if (init?.session === undefined) {
      throw new TypeError("this WebSocket needs a session: use createWebSocketClass(session)");
    }
    this.url = parsed.href;
    init.session
      .websocket(parsed, { ...init.defaults, protocols: list, signal: this.#controller.signal })
      .then(
        (client) => this.#opened(client),
        () => this.#failed(),
      );
  }

  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  get readyState(): number {
    return this.#readyState;
  }
  /** Bytes passed to `send()` not yet handed to the transport. */
  get bufferedAmount(): number {
    return this.#bufferedAmount;
  }
  /** The subprotocol the server selected, or `""`. */
  get protocol(): string {
    return this.#protocol;
  }
  /** The extensions the server accepted, or `""`. */
  get extensions(): string {
    return this.#extensions;
  }
  /** How binary messages are delivered: `"blob"` (default) or `"arraybuffer"`. */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }
  set binaryType(value: BinaryType) {
    if (value === "blob" || value === "arraybuffer") this.#binaryType = value;
  }

  get onopen(): Handler<Event> {
    return this.#handler("open");
  }
  set onopen(handler: Handler<Event>) {
    this.#setHandler("open", handler);
  }
  get onmessage(): Handler<MessageEvent> {
    return this.#handler("message");
  }
  set onmessage(handler: Handler<MessageEvent>) {
    this.#setHandler("message", handler as AnyHandler);
  }
  get onerror(): Handler<Event> {
    return this.#handler("error");
  }
  set onerror(handler: Handler<Event>) {
    this.#setHandler("error", handler);
  }
  get onclose(): Handler<CloseEvent> {
    return this.#handler("close");
  }
  set onclose(handler: Handler<CloseEvent>) {
    this.#setHandler("close", handler as AnyHandler);
  }

  /**
   * `EventTarget.addEventListener`, with the listener typed by event name
   * (`message`: MessageEvent, `close`: CloseEvent, `open`/`error`: Event).
   *
   * @example
   * ```ts
   * const WebSocket = createWebSocketClass(session);
   * const ws = new WebSocket("ws://127.0.0.1:8080/echo");
   * ws.addEventListener("message", (event) => console.log(event.data));
   * ws.addEventListener("close", (event) => console.log(event.code, event.reason));
   * ```
   */
  override addEventListener<K extends keyof ReqivoWebSocketEventMap>(
    type: K,
    listener: Listener<K>,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | Listener<"message"> | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  /** `EventTarget.removeEventListener`, typed like {@link addEventListener}. */
  override removeEventListener<K extends keyof ReqivoWebSocketEventMap>(
    type: K,
    listener: Listener<K>,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | Listener<"message"> | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  /**
   * Queues a message (string: text; Blob, ArrayBuffer or a view: binary).
   * Throws InvalidStateError while connecting; after close it is silently
   * dropped, as the standard says.
   */
  send(data: string | Blob | ArrayBuffer | ArrayBufferView): void {
    if (this.#readyState === 0)
      throw domError("the WebSocket is still connecting", "InvalidStateError");
    const payload =
      typeof data === "string" ||
      data instanceof ArrayBuffer ||
      ArrayBuffer.isView(data) ||
      (typeof Blob !== "undefined" && data instanceof Blob)
        ? data
        : String(data);
    const size = byteLength(payload);
    this.#bufferedAmount += size;
    if (this.#readyState !== 1 || this.#client === undefined) return;
    const sent = this.#client.send(payload).then(
      () => {
        this.#bufferedAmount -= size;
      },
      () => undefined,
    );
    this.#pending = sent;
  }

  /**
   * Starts the closing handshake. `code` must be 1000 or 3000-4999
   * (InvalidAccessError), `reason` at most 123 UTF-8 bytes (SyntaxError).
   */
  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw domError(`close code ${code} may not be used`, "InvalidAccessError");
    }
    if (reason !== undefined && encoder.encode(reason).length > 123) {
      throw domError("close reason longer than 123 bytes", "SyntaxError");
    }
    if (this.#readyState === 2 || this.#readyState === 3) return;
    if (this.#readyState === 0) {
      this.#readyState = 2;
      this.#controller.abort(); // fails the connection: error, then close with 1006
      return;
    }
    this.#readyState = 2;
    const client = this.#client!;
    // Messages already queued (a Blob being read) go out before the close frame.
    void this.#pending.then(() => client.close(code, reason));
  }

  #opened(client: WebSocketClient): void {
    this.#client = client;
    client.closed.then((info) => this.#closed(info));
    if (this.#readyState !== 0) {
      client.terminate(); // close() was called while connecting
      return;
    }
    this.#readyState = 1;
    this.#protocol = client.protocol;
    this.#extensions = client.extensions;
    this.dispatchEvent(new Event("open"));
    // Attached after `open`: messages that came with the 101 follow it.
    client.on("message", (data, isBinary) => this.#message(data, isBinary));
  }

  #failed(): void {
    this.#readyState = 3;
    this.dispatchEvent(new Event("error"));
    this.dispatchEvent(new CloseEventClass("close", { code: 1006, reason: "", wasClean: false }));
  }

  #message(data: WebSocketMessage, isBinary: boolean): void {
    if (this.#readyState !== 1 && this.#readyState !== 2) return;
    let value: unknown = data;
    if (isBinary) {
      const bytes = data as Uint8Array;
      if (this.#binaryType === "blob") value = new Blob([bytes as Uint8Array<ArrayBuffer>]);
      else
        value =
          bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
            ? bytes.buffer
            : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    }
    this.dispatchEvent(
      new MessageEventClass("message", { data: value, origin: new URL(this.url).origin }),
    );
  }

  #closed(info: WebSocketCloseInfo): void {
    const wasOpen = this.#readyState !== 3;
    this.#readyState = 3;
    if (!wasOpen) return;
    const code = info.error === undefined ? info.code : 1006;
    const failed =
      info.error !== undefined && (info.error as { code?: unknown }).code !== "CLOSE_TIMEOUT";
    if (failed) this.dispatchEvent(new Event("error"));
    this.dispatchEvent(
      new CloseEventClass("close", { code, reason: info.reason, wasClean: info.wasClean }),
    );
  }

  // biome-ignore lint/suspicious/noExplicitAny: a handler is stored untyped and handed back as its property's type
  #handler(type: string): any {
    return this.#handlers.get(type)?.handler ?? null;
  }

  #setHandler(type: string, handler: AnyHandler): void {
    const current = this.#handlers.get(type);
    if (current !== undefined) {
      this.removeEventListener(type, current.listener);
      this.#handlers.delete(type);
    }
    if (typeof handler !== "function") return;
    const listener = (event: Event) => handler.call(this, event);
    this.#handlers.set(type, { handler, listener });
    this.addEventListener(type, listener);
  }
}

/**
 * A `WebSocket` constructor with the browser's signature, bound to a session.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructor } from "@reqivo/client";
 * declare const WebSocket: WebSocketConstructor;
 * new WebSocket("ws://127.0.0.1:8080/", "chat");
 * ```
 */
export type WebSocketConstructor = {
  new (url: string | URL, protocols?: string | string[]): ReqivoWebSocket;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
};

/**
 * Makes a WHATWG `WebSocket` class whose instances connect through `session`
 * (or the session a function returns, looked up at each construction).
 *
 * @example
 * ```ts
 * import { createWebSocketClass, Session } from "@reqivo/client";
 * const WebSocket = createWebSocketClass(new Session({ transport }));
 * const ws = new WebSocket("ws://127.0.0.1:8080/echo");
 * ws.addEventListener("message", (event) => console.log(event.data));
 * ```
 */
export function createWebSocketClass(
  session: Session | (() => Session),
  defaults?: WebSocketOptions,
): WebSocketConstructor {
  const current = typeof session === "function" ? session : () => session;
  return class WebSocket extends ReqivoWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { session: current(), defaults });
    }
  } as unknown as WebSocketConstructor;
}

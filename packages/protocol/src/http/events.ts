import type { HeaderList } from "./headers.ts";

export { NEED_DATA, type NeedData } from "../need-data.ts";

/**
 * A request head, sent by a client (`send`) or received by a server (`nextEvent`).
 *
 * How the body is framed: a `Content-Length` or `Transfer-Encoding` header
 * given by the caller is used as is. Otherwise `contentLength` decides: a
 * number adds `content-length`, `null` (length unknown) adds
 * `transfer-encoding: chunked`. Left out, GET, HEAD, DELETE, OPTIONS, TRACE
 * and CONNECT carry no body and any other method is sent chunked.
 *
 * @example
 * ```ts
 * const req: RequestEvent = { type: "request", method: "POST", target: "/upload",
 *   headers: [["host", "example.com"]], contentLength: 5 };
 * ```
 */
export interface RequestEvent {
  type: "request";
  method: string;
  target: string;
  headers: HeaderList;
  /** Body length when known, `null` when unknown (chunked). Only read by `send`. */
  contentLength?: number | null;
  /** Set on received requests: the HTTP version on the request line. */
  version?: string;
}

/**
 * A 1xx interim response other than 101 (100 Continue, 103 Early Hints, …).
 * Any number of them may precede the final response.
 *
 * @example
 * ```ts
 * // { type: "informational", status: 103, reason: "Early Hints",
 * //   headers: [["Link", "</app.css>; rel=preload"]] }
 * ```
 */
export interface InformationalEvent {
  type: "informational";
  status: number;
  reason: string;
  headers: HeaderList;
  /** Set on received responses: the HTTP version on the status line. */
  version?: string;
}

/**
 * The final response head. On `send` (server role), `contentLength` frames
 * the body as on {@link RequestEvent}.
 *
 * @example
 * ```ts
 * // { type: "response", status: 200, reason: "OK", version: "1.1",
 * //   headers: [["Content-Length", "2"]] }
 * ```
 */
export interface ResponseEvent {
  type: "response";
  status: number;
  reason: string;
  /** The HTTP version on the status line, `"1.1"` or `"1.0"`. */
  version?: string;
  headers: HeaderList;
  /** Body length when known, `null` when unknown. Only read by `send`. */
  contentLength?: number | null;
}

/**
 * A piece of body. Received data is a view into the bytes given to
 * `receiveData`, not a copy: copy it if you keep it after mutating those.
 *
 * @example
 * ```ts
 * const piece: DataEvent = { type: "data", data: new TextEncoder().encode("hello") };
 * ```
 */
export interface DataEvent {
  type: "data";
  data: Uint8Array;
}

/**
 * The end of a message, with its trailer fields (chunked bodies only).
 *
 * @example
 * ```ts
 * const end: EndEvent = { type: "end", trailers: [["x-checksum", "abc"]] };
 * ```
 */
export interface EndEvent {
  type: "end";
  trailers?: HeaderList;
}

/** An {@link EndEvent} as `nextEvent()` returns it: trailers always present (often empty). */
export interface ReceivedEndEvent extends EndEvent {
  trailers: HeaderList;
}

/**
 * The connection stopped speaking HTTP/1.1: a 101 Switching Protocols, or a
 * 2xx answer to CONNECT. `trailing` holds the bytes that followed the head;
 * they belong to the new protocol.
 *
 * @example
 * ```ts
 * // { type: "upgrade", status: 101, reason: "Switching Protocols", version: "1.1",
 * //   headers: [["Upgrade", "websocket"], ...], trailing: Uint8Array [...] }
 * ```
 */
export interface UpgradeEvent {
  type: "upgrade";
  status: number;
  reason: string;
  version: string;
  headers: HeaderList;
  trailing: Uint8Array;
}

/**
 * The peer closed its side while no message was in progress (received), or
 * we close ours (sent: marks the connection as not reusable, produces no bytes).
 *
 * @example
 * ```ts
 * const closed: ClosedEvent = { type: "closed" };
 * ```
 */
export interface ClosedEvent {
  type: "closed";
}

/** What a client may `send`. */
export type ClientSendEvent = RequestEvent | DataEvent | EndEvent | ClosedEvent;

/** What a client's `nextEvent()` returns, besides `NEED_DATA`. */
export type ClientReceiveEvent =
  | InformationalEvent
  | (ResponseEvent & { version: string })
  | DataEvent
  | ReceivedEndEvent
  | UpgradeEvent
  | ClosedEvent;

/** What a server may `send`. */
export type ServerSendEvent =
  | InformationalEvent
  | ResponseEvent
  | DataEvent
  | EndEvent
  | ClosedEvent;

/** What a server's `nextEvent()` returns, besides `NEED_DATA`. */
export type ServerReceiveEvent =
  | (RequestEvent & { version: string })
  | DataEvent
  | ReceivedEndEvent
  | ClosedEvent;

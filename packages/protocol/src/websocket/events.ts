/**
 * Events of the WebSocket connection: what `nextEvent()` returns and what
 * `send()` accepts.
 */

/**
 * A text message, or in streaming mode a piece of one (`fin` marks the last).
 *
 * @example
 * ```ts
 * import type { WebSocketTextEvent } from "@reqivo/protocol";
 * const ev: WebSocketTextEvent = { type: "text", data: "hello" };
 * ```
 */
export interface WebSocketTextEvent {
  type: "text";
  data: string;
  /** Present only in streaming mode: true on the message's last piece. */
  fin?: boolean;
}

/**
 * A binary message, or in streaming mode a piece of one (`fin` marks the last).
 * Received data may be a view into the chunk given to `receiveData`.
 *
 * @example
 * ```ts
 * import type { WebSocketBinaryEvent } from "@reqivo/protocol";
 * const ev: WebSocketBinaryEvent = { type: "binary", data: new Uint8Array([1, 2]) };
 * ```
 */
export interface WebSocketBinaryEvent {
  type: "binary";
  data: Uint8Array;
  /** Present only in streaming mode: true on the message's last piece. */
  fin?: boolean;
}

/**
 * A ping from the peer; answer it with `send({ type: "pong", data })`.
 *
 * @example
 * ```ts
 * import type { WebSocketPingEvent } from "@reqivo/protocol";
 * const ev: WebSocketPingEvent = { type: "ping", data: new Uint8Array() };
 * ```
 */
export interface WebSocketPingEvent {
  type: "ping";
  data: Uint8Array;
}

/**
 * A pong from the peer.
 *
 * @example
 * ```ts
 * import type { WebSocketPongEvent } from "@reqivo/protocol";
 * const ev: WebSocketPongEvent = { type: "pong", data: new Uint8Array() };
 * ```
 */
export interface WebSocketPongEvent {
  type: "pong";
  data: Uint8Array;
}

/**
 * The peer's close frame (code 1005 when it carried none), or 1006 when the
 * byte stream ended without one. Nothing follows it.
 *
 * @example
 * ```ts
 * import type { WebSocketCloseEvent } from "@reqivo/protocol";
 * const ev: WebSocketCloseEvent = { type: "close", code: 1000, reason: "" };
 * ```
 */
export interface WebSocketCloseEvent {
  type: "close";
  code: number;
  reason: string;
}

/**
 * Anything `nextEvent()` returns besides `NEED_DATA`.
 *
 * @example
 * ```ts
 * import type { WebSocketEvent } from "@reqivo/protocol";
 * function isMessage(ev: WebSocketEvent) { return ev.type === "text" || ev.type === "binary"; }
 * ```
 */
export type WebSocketEvent =
  | WebSocketTextEvent
  | WebSocketBinaryEvent
  | WebSocketPingEvent
  | WebSocketPongEvent
  | WebSocketCloseEvent;

/**
 * A message to send. `fin: false` sends it as a fragment: later sends of the
 * same type continue the message until one has `fin` true or absent.
 * `compress: false` skips permessage-deflate for this message (fragments are
 * never compressed).
 *
 * @example
 * ```ts
 * import type { WebSocketSendMessage } from "@reqivo/protocol";
 * const first: WebSocketSendMessage = { type: "text", data: "Hel", fin: false };
 * const last: WebSocketSendMessage = { type: "text", data: "lo" };
 * ```
 */
export type WebSocketSendMessage =
  | { type: "text"; data: string; fin?: boolean; compress?: boolean }
  | { type: "binary"; data: Uint8Array; fin?: boolean; compress?: boolean };

/**
 * Anything `send()` accepts. Ping and pong payloads are at most 125 bytes;
 * a close reason at most 123 bytes of UTF-8, and only with a code.
 *
 * @example
 * ```ts
 * import type { WebSocketSendEvent } from "@reqivo/protocol";
 * const bye: WebSocketSendEvent = { type: "close", code: 1000, reason: "done" };
 * ```
 */
export type WebSocketSendEvent =
  | WebSocketSendMessage
  | { type: "ping"; data?: Uint8Array | string }
  | { type: "pong"; data?: Uint8Array | string }
  | { type: "close"; code?: number; reason?: string };

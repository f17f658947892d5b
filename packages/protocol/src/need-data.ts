/**
 * Returned by `nextEvent()` when no whole event can be produced from the bytes
 * received so far: feed more with `receiveData()`. Shared by the HTTP and
 * WebSocket connections; `Symbol.for` so two copies of the package agree.
 *
 * @example
 * ```ts
 * import { ClientConnection, NEED_DATA } from "@reqivo/protocol";
 * const conn = new ClientConnection();
 * conn.send({ type: "request", method: "GET", target: "/", headers: [["host", "a"]] });
 * conn.send({ type: "end" });
 * conn.nextEvent() === NEED_DATA; // true: nothing received yet
 * ```
 */
export const NEED_DATA: unique symbol = Symbol.for("reqivo.NEED_DATA") as never;

/** The type of {@link NEED_DATA}. */
export type NeedData = typeof NEED_DATA;

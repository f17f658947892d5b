/**
 * States of a client HTTP/2 connection: waiting for the server's SETTINGS
 * (its preface), open, draining after a GOAWAY either way (no new streams),
 * and closed after a connection error.
 *
 * @example
 * ```ts
 * const state: ConnectionState = "goaway_received";
 * ```
 */
export type ConnectionState =
  | "awaiting_preface"
  | "open"
  | "goaway_received"
  | "goaway_sent"
  | "closed";

/**
 * What happens to the connection.
 *
 * @example
 * ```ts
 * const input: ConnectionInput = "recv_settings";
 * ```
 */
export type ConnectionInput =
  | "open_stream"
  | "send_goaway"
  | "recv_settings"
  | "recv_goaway"
  | "recv_frame"
  | "connection_error";

type Row = Partial<Record<ConnectionInput, ConnectionState>>;

const TRANSITIONS: Readonly<Record<ConnectionState, Row>> = {
  // A client may send requests before the server's preface arrives (§3.4).
  awaiting_preface: {
    open_stream: "awaiting_preface",
    send_goaway: "goaway_sent",
    recv_settings: "open",
    connection_error: "closed",
  },
  open: {
    open_stream: "open",
    send_goaway: "goaway_sent",
    recv_settings: "open",
    recv_goaway: "goaway_received",
    recv_frame: "open",
    connection_error: "closed",
  },
  goaway_received: {
    send_goaway: "goaway_received",
    recv_settings: "goaway_received",
    recv_goaway: "goaway_received",
    recv_frame: "goaway_received",
    connection_error: "closed",
  },
  goaway_sent: {
    send_goaway: "goaway_sent",
    recv_settings: "goaway_sent",
    recv_goaway: "goaway_sent",
    recv_frame: "goaway_sent",
    connection_error: "closed",
  },
  closed: { connection_error: "closed", send_goaway: "closed" },
};

/**
 * The state `input` leads to, or `undefined` when the state forbids it:
 * a first frame other than SETTINGS, a new stream after a GOAWAY, anything
 * after a connection error.
 *
 * @example
 * ```ts
 * connectionTransition("awaiting_preface", "recv_settings"); // "open"
 * connectionTransition("goaway_received", "open_stream"); // undefined
 * ```
 */
export function connectionTransition(
  state: ConnectionState,
  input: ConnectionInput,
): ConnectionState | undefined {
  return TRANSITIONS[state][input];
}

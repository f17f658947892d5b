/**
 * States of a client-opened stream (RFC 9113 §5.1). The reserved states are
 * absent: this client disables server push, so no stream is ever reserved.
 *
 * @example
 * ```ts
 * const state: StreamState = "half_closed_local"; // request sent, response pending
 * ```
 */
export type StreamState = "idle" | "open" | "half_closed_local" | "half_closed_remote" | "closed";

/**
 * What happens to a stream: a frame sent or received, END_STREAM as its own
 * input (it follows the HEADERS or DATA that carried it).
 *
 * @example
 * ```ts
 * const input: StreamInput = "recv_end_stream";
 * ```
 */
export type StreamInput =
  | "send_headers"
  | "send_data"
  | "send_end_stream"
  | "send_rst"
  | "recv_headers"
  | "recv_data"
  | "recv_end_stream"
  | "recv_rst"
  | "recv_window_update";

/**
 * The outcome of an input a state does not allow: who is at fault and what
 * the peer is told. `stream` errors reset the stream alone (RST_STREAM),
 * `connection` errors end the connection (GOAWAY), `local` ones are the
 * caller's mistake and send nothing (RFC 9113 §5.4).
 *
 * @example
 * ```ts
 * const refusal: StreamRefusal = { scope: "stream", code: "H2_STREAM_CLOSED" };
 * ```
 */
export interface StreamRefusal {
  scope: "stream" | "connection" | "local";
  code: "H2_STREAM_CLOSED" | "H2_INVALID_STREAM_STATE";
}

type Row = Partial<Record<StreamInput, StreamState>>;

/** Allowed inputs and the state each leads to; anything missing is refused. */
const TRANSITIONS: Readonly<Record<StreamState, Row>> = {
  idle: { send_headers: "open" },
  open: {
    send_headers: "open",
    send_data: "open",
    send_end_stream: "half_closed_local",
    send_rst: "closed",
    recv_headers: "open",
    recv_data: "open",
    recv_end_stream: "half_closed_remote",
    recv_rst: "closed",
    recv_window_update: "open",
  },
  half_closed_local: {
    send_rst: "closed",
    recv_headers: "half_closed_local",
    recv_data: "half_closed_local",
    recv_end_stream: "closed",
    recv_rst: "closed",
    recv_window_update: "half_closed_local",
  },
  half_closed_remote: {
    send_headers: "half_closed_remote",
    send_data: "half_closed_remote",
    send_end_stream: "closed",
    send_rst: "closed",
    recv_rst: "closed",
    recv_window_update: "half_closed_remote",
  },
  // RST_STREAM and WINDOW_UPDATE may cross our own END_STREAM or RST_STREAM
  // on the wire (§5.1, "closed"), so they are allowed; resetting twice is harmless.
  closed: { send_rst: "closed", recv_rst: "closed", recv_window_update: "closed" },
};

/**
 * The state `input` leads to from `state`, or the refusal when RFC 9113 §5.1
 * forbids it: a peer frame on an idle stream is a connection PROTOCOL_ERROR,
 * DATA or HEADERS after the peer's END_STREAM a stream STREAM_CLOSED error,
 * and any send the state forbids the caller's mistake.
 *
 * @example
 * ```ts
 * streamTransition("open", "send_end_stream"); // "half_closed_local"
 * streamTransition("half_closed_remote", "recv_data"); // { scope: "stream", code: "H2_STREAM_CLOSED" }
 * ```
 */
export function streamTransition(
  state: StreamState,
  input: StreamInput,
): StreamState | StreamRefusal {
  const next = TRANSITIONS[state][input];
  if (next !== undefined) return next;
  if (input.startsWith("send_")) return { scope: "local", code: "H2_INVALID_STREAM_STATE" };
  if (state === "idle") return { scope: "connection", code: "H2_INVALID_STREAM_STATE" };
  return { scope: "stream", code: "H2_STREAM_CLOSED" };
}

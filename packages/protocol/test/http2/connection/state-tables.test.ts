// The stream and connection transition tables, cell by cell.
import { describe, expect, it } from "vitest";
import { connectionTransition } from "../../../src/http2/connection/connection-state.ts";
import {
  type StreamInput,
  type StreamState,
  streamTransition,
} from "../../../src/http2/connection/stream-state.ts";

const STATES: StreamState[] = ["idle", "open", "half_closed_local", "half_closed_remote", "closed"];
const INPUTS: StreamInput[] = [
  "send_headers",
  "send_data",
  "send_end_stream",
  "send_rst",
  "recv_headers",
  "recv_data",
  "recv_end_stream",
  "recv_rst",
  "recv_window_update",
];

const STREAM_CLOSED = { scope: "stream", code: "H2_STREAM_CLOSED" };
const LOCAL = { scope: "local", code: "H2_INVALID_STREAM_STATE" };
const CONNECTION = { scope: "connection", code: "H2_INVALID_STREAM_STATE" };

/** RFC 9113 §5.1, written out: one row per state, inputs in the order of INPUTS. */
const EXPECTED: Record<StreamState, unknown[]> = {
  idle: ["open", LOCAL, LOCAL, LOCAL, CONNECTION, CONNECTION, CONNECTION, CONNECTION, CONNECTION],
  open: [
    "open",
    "open",
    "half_closed_local",
    "closed",
    "open",
    "open",
    "half_closed_remote",
    "closed",
    "open",
  ],
  half_closed_local: [
    LOCAL,
    LOCAL,
    LOCAL,
    "closed",
    "half_closed_local",
    "half_closed_local",
    "closed",
    "closed",
    "half_closed_local",
  ],
  half_closed_remote: [
    "half_closed_remote",
    "half_closed_remote",
    "closed",
    "closed",
    STREAM_CLOSED,
    STREAM_CLOSED,
    STREAM_CLOSED,
    "closed",
    "half_closed_remote",
  ],
  closed: [
    LOCAL,
    LOCAL,
    LOCAL,
    "closed",
    STREAM_CLOSED,
    STREAM_CLOSED,
    STREAM_CLOSED,
    "closed",
    "closed",
  ],
};

describe("stream transition table (RFC 9113 §5.1)", () => {
  for (const state of STATES) {
    it(`from ${state}`, () => {
      expect(INPUTS.map((input) => streamTransition(state, input))).toEqual(EXPECTED[state]);
    });
  }

  it("a request and its response walk idle → open → half_closed_local → closed", () => {
    let state: StreamState = "idle";
    for (const input of [
      "send_headers",
      "send_end_stream",
      "recv_headers",
      "recv_data",
      "recv_end_stream",
    ] as const) {
      const next = streamTransition(state, input);
      expect(typeof next).toBe("string");
      state = next as StreamState;
    }
    expect(state).toBe("closed");
  });
});

describe("connection transition table", () => {
  it("waits for the server's SETTINGS, and lets requests go before it", () => {
    expect(connectionTransition("awaiting_preface", "open_stream")).toBe("awaiting_preface");
    expect(connectionTransition("awaiting_preface", "recv_settings")).toBe("open");
    expect(connectionTransition("awaiting_preface", "recv_frame")).toBeUndefined();
    expect(connectionTransition("awaiting_preface", "recv_goaway")).toBeUndefined();
  });

  it("opens no stream after a GOAWAY either way or after an error", () => {
    expect(connectionTransition("open", "recv_goaway")).toBe("goaway_received");
    expect(connectionTransition("open", "send_goaway")).toBe("goaway_sent");
    for (const state of ["goaway_received", "goaway_sent", "closed"] as const) {
      expect(connectionTransition(state, "open_stream")).toBeUndefined();
    }
    expect(connectionTransition("goaway_received", "recv_frame")).toBe("goaway_received");
    expect(connectionTransition("closed", "recv_frame")).toBeUndefined();
    expect(connectionTransition("open", "connection_error")).toBe("closed");
  });
});

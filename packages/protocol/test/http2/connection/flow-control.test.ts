// Flow control both ways: DATA waits for the server's windows; the client's
// windows reopen as the application acknowledges what it consumed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import { HTTP2_ERROR, MAX_STREAM_ID, SETTING } from "../../../src/http2/frames/constants.ts";
import { connected, GET, type SeenFrame } from "./fake-server.ts";

const dataLengths = (frames: SeenFrame[]) =>
  frames.flatMap((f) => (f.type === "data" ? [[f.data.length, f.endStream]] : []));

describe("send side", () => {
  it("holds DATA beyond the stream window until a WINDOW_UPDATE opens it", () => {
    const { client, server } = connected({}, [[SETTING.INITIAL_WINDOW_SIZE, 10]]);
    const id = client.sendHeaders(undefined, [[":method", "POST"], ...GET.slice(1)]);
    client.sendData(id, new Uint8Array(25), { endStream: true });
    expect(dataLengths(server.read(client.dataToSend()))).toEqual([[10, false]]);
    expect(client.queuedLength(id)).toBe(15);
    expect(client.sendWindow(id)).toBe(0);
    expect(client.receiveData(server.writer.windowUpdate(id, 10))).toEqual([
      { type: "window_update", streamId: id, increment: 10 },
    ]);
    expect(dataLengths(server.read(client.dataToSend()))).toEqual([[10, false]]);
    client.receiveData(server.writer.windowUpdate(id, 100));
    expect(dataLengths(server.read(client.dataToSend()))).toEqual([[5, true]]);
    expect(client.streamState(id)).toBe("half_closed_local");
  });

  it("holds DATA beyond the connection window and splits it to the frame size", () => {
    const { client, server } = connected({}, [[SETTING.INITIAL_WINDOW_SIZE, 1 << 20]]);
    const id = client.sendHeaders(undefined, [[":method", "POST"], ...GET.slice(1)]);
    client.sendData(id, new Uint8Array(70_000), { endStream: true });
    expect(dataLengths(server.read(client.dataToSend()))).toEqual([
      [16_384, false],
      [16_384, false],
      [16_384, false],
      [16_383, false],
    ]);
    client.receiveData(server.writer.windowUpdate(0, 10_000));
    expect(dataLengths(server.read(client.dataToSend()))).toEqual([[4465, true]]);
  });

  it("shares the connection window between streams, a frame each in turn", () => {
    const { client, server } = connected({}, [[SETTING.INITIAL_WINDOW_SIZE, 1 << 20]]);
    const post = [[":method", "POST"], ...GET.slice(1)] as [string, string][];
    const [a, b] = [0, 1].map(() => client.sendHeaders(undefined, post));
    client.sendData(a!, new Uint8Array(65_535)); // the whole connection window
    client.sendData(a!, new Uint8Array(50_000));
    client.sendData(b!, new Uint8Array(50_000));
    server.read(client.dataToSend());
    client.receiveData(server.writer.windowUpdate(0, 40_000));
    const sent = server
      .read(client.dataToSend())
      .flatMap((f) => (f.type === "data" ? [[f.streamId, f.data.length]] : []));
    expect(sent).toEqual([
      [a, 16_384],
      [b, 16_384],
      [a, 7232],
    ]);
  });

  it("moves open streams' windows by the change of SETTINGS_INITIAL_WINDOW_SIZE, below zero too", () => {
    const { client, server } = connected({}, [[SETTING.INITIAL_WINDOW_SIZE, 100]]);
    const id = client.sendHeaders(undefined, [[":method", "POST"], ...GET.slice(1)]);
    client.sendData(id, new Uint8Array(80));
    server.read(client.dataToSend());
    client.receiveData(server.settings([[SETTING.INITIAL_WINDOW_SIZE, 50]]));
    expect(client.sendWindow(id)).toBe(0); // 20 - 50 = -30
    client.sendData(id, new Uint8Array(40));
    client.receiveData(server.writer.windowUpdate(id, 40));
    expect(dataLengths(server.read(client.dataToSend()))).toEqual([[10, false]]);
  });

  it("treats a window pushed above 2^31 - 1 as FLOW_CONTROL_ERROR: stream or connection", () => {
    const { client, server } = connected();
    const id = client.sendHeaders(undefined, GET);
    server.read(client.dataToSend());
    expect(client.receiveData(server.writer.windowUpdate(id, MAX_STREAM_ID))).toMatchObject([
      { type: "stream_reset", streamId: id, errorCode: HTTP2_ERROR.FLOW_CONTROL_ERROR },
    ]);
    expect(client.state).toBe("open");
    expect(client.receiveData(server.writer.windowUpdate(0, MAX_STREAM_ID))).toMatchObject([
      {
        type: "connection_error",
        errorCode: HTTP2_ERROR.FLOW_CONTROL_ERROR,
        error: { code: "H2_FLOW_CONTROL" },
      },
    ]);
    const other = connected();
    const open = other.client.sendHeaders(undefined, GET);
    other.client.receiveData(other.server.writer.windowUpdate(open, MAX_STREAM_ID - 65_535));
    expect(
      other.client.receiveData(other.server.settings([[SETTING.INITIAL_WINDOW_SIZE, 65_536]])),
    ).toMatchObject([{ type: "connection_error", errorCode: HTTP2_ERROR.FLOW_CONTROL_ERROR }]);
  });
});

describe("receive side", () => {
  it("sends a WINDOW_UPDATE once half a window is acknowledged, not before", () => {
    const { client, server } = connected({ initialWindowSize: 1000, connectionWindowSize: 65_535 });
    const id = client.sendHeaders(undefined, GET, { endStream: true });
    server.read(client.dataToSend());
    client.receiveData(
      concatBytes([server.headers(id, [[":status", "200"]]), server.data(id, "x".repeat(400))]),
    );
    client.acknowledgeReceivedData(id, 400);
    expect(server.read(client.dataToSend())).toEqual([]);
    client.receiveData(server.data(id, "x".repeat(200)));
    client.acknowledgeReceivedData(id, 200);
    expect(server.read(client.dataToSend())).toEqual([
      { type: "window_update", streamId: id, increment: 600 },
    ]);
  });

  it("refuses DATA beyond a stream's window (stream error) or the connection's (connection error)", () => {
    const { client, server } = connected({ initialWindowSize: 1000, connectionWindowSize: 65_535 });
    const a = client.sendHeaders(undefined, GET, { endStream: true });
    const events = client.receiveData(
      concatBytes([server.headers(a!, [[":status", "200"]]), server.data(a!, "x".repeat(1001))]),
    );
    expect(events.at(-1)).toMatchObject({
      type: "stream_reset",
      streamId: a,
      errorCode: HTTP2_ERROR.FLOW_CONTROL_ERROR,
    });
    // 1001 octets never delivered go back to the connection's window by themselves.
    const big = connected({ initialWindowSize: 1 << 20, connectionWindowSize: 65_535 });
    const id = big.client.sendHeaders(undefined, GET, { endStream: true });
    const chunks = Array.from({ length: 5 }, () => big.server.data(id, "y".repeat(16_000)));
    const last = big.client.receiveData(
      concatBytes([big.server.headers(id, [[":status", "200"]]), ...chunks]),
    );
    expect(last.at(-1)).toMatchObject({
      type: "connection_error",
      errorCode: HTTP2_ERROR.FLOW_CONTROL_ERROR,
    });
  });

  it("gives padding back at once; the application acknowledges only the data", () => {
    const { client, server } = connected({ initialWindowSize: 1000, connectionWindowSize: 65_535 });
    const id = client.sendHeaders(undefined, GET, { endStream: true });
    server.read(client.dataToSend());
    const events = client.receiveData(
      concatBytes([
        server.headers(id, [[":status", "200"]]),
        server.writer.data(id, new Uint8Array(10), { padLength: 200 }),
        server.writer.data(id, new Uint8Array(10), { padLength: 200 }),
        server.writer.data(id, new Uint8Array(10), { padLength: 200 }),
      ]),
    );
    expect(events.filter((e) => e.type === "data")).toHaveLength(3);
    // 603 octets of padding consumed, more than half the stream window.
    expect(server.read(client.dataToSend())).toEqual([
      { type: "window_update", streamId: id, increment: 603 },
    ]);
  });

  it("keeps unacknowledged octets within the window the client announced (bounded buffer)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.boolean()), { maxLength: 60 }),
        (steps) => {
          const window = 4096;
          const { client, server } = connected({
            initialWindowSize: window,
            connectionWindowSize: 65_535,
          });
          const id = client.sendHeaders(undefined, GET, { endStream: true });
          server.read(client.dataToSend());
          client.receiveData(server.headers(id, [[":status", "200"]]));
          // The server sends as much as its view of the window allows; the application acks some steps.
          let serverWindow = window;
          let held = 0;
          for (const [want, ack] of steps) {
            const length = Math.min(want, serverWindow);
            if (length > 0) {
              const events = client.receiveData(server.writer.data(id, new Uint8Array(length)));
              expect(events).toEqual([
                { type: "data", streamId: id, data: new Uint8Array(length) },
              ]);
              serverWindow -= length;
              held += length;
            }
            if (ack && held > 0) {
              client.acknowledgeReceivedData(id, held);
              held = 0;
            }
            for (const frame of server.read(client.dataToSend())) {
              if (frame.type === "window_update" && frame.streamId === id)
                serverWindow += frame.increment;
            }
            expect(held).toBeLessThanOrEqual(window);
            expect(serverWindow + held).toBeLessThanOrEqual(window);
            // Never stuck: with nothing held, at least half the window is open.
            if (held === 0) expect(serverWindow * 2).toBeGreaterThanOrEqual(window);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

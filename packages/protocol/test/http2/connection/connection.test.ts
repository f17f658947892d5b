// Bytes in, bytes out: the client connection against frames a scripted server writes.
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import { Http2ClientConnection } from "../../../src/http2/connection/connection.ts";
import { HTTP2_ERROR, SETTING } from "../../../src/http2/frames/constants.ts";
import { connected, FakeServer, GET, text, types } from "./fake-server.ts";

describe("Http2ClientConnection: preface and SETTINGS", () => {
  it("queues the client magic, SETTINGS with push disabled and a connection WINDOW_UPDATE", () => {
    const client = new Http2ClientConnection({
      initialWindowSize: 100_000,
      connectionWindowSize: 1 << 20,
    });
    const frames = new FakeServer().read(client.dataToSend());
    expect(frames).toEqual([
      {
        type: "settings",
        ack: false,
        settings: [
          [SETTING.ENABLE_PUSH, 0],
          [SETTING.INITIAL_WINDOW_SIZE, 100_000],
          [SETTING.MAX_HEADER_LIST_SIZE, 65_536],
        ],
      },
      { type: "window_update", streamId: 0, increment: (1 << 20) - 65_535 },
    ]);
    expect(client.dataToSend().length).toBe(0);
    expect(client.state).toBe("awaiting_preface");
  });

  it("applies the server's SETTINGS on receipt and acknowledges them", () => {
    const client = new Http2ClientConnection();
    const server = new FakeServer();
    server.read(client.dataToSend());
    const events = client.receiveData(
      server.settings([
        [SETTING.MAX_CONCURRENT_STREAMS, 7],
        [SETTING.INITIAL_WINDOW_SIZE, 1000],
      ]),
    );
    expect(events).toEqual([
      {
        type: "settings_changed",
        settings: [
          [SETTING.MAX_CONCURRENT_STREAMS, 7],
          [SETTING.INITIAL_WINDOW_SIZE, 1000],
        ],
      },
    ]);
    expect(client.state).toBe("open");
    expect(client.peerSetting(SETTING.MAX_CONCURRENT_STREAMS)).toBe(7);
    expect(server.read(client.dataToSend())).toEqual([
      { type: "settings", ack: true, settings: [] },
    ]);
    const id = client.sendHeaders(undefined, GET);
    expect(client.sendWindow(id)).toBe(1000);
  });

  it("applies its own SETTINGS only when the server acknowledges them", () => {
    const client = new Http2ClientConnection({ maxFrameSize: 32_768 });
    const server = new FakeServer();
    server.read(client.dataToSend());
    client.receiveData(server.settings());
    const id = client.sendHeaders(undefined, GET, { endStream: true });
    const big = server.writer;
    big.setMaxFrameSize(32_768);
    const head = server.headers(id, [[":status", "200"]]);
    // Before the ACK, a 20000-octet frame is above the limit in force.
    const early = new Http2ClientConnection({ maxFrameSize: 32_768 });
    early.receiveData(new FakeServer().settings());
    early.sendHeaders(undefined, GET, { endStream: true });
    const refused = early.receiveData(concatBytes([head, big.data(id, new Uint8Array(20_000))]));
    expect(refused.at(-1)).toMatchObject({
      type: "connection_error",
      errorCode: HTTP2_ERROR.FRAME_SIZE_ERROR,
    });
    const events = client.receiveData(
      concatBytes([big.settingsAck(), head, big.data(id, new Uint8Array(20_000))]),
    );
    expect(types(events)).toEqual(["settings_acknowledged", "response", "data"]);
  });

  it("refuses a first frame other than SETTINGS, and a second ACK", () => {
    const server = new FakeServer();
    const first = new Http2ClientConnection();
    const events = first.receiveData(server.writer.ping(new Uint8Array(8)));
    expect(events).toMatchObject([{ type: "connection_error", error: { code: "H2_BAD_PREFACE" } }]);
    expect(() => first.receiveData(new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: "H2_BAD_PREFACE" }),
    );
    expect(() => first.sendHeaders(undefined, GET)).toThrow(
      expect.objectContaining({ code: "H2_CONNECTION_CLOSED" }),
    );
    const { client, server: peer } = connected();
    const extra = client.receiveData(peer.writer.settingsAck());
    expect(extra).toMatchObject([
      { type: "connection_error", error: { code: "H2_UNEXPECTED_SETTINGS_ACK" } },
    ]);
    // The GOAWAY says why.
    expect(peer.read(client.dataToSend())).toMatchObject([
      { type: "goaway", lastStreamId: 0, errorCode: HTTP2_ERROR.PROTOCOL_ERROR },
    ]);
  });

  it("refuses ENABLE_PUSH = 1 from a server and any PUSH_PROMISE", () => {
    const client = new Http2ClientConnection();
    expect(client.receiveData(new FakeServer().settings([[SETTING.ENABLE_PUSH, 1]]))).toMatchObject(
      [
        {
          type: "connection_error",
          error: { code: "H2_INVALID_PEER_SETTING" },
          errorCode: HTTP2_ERROR.PROTOCOL_ERROR,
        },
      ],
    );
    const { client: other, server } = connected();
    const id = other.sendHeaders(undefined, GET, { endStream: true });
    const events = other.receiveData(server.writer.pushPromise(id, 2, server.encoder.encode(GET)));
    expect(events).toMatchObject([
      { type: "connection_error", error: { code: "H2_PUSH_REFUSED" } },
    ]);
  });
});

describe("Http2ClientConnection: a request and its response", () => {
  it("sends the request and reports 1xx, head, data, trailers and the end", () => {
    const { client, server } = connected();
    const id = client.sendHeaders(undefined, [
      [":method", "POST"],
      [":scheme", "https"],
      [":authority", "example.com"],
      [":path", "/upload"],
      ["content-type", "text/plain"],
    ]);
    client.sendData(id, new TextEncoder().encode("hello"));
    client.sendHeaders(id, [["x-checksum", "abc"]], { endStream: true });
    expect(client.streamState(id)).toBe("half_closed_local");
    const sent = server.read(client.dataToSend());
    expect(sent).toMatchObject([
      {
        type: "headers",
        streamId: 1,
        endStream: false,
        fields: [
          [":method", "POST"],
          [":scheme", "https"],
          [":authority", "example.com"],
          [":path", "/upload"],
          ["content-type", "text/plain"],
        ],
      },
      { type: "data", streamId: 1, endStream: false },
      { type: "headers", streamId: 1, endStream: true, fields: [["x-checksum", "abc"]] },
    ]);
    expect(text((sent[1] as { data: Uint8Array }).data)).toBe("hello");
    const events = client.receiveData(
      concatBytes([
        server.headers(id, [
          [":status", "103"],
          ["link", "</a>"],
        ]),
        server.headers(id, [
          [":status", "200"],
          ["content-length", "5"],
        ]),
        server.data(id, "wor"),
        server.data(id, "ld"),
        server.headers(id, [["grpc-status", "0"]], true),
      ]),
    );
    expect(events).toEqual([
      { type: "informational", streamId: 1, status: 103, headers: [["link", "</a>"]] },
      { type: "response", streamId: 1, status: 200, headers: [["content-length", "5"]] },
      { type: "data", streamId: 1, data: new TextEncoder().encode("wor") },
      { type: "data", streamId: 1, data: new TextEncoder().encode("ld") },
      { type: "trailers", streamId: 1, headers: [["grpc-status", "0"]] },
      { type: "stream_end", streamId: 1 },
    ]);
    expect(client.streamState(id)).toBe("closed");
    expect(client.activeStreams).toBe(0);
  });

  it("answers PING with an ACK of the same data and reports the ACK of its own", () => {
    const { client, server } = connected();
    const opaque = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    expect(client.receiveData(server.writer.ping(opaque))).toEqual([]);
    expect(server.read(client.dataToSend())).toEqual([
      { type: "ping", ack: true, opaqueData: opaque },
    ]);
    client.ping(opaque);
    expect(server.read(client.dataToSend())).toEqual([
      { type: "ping", ack: false, opaqueData: opaque },
    ]);
    expect(client.receiveData(server.writer.ping(opaque, true))).toEqual([
      { type: "ping_ack", opaqueData: opaque },
    ]);
  });

  it("reports RST_STREAM from the server, and resets a stream on request", () => {
    const { client, server } = connected();
    const a = client.sendHeaders(undefined, GET, { endStream: true });
    const b = client.sendHeaders(undefined, GET, { endStream: true });
    expect(client.receiveData(server.writer.rstStream(a, HTTP2_ERROR.REFUSED_STREAM))).toEqual([
      {
        type: "stream_reset",
        streamId: a,
        errorCode: HTTP2_ERROR.REFUSED_STREAM,
        error: undefined,
      },
    ]);
    client.resetStream(b);
    expect(server.read(client.dataToSend()).at(-1)).toEqual({
      type: "rst_stream",
      streamId: b,
      errorCode: HTTP2_ERROR.CANCEL,
    });
    // Frames that crossed our RST_STREAM are ignored; the connection stays.
    expect(client.receiveData(server.headers(b, [[":status", "200"]], true))).toEqual([]);
    expect(client.state).toBe("open");
    expect(() => client.sendData(b, new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: "H2_INVALID_STREAM_STATE" }),
    );
  });

  it("treats frames on streams it never opened as connection errors", () => {
    for (const frame of [
      (s: FakeServer) => s.data(1, "x"),
      (s: FakeServer) => s.headers(2, [[":status", "200"]]),
      (s: FakeServer) => s.writer.rstStream(5, 0),
      (s: FakeServer) => s.writer.windowUpdate(3, 1),
    ]) {
      const { client, server } = connected();
      expect(client.receiveData(frame(server))).toMatchObject([
        {
          type: "connection_error",
          error: { code: "H2_INVALID_STREAM_STATE" },
          errorCode: HTTP2_ERROR.PROTOCOL_ERROR,
        },
      ]);
    }
  });
});

describe("Http2ClientConnection: GOAWAY", () => {
  it("reports the streams above the last stream id as unprocessed, and opens no more", () => {
    const { client, server } = connected();
    const ids = [1, 2, 3, 4].map(() => client.sendHeaders(undefined, GET, { endStream: true }));
    expect(ids).toEqual([1, 3, 5, 7]);
    const events = client.receiveData(
      concatBytes([
        server.writer.goaway(3, HTTP2_ERROR.NO_ERROR, new TextEncoder().encode("bye")),
        server.headers(3, [[":status", "200"]], true),
      ]),
    );
    expect(events).toEqual([
      {
        type: "goaway",
        lastStreamId: 3,
        errorCode: 0,
        debugData: new TextEncoder().encode("bye"),
        unprocessedStreamIds: [5, 7],
      },
      { type: "response", streamId: 3, status: 200, headers: [] },
      { type: "stream_end", streamId: 3 },
    ]);
    expect(client.state).toBe("goaway_received");
    expect(client.streamState(5)).toBe("closed");
    expect(client.activeStreams).toBe(1);
    expect(() => client.sendHeaders(undefined, GET)).toThrow(
      expect.objectContaining({ code: "H2_CONNECTION_CLOSED" }),
    );
    // A second GOAWAY may lower the last stream id, never raise it.
    expect(client.receiveData(server.writer.goaway(0, HTTP2_ERROR.NO_ERROR))).toMatchObject([
      { type: "goaway", lastStreamId: 0, unprocessedStreamIds: [1] },
    ]);
    expect(client.receiveData(server.writer.goaway(9, HTTP2_ERROR.NO_ERROR))).toMatchObject([
      { type: "goaway", unprocessedStreamIds: [] },
    ]);
  });

  it("sends GOAWAY on close and opens no more streams", () => {
    const { client, server } = connected();
    client.close();
    expect(server.read(client.dataToSend())).toEqual([
      { type: "goaway", lastStreamId: 0, errorCode: 0, debugData: new Uint8Array(0) },
    ]);
    expect(client.state).toBe("goaway_sent");
    expect(() => client.sendHeaders(undefined, GET)).toThrow(
      expect.objectContaining({ code: "H2_CONNECTION_CLOSED" }),
    );
  });
});

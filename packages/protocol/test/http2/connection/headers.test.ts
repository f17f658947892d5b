// RFC 9113 §8.2/§8.3 on request heads we send and response heads we receive.
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import type { HeaderPair } from "../../../src/http/headers.ts";
import { HTTP2_ERROR } from "../../../src/http2/frames/constants.ts";
import { connected, GET } from "./fake-server.ts";

const refusedRequests: [string, HeaderPair[]][] = [
  ["an upper-case name", [...GET, ["X-Upper", "1"]]],
  ["a pseudo-header after a regular field", [...GET.slice(0, 3), ["accept", "*/*"], GET[3]!]],
  ["a pseudo-header twice", [...GET, [":path", "/again"]]],
  ["an unknown pseudo-header", [...GET, [":status", "200"]]],
  ["no :method", GET.slice(1)],
  ["no :scheme", GET.filter(([n]) => n !== ":scheme")],
  ["an empty :path", [...GET.slice(0, 3), [":path", ""]]],
  ["no :authority nor host", GET.filter(([n]) => n !== ":authority")],
  ["connection", [...GET, ["connection", "keep-alive"]]],
  ["keep-alive", [...GET, ["keep-alive", "timeout=5"]]],
  ["proxy-connection", [...GET, ["proxy-connection", "close"]]],
  ["transfer-encoding", [...GET, ["transfer-encoding", "chunked"]]],
  ["upgrade", [...GET, ["upgrade", "websocket"]]],
  ["te other than trailers", [...GET, ["te", "gzip"]]],
  ["a CR in a value", [...GET, ["x-a", "1\r\nx-b: 2"]]],
  [
    "CONNECT with :path",
    [
      [":method", "CONNECT"],
      [":authority", "a:443"],
      [":path", "/"],
    ],
  ],
  ["a host that differs from :authority", [...GET, ["host", "other.example"]]],
  ["host twice", [...GET.filter(([n]) => n !== ":authority"), ["host", "a"], ["host", "a"]]],
];

describe("request heads", () => {
  for (const [why, headers] of refusedRequests) {
    it(`refuses ${why}, sending nothing`, () => {
      const { client } = connected();
      expect(() => client.sendHeaders(undefined, headers)).toThrow(
        expect.objectContaining({ code: "H2_INVALID_REQUEST_HEADERS", origin: "local" }),
      );
      expect(client.dataToSend().length).toBe(0);
      expect(client.nextStreamId).toBe(1);
    });
  }

  it("accepts te: trailers, host instead of :authority, and CONNECT", () => {
    const { client } = connected();
    client.sendHeaders(undefined, [...GET, ["te", "trailers"]]);
    client.sendHeaders(undefined, [...GET.filter(([n]) => n !== ":authority"), ["host", "a"]]);
    client.sendHeaders(undefined, [
      [":method", "CONNECT"],
      [":authority", "a:443"],
    ]);
    client.sendHeaders(undefined, [...GET, ["host", "example.com"]]);
    expect(client.activeStreams).toBe(4);
  });

  it("refuses a head above the server's SETTINGS_MAX_HEADER_LIST_SIZE", () => {
    const { client } = connected({}, [[0x6, 200]]);
    expect(() => client.sendHeaders(undefined, [...GET, ["x-big", "a".repeat(100)]])).toThrow(
      expect.objectContaining({ code: "H2_INVALID_REQUEST_HEADERS" }),
    );
  });
});

const refusedResponses: [string, HeaderPair[]][] = [
  ["no :status", [["content-type", "text/plain"]]],
  [
    "a request pseudo-header",
    [
      [":status", "200"],
      [":path", "/"],
    ],
  ],
  [
    ":status twice",
    [
      [":status", "200"],
      [":status", "204"],
    ],
  ],
  [
    ":status after a regular field",
    [
      ["x-a", "1"],
      [":status", "200"],
    ],
  ],
  ["a bad :status", [[":status", "2000"]]],
  [
    "an upper-case name",
    [
      [":status", "200"],
      ["X-A", "1"],
    ],
  ],
  [
    "a connection-specific field",
    [
      [":status", "200"],
      ["transfer-encoding", "chunked"],
    ],
  ],
  [
    "a bad content-length",
    [
      [":status", "200"],
      ["content-length", "1x"],
    ],
  ],
  ["101 Switching Protocols", [[":status", "101"]]],
];

describe("response heads", () => {
  for (const [why, fields] of refusedResponses) {
    it(`resets the stream for ${why}; the connection stays`, () => {
      const { client, server } = connected();
      const id = client.sendHeaders(undefined, GET, { endStream: true });
      const other = client.sendHeaders(undefined, GET, { endStream: true });
      server.read(client.dataToSend());
      const events = client.receiveData(server.headers(id, fields));
      expect(events).toMatchObject([
        {
          type: "stream_reset",
          streamId: id,
          errorCode: HTTP2_ERROR.PROTOCOL_ERROR,
          error: { code: "H2_INVALID_RESPONSE_HEADERS" },
        },
      ]);
      expect(server.read(client.dataToSend())).toEqual([
        { type: "rst_stream", streamId: id, errorCode: HTTP2_ERROR.PROTOCOL_ERROR },
      ]);
      expect(client.receiveData(server.headers(other, [[":status", "204"]], true))).toMatchObject([
        { type: "response", status: 204 },
        { type: "stream_end" },
      ]);
    });
  }

  it("resets a stream whose DATA total disagrees with content-length, either way", () => {
    const { client, server } = connected();
    const [short, long, head, ok] = [0, 1, 2, 3].map((i) =>
      client.sendHeaders(undefined, i === 2 ? [[":method", "HEAD"], ...GET.slice(1)] : GET, {
        endStream: true,
      }),
    );
    const events = client.receiveData(
      concatBytes([
        server.headers(short!, [
          [":status", "200"],
          ["content-length", "5"],
        ]),
        server.data(short!, "abcd", true),
        server.headers(long!, [
          [":status", "200"],
          ["content-length", "2"],
        ]),
        server.data(long!, "abc"),
        server.headers(
          head!,
          [
            [":status", "200"],
            ["content-length", "5"],
          ],
          true,
        ),
        server.headers(ok!, [
          [":status", "200"],
          ["content-length", "3"],
        ]),
        server.data(ok!, "abc", true),
      ]),
    );
    expect(
      events.map((e) => [
        e.type,
        "streamId" in e ? e.streamId : 0,
        "error" in e ? e.error?.code : undefined,
      ]),
    ).toEqual([
      ["response", short, undefined],
      ["stream_reset", short, "H2_CONTENT_LENGTH_MISMATCH"],
      ["response", long, undefined],
      ["stream_reset", long, "H2_CONTENT_LENGTH_MISMATCH"],
      ["response", head, undefined],
      ["stream_end", head, undefined],
      ["response", ok, undefined],
      ["data", ok, undefined],
      ["stream_end", ok, undefined],
    ]);
  });

  it("resets a stream for trailers without END_STREAM, pseudo-headers in trailers, DATA before the head", () => {
    const { client, server } = connected();
    const [a, b, c] = [0, 1, 2].map(() => client.sendHeaders(undefined, GET, { endStream: true }));
    const events = client.receiveData(
      concatBytes([
        server.headers(a!, [[":status", "200"]]),
        server.headers(a!, [["x-t", "1"]]),
        server.headers(b!, [[":status", "200"]]),
        server.headers(b!, [[":status", "200"]], true),
        server.data(c!, "early"),
      ]),
    );
    expect(events.filter((e) => e.type === "stream_reset").map((e) => e.streamId)).toEqual([
      a,
      b,
      c,
    ]);
    expect(client.state).toBe("open");
  });

  it("resets a stream that receives DATA after the server ended it (STREAM_CLOSED)", () => {
    const { client, server } = connected();
    const id = client.sendHeaders(undefined, GET);
    const events = client.receiveData(
      concatBytes([server.headers(id, [[":status", "200"]], true), server.data(id, "late")]),
    );
    expect(events.at(-1)).toMatchObject({
      type: "stream_reset",
      errorCode: HTTP2_ERROR.STREAM_CLOSED,
      error: { code: "H2_STREAM_CLOSED" },
    });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import {
  LocalProtocolError,
  type ProtocolError,
  RemoteProtocolError,
} from "../../../src/errors.ts";
import { FLAG, FRAME_TYPE, HTTP2_ERROR, SETTING } from "../../../src/http2/frames/constants.ts";
import { http2ErrorFor } from "../../../src/http2/frames/errors.ts";
import { FrameReader } from "../../../src/http2/frames/reader.ts";
import type { Http2Frame } from "../../../src/http2/frames/types.ts";
import { FrameWriter } from "../../../src/http2/frames/writer.ts";
import { NEED_DATA } from "../../../src/need-data.ts";
import { fromHex } from "../../http/drive.ts";

const writer = new FrameWriter();
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/** Every frame in `chunks`, fed one chunk at a time. */
function readAll(chunks: Uint8Array[], reader = new FrameReader()): Http2Frame[] {
  const frames: Http2Frame[] = [];
  for (const chunk of chunks) {
    reader.receiveData(chunk);
    for (let f = reader.nextFrame(); f !== NEED_DATA; f = reader.nextFrame()) frames.push(f);
  }
  return frames;
}
const readOne = (bytes: Uint8Array): Http2Frame => {
  const frames = readAll([bytes]);
  expect(frames).toHaveLength(1);
  return frames[0]!;
};
function remoteCode(bytes: Uint8Array, reader = new FrameReader()): string {
  try {
    readAll([bytes], reader);
  } catch (error) {
    expect(error).toBeInstanceOf(RemoteProtocolError);
    return (error as ProtocolError).code;
  }
  throw new Error("expected a RemoteProtocolError");
}
function localCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LocalProtocolError);
    return (error as ProtocolError).code;
  }
  throw new Error("expected a LocalProtocolError");
}
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe("wire format (RFC 9113 §4.1, §6)", () => {
  it("writes the frame header and payloads octet for octet", () => {
    expect(toHex(writer.settingsAck())).toBe("000000040100000000");
    expect(
      toHex(
        writer.settings([
          [SETTING.ENABLE_PUSH, 0],
          [SETTING.INITIAL_WINDOW_SIZE, 65535],
        ]),
      ),
    ).toBe("00000c040000000000" + "000200000000" + "00040000ffff");
    expect(toHex(writer.ping(bytes(1, 2, 3, 4, 5, 6, 7, 8), true))).toBe(
      "0000080601000000000102030405060708",
    );
    expect(toHex(writer.windowUpdate(0, 2 ** 31 - 1))).toBe("0000040800000000007fffffff");
    expect(toHex(writer.rstStream(3, HTTP2_ERROR.CANCEL))).toBe("00000403000000000300000008");
    expect(toHex(writer.goaway(5, HTTP2_ERROR.PROTOCOL_ERROR, bytes(0x78)))).toBe(
      "000009070000000000" + "00000005" + "00000001" + "78",
    );
    expect(toHex(writer.data(1, bytes(0x61), { endStream: true, padLength: 2 }))).toBe(
      "000004000900000001" + "02" + "61" + "0000",
    );
    expect(
      toHex(
        writer.headers(3, bytes(0x82), {
          priority: { exclusive: true, dependency: 1, weight: 256 },
        }),
      ),
    ).toBe("000006012400000003" + "80000001" + "ff" + "82");
  });

  it("reads every frame type back", () => {
    const frames = readAll([
      writer.data(1, bytes(1, 2), { endStream: true, padLength: 3 }),
      writer.headers(3, bytes(0x82, 0x84), {
        endStream: true,
        padLength: 1,
        priority: { exclusive: false, dependency: 1, weight: 16 },
      }),
      writer.priority(5, { exclusive: true, dependency: 3, weight: 1 }),
      writer.rstStream(1, HTTP2_ERROR.REFUSED_STREAM),
      writer.settings([
        [SETTING.MAX_CONCURRENT_STREAMS, 100],
        [0xabcd, 7],
      ]),
      writer.pushPromise(1, 2, bytes(0x88), { padLength: 0 }),
      writer.ping(bytes(0, 0, 0, 0, 0, 0, 0, 9)),
      writer.goaway(7, HTTP2_ERROR.ENHANCE_YOUR_CALM, bytes(1)),
      writer.windowUpdate(1, 1000),
      writer.headers(9, bytes(0x82)).subarray(0, 9 + 1), // HEADERS with END_HEADERS
      writer.raw(0xfa, 0x3, 7, bytes(1, 2, 3)),
    ]);
    expect(frames).toEqual([
      { type: "data", streamId: 1, data: bytes(1, 2), endStream: true, flowControlledLength: 6 },
      {
        type: "headers",
        streamId: 3,
        fragment: bytes(0x82, 0x84),
        endStream: true,
        endHeaders: true,
        priority: { exclusive: false, dependency: 1, weight: 16 },
      },
      { type: "priority", streamId: 5, priority: { exclusive: true, dependency: 3, weight: 1 } },
      { type: "rst_stream", streamId: 1, errorCode: HTTP2_ERROR.REFUSED_STREAM },
      {
        type: "settings",
        ack: false,
        settings: [
          [3, 100],
          [0xabcd, 7],
        ],
      },
      {
        type: "push_promise",
        streamId: 1,
        promisedStreamId: 2,
        fragment: bytes(0x88),
        endHeaders: true,
      },
      { type: "ping", ack: false, opaqueData: bytes(0, 0, 0, 0, 0, 0, 0, 9) },
      {
        type: "goaway",
        lastStreamId: 7,
        errorCode: HTTP2_ERROR.ENHANCE_YOUR_CALM,
        debugData: bytes(1),
      },
      { type: "window_update", streamId: 1, increment: 1000 },
      {
        type: "headers",
        streamId: 9,
        fragment: bytes(0x82),
        endStream: false,
        endHeaders: true,
        priority: undefined,
      },
      { type: "unknown", frameType: 0xfa, flags: 0x3, streamId: 7, payload: bytes(1, 2, 3) },
    ]);
  });

  it("ignores the reserved bit of stream ids, increments and last-stream-ids", () => {
    const frame = fromHex("000004080000000001" + "800003e8");
    frame[5]! |= 0x80;
    expect(readOne(frame)).toEqual({ type: "window_update", streamId: 1, increment: 1000 });
    const goaway = fromHex("000008070000000000" + "8000000500000000");
    expect(readOne(goaway)).toMatchObject({ type: "goaway", lastStreamId: 5 });
  });

  it("splits a header block larger than the frame size into HEADERS and CONTINUATIONs", () => {
    const block = Uint8Array.from({ length: 40_000 }, (_, i) => i & 0xff);
    const frames = readAll([writer.headers(1, block, { endStream: true })]);
    expect(frames.map((f) => [f.type, "endHeaders" in f && f.endHeaders])).toEqual([
      ["headers", false],
      ["continuation", false],
      ["continuation", true],
    ]);
    const fragments = frames.map((f) => (f as { fragment: Uint8Array }).fragment);
    expect(fragments.map((f) => f.length)).toEqual([16_384, 16_384, 40_000 - 2 * 16_384]);
    expect(concatBytes(fragments)).toEqual(block);
    expect(frames[0]).toMatchObject({ endStream: true });
  });
});

describe("refusals of the peer's frames", () => {
  const header = (length: number, type: number, flags: number, stream: number): number[] => [
    length >> 16,
    (length >> 8) & 0xff,
    length & 0xff,
    type,
    flags,
    stream >>> 24,
    (stream >> 16) & 0xff,
    (stream >> 8) & 0xff,
    stream & 0xff,
  ];
  const frame = (type: number, flags: number, stream: number, payload: number[]): Uint8Array =>
    Uint8Array.from([...header(payload.length, type, flags, stream), ...payload]);

  it("refuses a frame above SETTINGS_MAX_FRAME_SIZE from its header alone", () => {
    const reader = new FrameReader();
    // Only the 9-octet header of a 16 MiB frame: refused before any payload arrives.
    expect(remoteCode(Uint8Array.from(header(2 ** 24 - 1, FRAME_TYPE.DATA, 0, 1)), reader)).toBe(
      "H2_FRAME_TOO_LARGE",
    );
    expect(reader.buffered).toBe(9);
    expect(remoteCode(Uint8Array.from(header(16_385, FRAME_TYPE.DATA, 0, 1)))).toBe(
      "H2_FRAME_TOO_LARGE",
    );
    const larger = new FrameReader({ maxFrameSize: 20_000 });
    larger.receiveData(Uint8Array.from(header(16_385, FRAME_TYPE.DATA, 0, 1)));
    expect(larger.nextFrame()).toBe(NEED_DATA);
  });

  it.each([
    ["DATA on stream 0", frame(FRAME_TYPE.DATA, 0, 0, [1]), "H2_INVALID_STREAM_ID"],
    ["HEADERS on stream 0", frame(FRAME_TYPE.HEADERS, 4, 0, [0x82]), "H2_INVALID_STREAM_ID"],
    [
      "PRIORITY on stream 0",
      frame(FRAME_TYPE.PRIORITY, 0, 0, [0, 0, 0, 1, 0]),
      "H2_INVALID_STREAM_ID",
    ],
    [
      "RST_STREAM on stream 0",
      frame(FRAME_TYPE.RST_STREAM, 0, 0, [0, 0, 0, 0]),
      "H2_INVALID_STREAM_ID",
    ],
    ["SETTINGS on stream 1", frame(FRAME_TYPE.SETTINGS, 0, 1, []), "H2_INVALID_STREAM_ID"],
    [
      "PUSH_PROMISE on stream 0",
      frame(FRAME_TYPE.PUSH_PROMISE, 4, 0, [0, 0, 0, 2]),
      "H2_INVALID_STREAM_ID",
    ],
    [
      "PING on stream 1",
      frame(FRAME_TYPE.PING, 0, 1, [0, 0, 0, 0, 0, 0, 0, 0]),
      "H2_INVALID_STREAM_ID",
    ],
    [
      "GOAWAY on stream 1",
      frame(FRAME_TYPE.GOAWAY, 0, 1, [0, 0, 0, 0, 0, 0, 0, 0]),
      "H2_INVALID_STREAM_ID",
    ],
    ["CONTINUATION on stream 0", frame(FRAME_TYPE.CONTINUATION, 4, 0, []), "H2_INVALID_STREAM_ID"],
    [
      "PRIORITY of 4 octets",
      frame(FRAME_TYPE.PRIORITY, 0, 1, [0, 0, 0, 3]),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "RST_STREAM of 5 octets",
      frame(FRAME_TYPE.RST_STREAM, 0, 1, [0, 0, 0, 0, 0]),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "SETTINGS of 5 octets",
      frame(FRAME_TYPE.SETTINGS, 0, 0, [0, 1, 0, 0, 0]),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "SETTINGS ACK with a payload",
      frame(FRAME_TYPE.SETTINGS, 1, 0, [0, 1, 0, 0, 0, 0]),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "PING of 7 octets",
      frame(FRAME_TYPE.PING, 0, 0, [0, 0, 0, 0, 0, 0, 0]),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "GOAWAY of 7 octets",
      frame(FRAME_TYPE.GOAWAY, 0, 0, [0, 0, 0, 0, 0, 0, 0]),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "WINDOW_UPDATE of 3 octets",
      frame(FRAME_TYPE.WINDOW_UPDATE, 0, 0, [0, 0, 1]),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "HEADERS with PRIORITY but 4 octets",
      frame(FRAME_TYPE.HEADERS, 0x24, 1, [0, 0, 0, 0]),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "PUSH_PROMISE of 3 octets",
      frame(FRAME_TYPE.PUSH_PROMISE, 4, 1, [0, 0, 2]),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "PADDED DATA with no pad length octet",
      frame(FRAME_TYPE.DATA, FLAG.PADDED, 1, []),
      "H2_INVALID_FRAME_LENGTH",
    ],
    [
      "DATA padding as long as the payload",
      frame(FRAME_TYPE.DATA, FLAG.PADDED, 1, [3, 0, 0]),
      "H2_INVALID_PADDING",
    ],
    [
      "HEADERS padding eating the priority",
      frame(FRAME_TYPE.HEADERS, 0x2c, 1, [2, 0, 0, 0, 0, 0, 0]),
      "H2_INVALID_PADDING",
    ],
    [
      "ENABLE_PUSH of 2",
      frame(FRAME_TYPE.SETTINGS, 0, 0, [0, 2, 0, 0, 0, 2]),
      "H2_INVALID_SETTING",
    ],
    [
      "MAX_FRAME_SIZE below 2^14",
      frame(FRAME_TYPE.SETTINGS, 0, 0, [0, 5, 0, 0, 0x3f, 0xff]),
      "H2_INVALID_SETTING",
    ],
    [
      "MAX_FRAME_SIZE of 2^24",
      frame(FRAME_TYPE.SETTINGS, 0, 0, [0, 5, 1, 0, 0, 0]),
      "H2_INVALID_SETTING",
    ],
    [
      "INITIAL_WINDOW_SIZE of 2^31",
      frame(FRAME_TYPE.SETTINGS, 0, 0, [0, 4, 0x80, 0, 0, 0]),
      "H2_INVALID_WINDOW_SIZE",
    ],
    [
      "WINDOW_UPDATE of 0",
      frame(FRAME_TYPE.WINDOW_UPDATE, 0, 1, [0, 0, 0, 0]),
      "H2_ZERO_WINDOW_INCREMENT",
    ],
    [
      "WINDOW_UPDATE of 2^31 (reserved bit only)",
      frame(FRAME_TYPE.WINDOW_UPDATE, 0, 0, [0x80, 0, 0, 0]),
      "H2_ZERO_WINDOW_INCREMENT",
    ],
    ["PRIORITY on itself", frame(FRAME_TYPE.PRIORITY, 0, 3, [0, 0, 0, 3, 0]), "H2_SELF_DEPENDENCY"],
    [
      "HEADERS depending on itself",
      frame(FRAME_TYPE.HEADERS, 0x24, 3, [0x80, 0, 0, 3, 0]),
      "H2_SELF_DEPENDENCY",
    ],
  ])("%s", (_name, wire, code) => {
    expect(remoteCode(wire)).toBe(code);
    expect(http2ErrorFor(code)).toBeDefined();
  });

  it("maps codes to HTTP/2 error codes", () => {
    expect(http2ErrorFor("H2_FRAME_TOO_LARGE")).toBe(HTTP2_ERROR.FRAME_SIZE_ERROR);
    expect(http2ErrorFor("H2_INVALID_WINDOW_SIZE")).toBe(HTTP2_ERROR.FLOW_CONTROL_ERROR);
    expect(http2ErrorFor("HPACK_INVALID_INDEX")).toBe(HTTP2_ERROR.COMPRESSION_ERROR);
    expect(http2ErrorFor("HEADER_LIST_TOO_LARGE")).toBeUndefined();
  });

  it("keeps a failure: later calls rethrow it", () => {
    const reader = new FrameReader();
    reader.receiveData(frame(FRAME_TYPE.PING, 0, 1, [0, 0, 0, 0, 0, 0, 0, 0]));
    let first: unknown;
    try {
      reader.nextFrame();
    } catch (error) {
      first = error;
    }
    expect(first).toBeInstanceOf(RemoteProtocolError);
    reader.receiveData(writer.settingsAck());
    expect(() => reader.nextFrame()).toThrow(first as Error);
  });
});

describe("refusals of the caller's frames (nothing written)", () => {
  it.each([
    ["DATA on stream 0", () => writer.data(0, bytes(1)), "H2_INVALID_STREAM_ID"],
    ["stream id above 2^31 - 1", () => writer.rstStream(2 ** 31, 0), "H2_INVALID_STREAM_ID"],
    [
      "DATA above the peer's frame size",
      () => writer.data(1, new Uint8Array(16_385)),
      "H2_FRAME_TOO_LARGE",
    ],
    ["padding of 256", () => writer.data(1, bytes(1), { padLength: 256 }), "H2_INVALID_PADDING"],
    ["PING of 4 octets", () => writer.ping(bytes(1, 2, 3, 4)), "H2_INVALID_FRAME_LENGTH"],
    ["WINDOW_UPDATE of 0", () => writer.windowUpdate(1, 0), "H2_ZERO_WINDOW_INCREMENT"],
    ["ENABLE_PUSH of 2", () => writer.settings([[SETTING.ENABLE_PUSH, 2]]), "H2_INVALID_SETTING"],
    [
      "INITIAL_WINDOW_SIZE of 2^31",
      () => writer.settings([[SETTING.INITIAL_WINDOW_SIZE, 2 ** 31]]),
      "H2_INVALID_WINDOW_SIZE",
    ],
    [
      "self-dependency",
      () => writer.priority(3, { exclusive: false, dependency: 3, weight: 1 }),
      "H2_SELF_DEPENDENCY",
    ],
    [
      "weight 0",
      () => writer.priority(3, { exclusive: false, dependency: 1, weight: 0 }),
      "INVALID_OPTION",
    ],
    ["max frame size 2^24", () => new FrameWriter().setMaxFrameSize(2 ** 24), "INVALID_OPTION"],
  ])("%s", (_name, fn, code) => expect(localCode(fn)).toBe(code));

  it("follows the peer's SETTINGS_MAX_FRAME_SIZE", () => {
    const larger = new FrameWriter();
    larger.setMaxFrameSize(32_768);
    const frame = larger.data(1, new Uint8Array(32_768));
    expect(readAll([frame], new FrameReader({ maxFrameSize: 32_768 }))).toHaveLength(1);
    expect(remoteCode(frame)).toBe("H2_FRAME_TOO_LARGE");
  });
});

describe("split invariance (fast-check)", () => {
  const streamId = fc.integer({ min: 1, max: 2 ** 31 - 1 });
  const payload = fc.uint8Array({ maxLength: 300 });
  const pad = fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined });
  const priority = fc.record({
    exclusive: fc.boolean(),
    dependency: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    weight: fc.integer({ min: 1, max: 256 }),
  });
  const wire = fc.oneof(
    fc
      .tuple(streamId, payload, fc.boolean(), pad)
      .map(([id, data, endStream, padLength]) => writer.data(id, data, { endStream, padLength })),
    fc
      .tuple(streamId, fc.uint8Array({ maxLength: 40_000 }), fc.boolean(), pad, fc.option(priority))
      .filter(([id, , , , p]) => p?.dependency !== id)
      .map(([id, block, endStream, padLength, p]) =>
        writer.headers(id, block, { endStream, padLength, priority: p ?? undefined }),
      ),
    fc
      .tuple(streamId, fc.integer({ min: 0, max: 0xffffffff }))
      .map(([id, code]) => writer.rstStream(id, code)),
    fc
      .array(
        fc.tuple(fc.integer({ min: 0x10, max: 0xffff }), fc.integer({ min: 0, max: 0xffffffff })),
        {
          maxLength: 8,
        },
      )
      .map((settings) => writer.settings(settings)),
    fc.uint8Array({ minLength: 8, maxLength: 8 }).map((data) => writer.ping(data)),
    fc
      .tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), payload)
      .map(([last, debug]) => writer.goaway(last, HTTP2_ERROR.NO_ERROR, debug)),
    fc
      .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }))
      .map(([id, increment]) => writer.windowUpdate(id, increment)),
    fc
      .tuple(fc.integer({ min: 0x0a, max: 0xff }), fc.integer({ min: 0, max: 255 }), payload)
      .map(([type, flags, data]) => writer.raw(type, flags, 1, data)),
  );

  it("any split of the octets gives the same frames", () => {
    fc.assert(
      fc.property(
        fc.array(wire, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const all = concatBytes(frames);
          const whole = readAll([all]);
          expect(whole).toHaveLength(frames.reduce((n, f) => n + readAll([f]).length, 0));
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let from = 0;
          for (const point of [...points, all.length]) {
            chunks.push(all.slice(from, point));
            from = point;
          }
          expect(readAll(chunks)).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("byte by byte gives the same frames", () => {
    fc.assert(
      fc.property(fc.array(wire, { minLength: 1, maxLength: 4 }), (frames) => {
        const all = concatBytes(frames);
        if (all.length > 5000) return;
        const single = Array.from(all, (b) => Uint8Array.of(b));
        expect(readAll(single)).toEqual(readAll([all]));
      }),
      { numRuns: 50 },
    );
  });

  it("arbitrary octets give frames or a typed error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (octets) => {
        try {
          readAll([octets]);
        } catch (error) {
          expect(error).toBeInstanceOf(RemoteProtocolError);
          expect(http2ErrorFor((error as ProtocolError).code)).toBeDefined();
        }
      }),
      { numRuns: 1000 },
    );
  });
});

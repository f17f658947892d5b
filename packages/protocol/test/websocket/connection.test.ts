import { describe, expect, it } from "vitest";
import {
  LocalProtocolError,
  NEED_DATA,
  type ProtocolError,
  RemoteProtocolError,
  WebSocketConnection,
} from "../../src/index.ts";
import {
  cat,
  client,
  counterRandom,
  drain,
  hex,
  parseFrames,
  serverFrame,
  utf8,
} from "./helpers.ts";

function failure(
  conn: WebSocketConnection,
  ...chunks: Uint8Array[]
): { code: string; closeCode?: number } {
  for (const c of chunks) conn.receiveData(c);
  try {
    drain(conn);
  } catch (e) {
    expect(e).toBeInstanceOf(RemoteProtocolError);
    const err = e as ProtocolError;
    return { code: err.code, closeCode: err.closeCode };
  }
  throw new Error("no protocol error");
}

describe("receiving", () => {
  it("delivers text, binary, ping and pong, whatever the chunking", () => {
    const stream = cat([
      serverFrame(1, "héllo"),
      serverFrame(2, Uint8Array.of(1, 2, 3)),
      serverFrame(9, "p"),
      serverFrame(10, "q"),
      serverFrame(1, "a", { fin: false }),
      serverFrame(9, ""),
      serverFrame(0, "b", { fin: false }),
      serverFrame(0, "c"),
    ]);
    const expected = [
      { type: "text", data: "héllo" },
      { type: "binary", data: Uint8Array.of(1, 2, 3) },
      { type: "ping", data: utf8("p") },
      { type: "pong", data: utf8("q") },
      { type: "ping", data: new Uint8Array() },
      { type: "text", data: "abc" },
    ];
    for (const size of [1, 2, 3, 7, stream.length]) {
      const conn = client();
      const events = [];
      for (let i = 0; i < stream.length; i += size) {
        conn.receiveData(stream.subarray(i, i + size));
        events.push(...drain(conn));
      }
      expect(events).toEqual(expected);
    }
  });

  it("delivers a message whose payload came in one piece as the same bytes, and checks its text", () => {
    // One frame in one chunk; then the same after empty fragments (nothing collected before it).
    for (const frames of [
      [serverFrame(2, Uint8Array.of(9, 8, 7))],
      [serverFrame(2, new Uint8Array(0), { fin: false }), serverFrame(0, Uint8Array.of(9, 8, 7))],
    ]) {
      const conn = client();
      conn.receiveData(cat(frames));
      expect(drain(conn)).toEqual([{ type: "binary", data: Uint8Array.of(9, 8, 7) }]);
      conn.receiveData(serverFrame(1, "ok"));
      expect(drain(conn)).toEqual([{ type: "text", data: "ok" }]);
    }
    const bad = client();
    expect(failure(bad, serverFrame(1, Uint8Array.of(0x61, 0xff)))).toEqual({
      code: "INVALID_UTF8",
      closeCode: 1007,
    });
    const split = client();
    expect(
      failure(
        split,
        serverFrame(1, new Uint8Array(0), { fin: false }),
        serverFrame(0, Uint8Array.of(0xc3)),
      ),
    ).toEqual({ code: "INVALID_UTF8", closeCode: 1007 });
  });

  it("judges small whole frames as any other: limits, masks, continuation, text after fragments", () => {
    expect(failure(client({ maxMessageSize: 4 }), serverFrame(2, new Uint8Array(5)))).toEqual({
      code: "FRAME_TOO_BIG",
      closeCode: 1009,
    });
    expect(
      failure(client({ maxMessageSize: 8, maxFrameSize: 4 }), serverFrame(1, "12345")),
    ).toEqual({ code: "FRAME_TOO_BIG", closeCode: 1009 });
    const masked = Uint8Array.of(0x82, 0x81, 1, 2, 3, 4, 5);
    expect(failure(client(), masked)).toEqual({ code: "MASKED_FRAME", closeCode: 1002 });
    expect(
      failure(client(), serverFrame(1, "a", { fin: false }), serverFrame(2, "b")),
    ).toMatchObject({ code: "EXPECTED_CONTINUATION" });
    const conn = client();
    conn.receiveData(
      cat([
        serverFrame(1, utf8("é").subarray(0, 1), { fin: false }),
        serverFrame(0, utf8("é").subarray(1)),
        serverFrame(1, "ok"),
        serverFrame(2, Uint8Array.of(1)),
      ]),
    );
    expect(drain(conn)).toEqual([
      { type: "text", data: "é" },
      { type: "text", data: "ok" },
      { type: "binary", data: Uint8Array.of(1) },
    ]);
  });

  it("reads 16-bit and 64-bit lengths", () => {
    const conn = client();
    conn.receiveData(serverFrame(2, new Uint8Array(300).fill(7)));
    conn.receiveData(serverFrame(2, new Uint8Array(70000).fill(8)));
    const [a, b] = drain(conn);
    expect((a as { data: Uint8Array }).data.length).toBe(300);
    expect((b as { data: Uint8Array }).data.length).toBe(70000);
  });

  it("keeps a leading BOM in text", () => {
    const conn = client();
    conn.receiveData(serverFrame(1, hex("efbbbf41")));
    expect(drain(conn)).toEqual([{ type: "text", data: "\ufeffA" }]);
  });

  it.each([
    ["reserved data opcode", "8300", "RESERVED_OPCODE", 1002],
    ["reserved control opcode", "8b00", "RESERVED_OPCODE", 1002],
    ["RSV1 without an extension", "c100", "RESERVED_BITS", 1002],
    ["RSV2", "a100", "RESERVED_BITS", 1002],
    ["RSV3", "9100", "RESERVED_BITS", 1002],
    ["fragmented ping", "0900", "FRAGMENTED_CONTROL_FRAME", 1002],
    ["126-byte ping", "897e007e", "CONTROL_FRAME_TOO_LONG", 1002],
    ["stray continuation", "8000", "UNEXPECTED_CONTINUATION", 1002],
    ["new message inside a fragmented one", "01016181016", "EXPECTED_CONTINUATION", 1002],
    ["masked server frame", "818000000000", "MASKED_FRAME", 1002],
    ["64-bit length with the top bit set", "827f8000000000000000", "INVALID_FRAME_LENGTH", 1002],
    ["64-bit length of 2^63-1", "827f7fffffffffffffff", "FRAME_TOO_BIG", 1009],
    ["1-byte close", "880161", "INVALID_CLOSE_PAYLOAD", 1002],
    ["close code 1005", "880203ed", "INVALID_CLOSE_CODE", 1002],
    ["close code 999", "880203e7", "INVALID_CLOSE_CODE", 1002],
    ["close code 5000", "88021388", "INVALID_CLOSE_CODE", 1002],
    ["close reason not UTF-8", "880403e8c0af", "INVALID_UTF8", 1007],
    ["invalid UTF-8 text", "8102c0af", "INVALID_UTF8", 1007],
  ])("refuses %s", (_name, frameHex, code, closeCode) => {
    const bytes = hex(frameHex.length % 2 ? `${frameHex}1` : frameHex);
    expect(failure(client(), bytes)).toEqual({ code, closeCode });
  });

  it("fails on the header, before a huge payload arrives", () => {
    const conn = client({ maxMessageSize: 1000 });
    expect(failure(conn, hex("827f0000000100000000"))).toEqual({
      code: "FRAME_TOO_BIG",
      closeCode: 1009,
    });
  });

  it("limits messages across fragments", () => {
    const conn = client({ maxMessageSize: 10 });
    expect(
      failure(
        conn,
        serverFrame(2, new Uint8Array(6), { fin: false }),
        serverFrame(0, new Uint8Array(6)),
      ),
    ).toEqual({
      code: "MESSAGE_TOO_BIG",
      closeCode: 1009,
    });
    expect(failure(client({ maxFrameSize: 4 }), serverFrame(2, new Uint8Array(5)))).toMatchObject({
      closeCode: 1009,
    });
  });

  it("fails fast on invalid UTF-8 inside an unfinished frame", () => {
    const conn = client();
    conn.receiveData(hex("0115cebae1bdb9cf83cebcceb5"));
    expect(drain(conn)).toEqual([]);
    expect(failure(conn, hex("f4908080"))).toEqual({ code: "INVALID_UTF8", closeCode: 1007 });
  });

  it("keeps throwing after a violation, and still lets the caller close", () => {
    const conn = client({ random: counterRandom() });
    failure(conn, hex("8300"));
    expect(() => conn.nextEvent()).toThrow(RemoteProtocolError);
    expect(conn.state).toBe("closing");
    expect(() => conn.send({ type: "text", data: "x" })).toThrow(LocalProtocolError);
    const [close] = parseFrames(conn.send({ type: "close", code: 1002 }));
    expect(close).toMatchObject({ opcode: 8, masked: true, payload: Uint8Array.of(3, 234) });
    expect(conn.state).toBe("closed");
    conn.receiveData(serverFrame(8, Uint8Array.of(3, 234))); // ignored
    expect(() => conn.nextEvent()).toThrow(RemoteProtocolError);
  });

  it("reports a stream that ends without a close frame as 1006", () => {
    const conn = client();
    conn.receiveData(hex("8105616263")); // 2 bytes short
    conn.receiveData(null);
    expect(drain(conn)).toEqual([{ type: "close", code: 1006, reason: "" }]);
    expect(conn.state).toBe("closed");
    expect(() => conn.send({ type: "close", code: 1000 })).toThrow(LocalProtocolError);
  });
});

describe("close handshake", () => {
  it("peer-initiated: event, echo, then nothing more accepted", () => {
    const conn = client();
    conn.receiveData(
      cat([serverFrame(8, hex("03e8627965")), serverFrame(9, "late"), serverFrame(1, "x")]),
    );
    expect(drain(conn)).toEqual([{ type: "close", code: 1000, reason: "bye" }]);
    expect(conn.state).toBe("closing");
    expect(() => conn.send({ type: "pong" })).toThrow(LocalProtocolError);
    expect(parseFrames(conn.send({ type: "close", code: 1000 }))[0]!.payload).toEqual(hex("03e8"));
    expect(conn.state).toBe("closed");
    expect(() => conn.send({ type: "close" })).toThrow(LocalProtocolError);
    conn.receiveData(serverFrame(1, "more"));
    expect(conn.nextEvent()).toBe(NEED_DATA);
  });

  it("an empty close reads as 1005 and is echoed empty", () => {
    const conn = client();
    conn.receiveData(serverFrame(8));
    expect(drain(conn)).toEqual([{ type: "close", code: 1005, reason: "" }]);
    expect(parseFrames(conn.send({ type: "close" }))[0]!.payload.length).toBe(0);
  });

  it("client-initiated: messages still arrive until the peer's close", () => {
    const conn = client();
    conn.send({ type: "close", code: 1001, reason: "away" });
    expect(conn.state).toBe("closing");
    expect(() => conn.send({ type: "text", data: "x" })).toThrow(LocalProtocolError);
    conn.receiveData(cat([serverFrame(1, "last"), serverFrame(8, hex("03e9"))]));
    expect(drain(conn)).toEqual([
      { type: "text", data: "last" },
      { type: "close", code: 1001, reason: "" },
    ]);
    expect(conn.state).toBe("closed");
  });

  it("validates what the caller sends", () => {
    for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000, 1000.5]) {
      expect(() => client().send({ type: "close", code })).toThrow(LocalProtocolError);
    }
    expect(() => client().send({ type: "close", reason: "no code" })).toThrow(LocalProtocolError);
    expect(() => client().send({ type: "close", code: 1000, reason: "é".repeat(62) })).toThrow(
      LocalProtocolError,
    );
    expect(client().send({ type: "close", code: 4999, reason: "x".repeat(123) }).length).toBe(
      2 + 4 + 125,
    );
  });
});

describe("sending", () => {
  it("masks every frame with keys from the injected source", () => {
    const conn = client({ random: (b) => b.fill(0xff) });
    const bytes = conn.send({ type: "text", data: "hi" });
    expect(Buffer.from(bytes).toString("hex")).toBe("8182ffffffff9796");
  });

  it("sends fragments and interleaved control frames", () => {
    const conn = client();
    const frames = parseFrames(
      cat([
        conn.send({ type: "binary", data: Uint8Array.of(1), fin: false }),
        conn.send({ type: "ping", data: "p" }),
        conn.send({ type: "binary", data: Uint8Array.of(2), fin: false }),
        conn.send({ type: "binary", data: Uint8Array.of(3) }),
        conn.send({ type: "text", data: "t" }),
      ]),
    );
    expect(frames.map((f) => [f.opcode, f.fin])).toEqual([
      [2, false],
      [9, true],
      [0, false],
      [0, true],
      [1, true],
    ]);
    expect(() => {
      conn.send({ type: "text", data: "a", fin: false });
      conn.send({ type: "binary", data: Uint8Array.of(1) });
    }).toThrow(LocalProtocolError);
  });

  it("refuses oversize control payloads and bad data", () => {
    const conn = client();
    expect(() => conn.send({ type: "ping", data: new Uint8Array(126) })).toThrow(
      LocalProtocolError,
    );
    expect(conn.send({ type: "pong", data: new Uint8Array(125) }).length).toBe(2 + 4 + 125);
    expect(() => conn.send({ type: "binary", data: "x" as never })).toThrow(LocalProtocolError);
    expect(() => conn.send({ type: "nope" } as never)).toThrow(LocalProtocolError);
  });
});

describe("auto-pong", () => {
  it("answers the latest ping, pulled by the caller", () => {
    const conn = client({ autoPong: true });
    conn.receiveData(serverFrame(9, "a"));
    conn.receiveData(serverFrame(9, "b"));
    expect(drain(conn).map((e) => e.type)).toEqual(["ping", "ping"]);
    expect(parseFrames(conn.takeAutoPong()!)[0]).toMatchObject({ opcode: 10, payload: utf8("b") });
    expect(conn.takeAutoPong()).toBeNull();
  });

  it("a ping flood keeps one pending pong, not a queue", () => {
    const conn = client({ autoPong: true });
    const ping = serverFrame(9, new Uint8Array(125));
    for (let i = 0; i < 100_000; i++) {
      conn.receiveData(ping);
      conn.nextEvent();
    }
    expect(parseFrames(conn.takeAutoPong()!)).toHaveLength(1);
    expect(conn.takeAutoPong()).toBeNull();
  });

  it("stops once a close went out", () => {
    const conn = client({ autoPong: true });
    conn.receiveData(serverFrame(9, "a"));
    drain(conn);
    conn.send({ type: "close", code: 1000 });
    expect(conn.takeAutoPong()).toBeNull();
  });
});

describe("streaming mode", () => {
  it("delivers pieces as they arrive, text split mid-character", () => {
    const conn = client({ streamMessages: true });
    const text = utf8("aé€😀");
    const stream = cat([
      serverFrame(1, text.subarray(0, 4), { fin: false }),
      serverFrame(0, text.subarray(4)),
    ]);
    const events = [];
    for (let i = 0; i < stream.length; i++) {
      conn.receiveData(stream.subarray(i, i + 1));
      events.push(...drain(conn));
    }
    expect(events.at(-1)).toMatchObject({ type: "text", fin: true });
    expect(events.slice(0, -1).every((e) => e.type === "text" && e.fin === false)).toBe(true);
    expect(events.map((e) => (e as { data: string }).data).join("")).toBe("aé€😀");
  });

  it("streams binary, reports an empty final frame, and fails fast on bad text", () => {
    const conn = client({ streamMessages: true });
    conn.receiveData(cat([serverFrame(2, "ab", { fin: false }), serverFrame(0, "")]));
    expect(drain(conn)).toEqual([
      { type: "binary", data: utf8("ab"), fin: false },
      { type: "binary", data: new Uint8Array(), fin: true },
    ]);
    expect(failure(conn, hex("0103610000"), hex("8001ff"))).toEqual({
      code: "INVALID_UTF8",
      closeCode: 1007,
    });
    expect(failure(client({ streamMessages: true }), hex("8101e2"))).toEqual({
      code: "INVALID_UTF8",
      closeCode: 1007,
    });
  });
});

describe("server role", () => {
  it("requires and removes masks (round trip with a client)", () => {
    const c = client();
    const s = new WebSocketConnection({ role: "server" });
    s.receiveData(c.send({ type: "text", data: "x".repeat(1000) }));
    s.receiveData(c.send({ type: "ping", data: "p" }));
    expect(drain(s)).toEqual([
      { type: "text", data: "x".repeat(1000) },
      { type: "ping", data: utf8("p") },
    ]);
    expect(parseFrames(s.send({ type: "binary", data: Uint8Array.of(1) }))[0]!.masked).toBe(false);
    expect(failure(new WebSocketConnection({ role: "server" }), serverFrame(1, "x"))).toEqual({
      code: "UNMASKED_FRAME",
      closeCode: 1002,
    });
  });
});

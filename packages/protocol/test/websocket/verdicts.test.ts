// Same bytes, same verdict for WebSocket frames (issue 22 §1): size limits,
// reserved opcodes and bits, close codes and UTF-8 are judged in the order the
// bytes arrive, fragmented or not, however the bytes are split.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NEED_DATA,
  RemoteProtocolError,
  type WebSocketConnectionOptions,
} from "../../src/index.ts";
import { splittings } from "../splittings.ts";
import { cat, client, serverFrame, toHex, utf8 } from "./helpers.ts";

interface Verdict {
  events: unknown[];
  code: string | undefined;
  closeCode: number | undefined;
}

/**
 * Feeds server frames to a client under every splitting, then ends the
 * stream, buffered and streaming: the error must agree everywhere, the events
 * within each mode (streamed text and binary pieces follow the split, so only
 * the other events are compared there). Returns the buffered verdict.
 */
function verdict(bytes: Uint8Array, options: Partial<WebSocketConnectionOptions> = {}): Verdict {
  const firsts: Verdict[] = [];
  for (const stream of [false, true])
    for (const { name, pieces } of splittings(bytes)) {
      const conn = client({ ...options, streamMessages: stream });
      const events: unknown[] = [];
      let error: RemoteProtocolError | undefined;
      try {
        for (const piece of [...pieces, null]) {
          conn.receiveData(piece);
          // Not drain(): events before a throw must be kept.
          for (let ev = conn.nextEvent(); ev !== NEED_DATA; ev = conn.nextEvent()) {
            if (stream && (ev.type === "text" || ev.type === "binary")) continue;
            const data = "data" in ev && ev.data instanceof Uint8Array ? toHex(ev.data) : undefined;
            events.push(data === undefined ? ev : { ...ev, data });
          }
        }
      } catch (e) {
        if (!(e instanceof RemoteProtocolError)) throw e;
        error = e;
      }
      const got = { events, code: error?.code, closeCode: error?.closeCode };
      const first = (firsts[Number(stream)] ??= got);
      const where = `${name}, streamMessages ${stream}`;
      expect(got, where).toEqual(first);
      expect([got.code, got.closeCode], where).toEqual([firsts[0]!.code, firsts[0]!.closeCode]);
    }
  return firsts[0]!;
}

const valid = (n: number) => utf8("a".repeat(n));
/** `n` bytes of valid text with an invalid UTF-8 byte at `at`. */
const invalidAt = (n: number, at: number) => {
  const bytes = valid(n);
  bytes[at] = 0xff;
  return bytes;
};

describe("a limit crossed before the first malformed byte wins", () => {
  it("a continuation frame over the message limit, an invalid UTF-8 byte beyond it", () => {
    const bytes = cat([
      serverFrame(1, valid(600), { fin: false }),
      serverFrame(0, invalidAt(600, 500)),
    ]);
    expect(verdict(bytes, { maxMessageSize: 1000 })).toEqual({
      events: [],
      code: "MESSAGE_TOO_BIG",
      closeCode: 1009,
    });
  });

  it("one frame over the limit, an invalid UTF-8 byte and a bad frame beyond it", () => {
    const bytes = cat([serverFrame(1, invalidAt(2000, 1500)), Uint8Array.of(0x83, 0x00)]);
    expect(verdict(bytes, { maxMessageSize: 1000 }).closeCode).toBe(1009);
  });
});

describe("a malformed byte before the limit wins", () => {
  it("invalid UTF-8 in a first fragment, then a continuation over the limit", () => {
    const bytes = cat([
      serverFrame(1, invalidAt(600, 10), { fin: false }),
      serverFrame(0, valid(600)),
    ]);
    expect(verdict(bytes, { maxMessageSize: 1000 })).toMatchObject({
      code: "INVALID_UTF8",
      closeCode: 1007,
    });
  });

  it("a reserved opcode or reserved bits, in a frame's first byte, before its length", () => {
    for (const [b0, code] of [
      [0x83, "RESERVED_OPCODE"],
      [0xc1, "RESERVED_BITS"],
      [0x00, "UNEXPECTED_CONTINUATION"],
      [0x09, "FRAGMENTED_CONTROL_FRAME"],
    ] as const) {
      // The stream ends after the one byte: it alone decides.
      expect(verdict(Uint8Array.of(b0)), code).toMatchObject({ code, closeCode: 1002 });
      const overLimit = Uint8Array.of(b0, 0x7f, 0, 0, 0, 0, 0, 0x10, 0, 0);
      expect(verdict(overLimit, { maxMessageSize: 1000 }), code).toMatchObject({ code });
    }
  });

  it("a close frame: its length, then its code, then its reason, also cut by the stream's end", () => {
    const close = (code: number, reason: Uint8Array) =>
      serverFrame(8, cat([Uint8Array.of(code >> 8, code & 255), reason]));
    const badReason = Uint8Array.of(0x61, 0xff, 0x61);
    expect(verdict(close(1005, badReason)).code).toBe("INVALID_CLOSE_CODE");
    expect(verdict(close(1000, badReason))).toMatchObject({
      code: "INVALID_UTF8",
      closeCode: 1007,
    });
    expect(verdict(Uint8Array.of(0x88, 0x01)).code).toBe("INVALID_CLOSE_PAYLOAD");
    // Cut short by the end of the stream: the bytes that arrived decide.
    expect(verdict(close(1005, badReason).subarray(0, 4)).code).toBe("INVALID_CLOSE_CODE");
    expect(verdict(close(1000, badReason).subarray(0, 6)).code).toBe("INVALID_UTF8");
    expect(verdict(close(1000, utf8("bye")).subarray(0, 6))).toMatchObject({
      code: undefined,
      events: [{ type: "close", code: 1006 }],
    });
  });

  it("fragmented text with a ping in between, an invalid byte in the last fragment", () => {
    const bytes = cat([
      serverFrame(1, valid(5), { fin: false }),
      serverFrame(9, "p"),
      serverFrame(0, invalidAt(5, 2)),
    ]);
    expect(verdict(bytes, { maxMessageSize: 1000 })).toEqual({
      events: [{ type: "ping", data: toHex(utf8("p")) }],
      code: "INVALID_UTF8",
      closeCode: 1007,
    });
  });
});

describe("any frames near the limits", () => {
  // Frame heads from every opcode and bit mix, lengths around the limits,
  // payloads from bytes that make or break UTF-8 and close codes.
  const payloadByte = fc.constantFrom(0x61, 0x03, 0xe8, 0xff, 0xc3, 0xa9, 0xe2, 0x82, 0xac);
  const frame = fc
    .record({
      b0: fc.integer({ min: 0, max: 255 }),
      payload: fc.array(payloadByte, { maxLength: 80 }),
      wide: fc.boolean(),
    })
    .map(({ b0, payload, wide }) => {
      const n = payload.length;
      const head = wide ? [b0, 126, 0, n] : [b0, n];
      return Uint8Array.from([...head, ...payload]);
    });
  const cutShort = fc.nat();

  it("reach one verdict for every split", () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 4 }), cutShort, (frames, cut) => {
        const bytes = cat(frames);
        // Sometimes the stream ends mid-frame.
        const end = cut % 3 === 0 ? bytes.length - (cut % bytes.length) : bytes.length;
        verdict(bytes.subarray(0, end), { maxMessageSize: 64, maxFrameSize: 48 });
      }),
      { numRuns: 300, seed: 22 },
    );
  });
});

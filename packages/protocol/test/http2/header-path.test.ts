// The receive path of a header section, piece by piece: octets cut anywhere →
// FrameReader → HeaderBlockJoiner → HpackDecoder, against what HpackEncoder
// and FrameWriter produced.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../src/bytes.ts";
import type { HeaderPair } from "../../src/http/headers.ts";
import { HeaderBlockJoiner } from "../../src/http2/frames/header-block.ts";
import { FrameReader } from "../../src/http2/frames/reader.ts";
import { FrameWriter } from "../../src/http2/frames/writer.ts";
import { HpackDecoder } from "../../src/http2/hpack/decoder.ts";
import { HpackEncoder } from "../../src/http2/hpack/encoder.ts";
import { NEED_DATA } from "../../src/need-data.ts";

describe("header sections through frames and HPACK", () => {
  it("decode to the lists sent, for any cut of the octets", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
    const value = fc.string({ maxLength: 3000 });
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(name, value), { maxLength: 20 }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lists, cuts) => {
          const latin1Lists = lists.map((list) =>
            list.map(([n, v]): HeaderPair => [n, v.replace(/[^\x00-\xff]/g, "?")]),
          );
          const encoder = new HpackEncoder();
          const writer = new FrameWriter();
          const wire = concatBytes(
            latin1Lists.map((list, i) => writer.headers(2 * i + 1, encoder.encode(list))),
          );
          const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const reader = new FrameReader();
          const joiner = new HeaderBlockJoiner({ maxHeaderBlockSize: 1 << 20 });
          const decoder = new HpackDecoder({ maxHeaderListSize: 1 << 20 });
          const received: HeaderPair[][] = [];
          [...points, wire.length].forEach((point, i, all) => {
            reader.receiveData(wire.subarray(i === 0 ? 0 : all[i - 1]!, point));
            for (let f = reader.nextFrame(); f !== NEED_DATA; f = reader.nextFrame()) {
              const frame = joiner.accept(f);
              if (frame?.type === "headers") received.push(decoder.decode(frame.fragment));
            }
          });
          expect(received).toEqual(latin1Lists);
        },
      ),
      { numRuns: 100 },
    );
  });
});

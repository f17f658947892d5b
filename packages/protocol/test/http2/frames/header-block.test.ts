import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import { type ProtocolError, RemoteProtocolError } from "../../../src/errors.ts";
import { HeaderBlockJoiner } from "../../../src/http2/frames/header-block.ts";
import { FrameReader } from "../../../src/http2/frames/reader.ts";
import type { Http2Frame } from "../../../src/http2/frames/types.ts";
import { FrameWriter } from "../../../src/http2/frames/writer.ts";
import { NEED_DATA } from "../../../src/need-data.ts";

const writer = new FrameWriter();
const block = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => i & 0xff);

/** Frames of `wire` after the joiner, fed in `chunks`; `seen` counts the frames read. */
function joined(chunks: Uint8Array[], joiner = new HeaderBlockJoiner(), seen = { frames: 0 }) {
  const reader = new FrameReader();
  const out: Http2Frame[] = [];
  for (const chunk of chunks) {
    reader.receiveData(chunk);
    for (let f = reader.nextFrame(); f !== NEED_DATA; f = reader.nextFrame()) {
      seen.frames++;
      const frame = joiner.accept(f);
      if (frame !== undefined) out.push(frame);
    }
  }
  return out;
}
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RemoteProtocolError);
    return (error as ProtocolError).code;
  }
  throw new Error("expected a RemoteProtocolError");
}

describe("HeaderBlockJoiner", () => {
  it("joins HEADERS and CONTINUATIONs into one block; other frames pass", () => {
    const big = block(40_000);
    const frames = joined([
      writer.ping(new Uint8Array(8)),
      writer.headers(1, big, { endStream: true }),
      writer.headers(3, block(10)),
      writer.data(1, block(3)),
    ]);
    expect(frames.map((f) => f.type)).toEqual(["ping", "headers", "headers", "data"]);
    expect(frames[1]).toMatchObject({ streamId: 1, endStream: true, endHeaders: true });
    expect((frames[1] as { fragment: Uint8Array }).fragment).toEqual(big);
  });

  it("refuses another frame, or a CONTINUATION of another stream, inside a block", () => {
    const open = writer.headers(1, block(20_000)).subarray(0, 9 + 16_384); // HEADERS alone
    expect(codeOf(() => joined([open, writer.ping(new Uint8Array(8))]))).toBe(
      "H2_EXPECTED_CONTINUATION",
    );
    expect(codeOf(() => joined([open, writer.continuation(3, block(1), true)]))).toBe(
      "H2_EXPECTED_CONTINUATION",
    );
  });

  it("refuses a CONTINUATION with no open block", () => {
    expect(codeOf(() => joined([writer.continuation(1, block(1), true)]))).toBe(
      "H2_UNEXPECTED_CONTINUATION",
    );
  });

  it("stops a CONTINUATION flood of empty frames at the frame limit", () => {
    const frames: Uint8Array[] = [writer.headers(1, block(0)).slice()];
    frames[0]![4] = 0; // clear END_HEADERS: the block stays open
    for (let i = 0; i < 10_000; i++) frames.push(writer.continuation(1, block(0), false));
    const seen = { frames: 0 };
    expect(
      codeOf(() =>
        joined([concatBytes(frames)], new HeaderBlockJoiner({ maxContinuationFrames: 16 }), seen),
      ),
    ).toBe("H2_HEADER_BLOCK_TOO_LARGE");
    expect(seen.frames).toBe(1 + 17); // HEADERS, 16 CONTINUATIONs allowed, the 17th refused
  });

  it("stops a block growing past the size limit before keeping it", () => {
    const seen = { frames: 0 };
    const wire = writer.headers(1, block(100_000));
    expect(
      codeOf(() => joined([wire], new HeaderBlockJoiner({ maxHeaderBlockSize: 20_000 }), seen)),
    ).toBe("H2_HEADER_BLOCK_TOO_LARGE");
    expect(seen.frames).toBe(2); // the second 16 KiB frame crosses 20 000
  });

  it("gives the same frames for any split and any frame size (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 16_384, max: 40_000 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lengths, frameSize, cuts) => {
          const sender = new FrameWriter();
          sender.setMaxFrameSize(frameSize);
          const wire = concatBytes(lengths.map((n, i) => sender.headers(2 * i + 1, block(n))));
          const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const chunks = [...points, wire.length].map((p, i, all) =>
            wire.subarray(i === 0 ? 0 : all[i - 1]!, p),
          );
          const reader = new FrameReader({ maxFrameSize: frameSize });
          const out: Http2Frame[] = [];
          const joiner = new HeaderBlockJoiner();
          for (const chunk of chunks) {
            reader.receiveData(chunk);
            for (let f = reader.nextFrame(); f !== NEED_DATA; f = reader.nextFrame()) {
              const frame = joiner.accept(f);
              if (frame !== undefined) out.push(frame);
            }
          }
          expect(out.map((f) => (f as { fragment: Uint8Array }).fragment.length)).toEqual(lengths);
          expect(joiner.inBlock).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("what the joiner and the reader hold", () => {
  it("bufferedLength counts the open block's octets; discard drops the block", () => {
    const joiner = new HeaderBlockJoiner();
    const first = writer.headers(1, block(10)).slice();
    first[4] = first[4]! & ~0x4; // no END_HEADERS
    joined([first, writer.continuation(1, block(30), false)], joiner);
    expect(joiner.bufferedLength).toBe(40);
    expect(joiner.inBlock).toBe(true);
    joiner.discard();
    expect(joiner.bufferedLength).toBe(0);
    expect(joiner.inBlock).toBe(false);
  });

  it("FrameReader.discard drops a partial frame; the next octets start a new frame", () => {
    const reader = new FrameReader();
    reader.receiveData(writer.ping(new Uint8Array(8)).subarray(0, 12));
    expect(reader.nextFrame()).toBe(NEED_DATA);
    expect(reader.buffered).toBe(12);
    reader.discard();
    expect(reader.buffered).toBe(0);
    reader.receiveData(writer.settingsAck());
    expect(reader.nextFrame()).toMatchObject({ type: "settings", ack: true });
  });
});

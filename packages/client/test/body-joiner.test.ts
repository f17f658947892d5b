// bytes()'s joiner (src/body-joiner.ts): an HTTP/2 body of known length is
// copied into one array allocated at its first piece; a body that breaks its
// promised length, or has none, still joins to exactly what arrived.
import { describe, expect, it } from "vitest";
import { BodyJoiner } from "../src/body-joiner.ts";
import { bytesToOverwrite, concatBytes } from "../src/connection/bytes.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("BodyJoiner", () => {
  it("copies pieces into one array of the expected length", () => {
    const joiner = new BodyJoiner(5);
    const first = bytes(1, 2);
    joiner.add(first);
    joiner.add(bytes(3, 4, 5));
    const out = joiner.result();
    expect([...out]).toEqual([1, 2, 3, 4, 5]);
    expect(out.buffer).not.toBe(first.buffer);
    expect(out.byteLength).toBe(out.buffer.byteLength);
  });

  it("returns a whole first piece as it is", () => {
    const joiner = new BodyJoiner(3);
    const piece = bytes(7, 8, 9);
    joiner.add(piece);
    expect(joiner.result()).toBe(piece);
  });

  it("joins more bytes than expected", () => {
    const joiner = new BodyJoiner(3);
    joiner.add(bytes(1, 2));
    joiner.add(bytes(3, 4));
    joiner.add(bytes(5));
    expect([...joiner.result()]).toEqual([1, 2, 3, 4, 5]);
  });

  it("gives fewer bytes than expected as they are", () => {
    const joiner = new BodyJoiner(10);
    joiner.add(bytes(1, 2));
    joiner.add(new Uint8Array(0));
    joiner.add(bytes(3));
    expect([...joiner.result()]).toEqual([1, 2, 3]);
  });

  it("joins pieces of an unknown or very large length from a list", () => {
    for (const expected of [undefined, 2 ** 40]) {
      const joiner = new BodyJoiner(expected);
      joiner.add(bytes(1));
      joiner.add(bytes(2, 3));
      expect([...joiner.result()]).toEqual([1, 2, 3]);
    }
    expect(new BodyJoiner(4).result().length).toBe(0);
  });

  it("hands out no byte it did not write when a large body comes short", () => {
    const joiner = new BodyJoiner(64 * 1024);
    joiner.add(new Uint8Array(10_000).fill(1));
    joiner.add(new Uint8Array(6_000).fill(2));
    const out = joiner.result();
    expect(out.length).toBe(16_000);
    // Not a view of the larger array: its memory past the written part was never zeroed.
    expect(out.buffer.byteLength).toBe(16_000);
    expect(out.every((value, i) => value === (i < 10_000 ? 1 : 2))).toBe(true);
  });

  it("fills a large body of known length into a plain Uint8Array of its own", () => {
    const joiner = new BodyJoiner(40_000);
    for (let i = 0; i < 4; i++) joiner.add(new Uint8Array(10_000).fill(i + 1));
    const out = joiner.result();
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(40_000);
    expect([out[0], out[10_000], out[20_000], out[39_999]]).toEqual([1, 2, 3, 4]);
  });
});

describe("bytesToOverwrite", () => {
  it("gives plain Uint8Arrays over buffers of exactly their length", () => {
    for (const length of [0, 100, 4096, 70_000]) {
      const out = bytesToOverwrite(length);
      expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
      expect(out.length).toBe(length);
      expect(out.byteOffset).toBe(0);
      expect(out.buffer.byteLength).toBe(length);
    }
  });
});

describe("concatBytes", () => {
  it("zeroes what the pieces do not fill when told a larger total", () => {
    const out = concatBytes([new Uint8Array(3000).fill(1), new Uint8Array(3000).fill(2)], 8000);
    expect(out.length).toBe(8000);
    expect(out.subarray(6000).every((value) => value === 0)).toBe(true);
    expect(out[2999]).toBe(1);
    expect(out[3000]).toBe(2);
  });
});

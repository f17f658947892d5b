import { describe, expect, test } from "vitest";
import { ReadSlab } from "../src/read-slab.ts";

const KiB = 1024;

/** Plays a socket read: writes `count` bytes of `fill` into the region and takes them. */
function read(slab: ReadSlab, count: number, fill = 0xab): Uint8Array {
  const region = slab.region();
  expect(region.byteLength).toBeGreaterThanOrEqual(count);
  region.fill(fill, 0, count);
  return slab.take(count);
}

/**
 * A slab past its small first one, as after a connection's first reply of a
 * whole 16 KiB and the write of its next request: the next region is a full
 * 128 KiB slab (a 16 KiB reply fits in it twice, so no reply sizing yet).
 */
function pastFirstSlab(allocate?: (size: number) => Uint8Array): ReadSlab {
  const slab = new ReadSlab(allocate);
  const first = slab.region();
  expect(first.byteLength).toBe(16 * KiB);
  first.fill(1);
  slab.takeView(16 * KiB);
  slab.wrote();
  return slab;
}

describe("ReadSlab", () => {
  test("small reads are copied out and the same region is read into again", () => {
    const slab = new ReadSlab();
    const region = slab.region();
    const first = read(slab, 100, 1);
    expect(slab.region()).toBe(region);
    const second = read(slab, 100, 2);
    // A copy: the second read overwrote the region, the first chunk kept its bytes.
    expect(first.every((b) => b === 1)).toBe(true);
    expect(second.every((b) => b === 2)).toBe(true);
    expect(first.buffer.byteLength).toBe(100);
  });

  test("the first slab is 16 KiB and serves one read; a full slab follows", () => {
    const sizes: number[] = [];
    const slab = new ReadSlab((size) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0x5a);
    });
    const region = slab.region();
    expect(region.byteLength).toBe(16 * KiB);
    region.fill(6, 0, 200);
    const head = slab.takeView(200);
    // The view's slab is zeroed past the read: 16 KiB touched, not 128.
    const whole = new Uint8Array(head.buffer);
    expect(whole.byteLength).toBe(16 * KiB);
    expect(whole.subarray(200).every((b) => b === 0)).toBe(true);
    // Its tail is under 16 KiB: the next read goes to a full slab.
    const next = slab.region();
    expect(next.byteOffset).toBe(0);
    expect(next.byteLength).toBe(128 * KiB);
    expect(sizes).toEqual([16 * KiB, 128 * KiB]);
    expect(head.every((b) => b === 6)).toBe(true);
  });

  test("takeView hands a small read out as a view and the next read lands after it", () => {
    const slab = pastFirstSlab();
    const region = slab.region();
    region.fill(3, 0, 100);
    const first = slab.takeView(100);
    expect(first.buffer.byteLength).toBe(128 * KiB);
    const next = slab.region();
    expect(next).not.toBe(region);
    expect(next.byteOffset).toBe(100);
    next.fill(4);
    expect(first.every((b) => b === 3)).toBe(true);
  });

  test("a large read is handed out as a view and the next read lands after it", () => {
    const slab = pastFirstSlab();
    const chunk = read(slab, 40 * KiB, 7);
    expect(chunk.buffer.byteLength).toBe(128 * KiB);
    expect(chunk.byteOffset).toBe(0);
    const next = slab.region();
    expect(next.buffer).toBe(chunk.buffer);
    expect(next.byteOffset).toBe(40 * KiB);
    next.fill(9);
    expect(chunk.every((b) => b === 7)).toBe(true);
  });

  test("a tail under 16 KiB is retired for a fresh slab", () => {
    const slab = pastFirstSlab();
    const chunk = read(slab, 120 * KiB);
    const next = slab.region();
    expect(next.buffer).not.toBe(chunk.buffer);
    expect(next.byteLength).toBe(128 * KiB);
  });

  test("after a write, a tail shorter than the last reply gives way to a slab the reply fits in", () => {
    const slab = pastFirstSlab();
    const reply = 66 * KiB;
    read(slab, reply);
    // Without a write the 62 KiB tail is kept (a stream fills slabs whole).
    expect(slab.region().byteLength).toBe(128 * KiB - reply);
    slab.wrote();
    const sized = slab.region();
    expect(sized.byteOffset).toBe(0);
    // Two such replies do not fit in 128 KiB: one reply plus a 4 KiB margin.
    expect(sized.byteLength).toBe(reply + 4 * KiB);
    const second = read(slab, reply);
    expect(second.byteLength).toBe(reply);
  });

  test("a tail used up between replies gives way to a slab sized for the last reply, which the next one fills", () => {
    const slab = pastFirstSlab();
    const reply = 66 * KiB;
    read(slab, reply);
    slab.wrote();
    read(slab, reply); // into a reply-sized slab (reply + 4 KiB)
    // The 4 KiB tail is used up before the next write: its successor is sized for the last
    // reply, not 128 KiB that the next write would retire half unused.
    const between = slab.region();
    expect(between.byteOffset).toBe(0);
    expect(between.byteLength).toBe(reply + 4 * KiB);
    slab.wrote();
    expect(slab.region()).toBe(between);
    const third = read(slab, reply);
    expect(third.buffer).toBe(between.buffer);
  });

  test("replies that fit twice keep the 128 KiB slab and its tail", () => {
    const slab = pastFirstSlab();
    const first = read(slab, 40 * KiB);
    slab.wrote();
    const next = slab.region();
    expect(next.buffer).toBe(first.buffer);
    expect(next.byteOffset).toBe(40 * KiB);
  });

  test("region() returns the same object until a read or a write changes it", () => {
    const slab = pastFirstSlab();
    const a = slab.region();
    expect(slab.region()).toBe(a);
    read(slab, 50 * KiB);
    const b = slab.region();
    expect(b).not.toBe(a);
    expect(slab.region()).toBe(b);
  });

  test("uninitialized slabs: the part no read filled is zeroed before a view is handed out", () => {
    const sizes: number[] = [];
    // Plays leftover process memory: every byte 0x5a until a read or the zeroing covers it.
    const slab = pastFirstSlab((size) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0x5a);
    });
    const small = read(slab, 10, 1);
    expect(small.buffer.byteLength).toBe(10);
    const view = read(slab, 50 * KiB, 2);
    expect(sizes).toEqual([16 * KiB, 128 * KiB]);
    const whole = new Uint8Array(view.buffer);
    // The view's own bytes, then zeros: nothing of the "leftover" 0x5a is visible.
    expect(whole.subarray(0, 50 * KiB).every((b) => b === 2)).toBe(true);
    expect(whole.subarray(50 * KiB).every((b) => b === 0)).toBe(true);
  });

  test("uninitialized slabs: small copied reads never expose the slab", () => {
    const slab = pastFirstSlab((size) => new Uint8Array(size).fill(0x5a));
    const chunk = read(slab, 32 * KiB, 3);
    expect(chunk.buffer.byteLength).toBe(32 * KiB);
    expect(chunk.every((b) => b === 3)).toBe(true);
  });

  test("release() drops the slab; the next region is a fresh one", () => {
    const slab = pastFirstSlab();
    const chunk = read(slab, 40 * KiB);
    slab.release();
    const fresh = slab.region();
    expect(fresh.buffer).not.toBe(chunk.buffer);
    expect(fresh.byteOffset).toBe(0);
  });
});

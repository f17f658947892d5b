import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteQueue } from "../../src/websocket/byte-queue.ts";

describe("ByteQueue", () => {
  it("hands the bytes out in order across pushes and takes that reuse its slots", () => {
    // Each step pushes some chunks, then takes some bytes; checked against a plain byte list.
    const step = fc.record({
      chunks: fc.array(fc.uint8Array({ maxLength: 9 }), { maxLength: 4 }),
      take: fc.nat(30),
      skip: fc.nat(3),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const queue = new ByteQueue();
        const want: number[] = [];
        for (const { chunks, take, skip } of steps) {
          for (const chunk of chunks) {
            queue.push(chunk);
            want.push(...chunk);
          }
          expect(queue.length).toBe(want.length);
          const skipped = Math.min(skip, want.length);
          queue.skip(skipped);
          want.splice(0, skipped);
          if (want.length > 0) {
            expect(queue.peek(want.length - 1)).toBe(want[want.length - 1]);
            expect(queue.frontLeft).toBeGreaterThan(0);
          } else {
            expect(queue.frontLeft).toBe(0);
          }
          const n = Math.min(take, want.length);
          if (n > 0) expect([...queue.take(n)]).toEqual(want.splice(0, n));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("keeps its order past the compaction of spent slots", () => {
    const queue = new ByteQueue();
    // Always one chunk left behind, so the queue never empties and its head walks past 1024.
    queue.push(Uint8Array.of(0));
    for (let i = 1; i <= 3000; i++) {
      queue.push(Uint8Array.of(i & 255));
      expect([...queue.take(1)]).toEqual([(i - 1) & 255]);
    }
    expect(queue.length).toBe(1);
    expect([...queue.take(1)]).toEqual([3000 & 255]);
    expect(queue.frontLeft).toBe(0);
  });
});

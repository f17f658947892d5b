// The HTTP/2 link's write queue (src/connection/http2/coalescing-writer.ts)
// on its own: a burst leaves as one write, in order; each write resolves once
// its octets went out; a failed write stops it; stop() drops what waits.
// The transport here is a function that records writes and lets the test
// decide when each one completes (the socket-level behaviour is covered by
// http2.test.ts, which counts the writes of 100 requests on loopback).
import { describe, expect, it } from "vitest";
import { CoalescingWriter } from "../src/connection/http2/coalescing-writer.ts";

/** A write function whose writes complete when the test says so. */
function recorder() {
  const writes: number[][] = [];
  const settle: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      writes.push([...bytes]);
      settle.push({ resolve, reject });
    });
  return { writes, settle, write };
}

const bytes = (...values: number[]) => Uint8Array.from(values);
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe("CoalescingWriter", () => {
  it("sends what one turn hands over as one write, then what came meanwhile as the next", async () => {
    const t = recorder();
    const writer = new CoalescingWriter(t.write, () => {
      throw new Error("no failure expected");
    });
    const done: number[] = [];
    void writer.write(bytes(1)).then(() => done.push(1));
    void writer.write(bytes(2, 3)).then(() => done.push(2));
    await tick();
    expect(t.writes).toEqual([[1, 2, 3]]);
    void writer.write(bytes(4)).then(() => done.push(4));
    void writer.write(bytes(5)).then(() => done.push(5));
    await tick();
    // The first write is still under way: the others wait for it.
    expect([t.writes.length, done]).toEqual([1, []]);
    t.settle[0]!.resolve();
    await tick();
    expect(t.writes).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(done).toEqual([1, 2]);
    t.settle[1]!.resolve();
    await tick();
    expect(done).toEqual([1, 2, 4, 5]);
    // Nothing to say: resolves at once.
    await writer.write(new Uint8Array(0));
  });

  it("a failed write is reported once, and what waited is dropped (its writers resolve)", async () => {
    const t = recorder();
    const failures: unknown[] = [];
    const writer = new CoalescingWriter(t.write, (error) => failures.push(error));
    const first = writer.write(bytes(1));
    await tick();
    const waiting = writer.write(bytes(2));
    const boom = new Error("reset");
    t.settle[0]!.reject(boom);
    await Promise.all([first, waiting]);
    expect(failures).toEqual([boom]);
    expect(t.writes).toEqual([[1]]);
    await writer.write(bytes(3));
    expect(t.writes).toEqual([[1]]);
  });

  it("stop() resolves after the write under way; nothing handed over later goes out", async () => {
    const t = recorder();
    const writer = new CoalescingWriter(t.write, () => undefined);
    void writer.write(bytes(1));
    await tick();
    void writer.write(bytes(2));
    let stopped = false;
    const stopping = writer.stop().then(() => {
      stopped = true;
    });
    await tick();
    expect(stopped).toBe(false);
    t.settle[0]!.resolve();
    await stopping;
    await tick();
    expect(t.writes).toEqual([[1]]);
  });
});

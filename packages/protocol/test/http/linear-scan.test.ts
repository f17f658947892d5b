// Drip-fed heads, trailers and chunk-size lines must cost work linear in the
// bytes received (issue 16 item 1). Measured as growth of work, not time: the
// line search is the only scan that runs on every piece, and it is a native
// Uint8Array indexOf, so the test counts the bytes each indexOf call may
// examine (from its start index to the end of the array it runs on).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bytesOf, drive } from "./drive.ts";

let examined = 0;
const nativeIndexOf = Uint8Array.prototype.indexOf;

beforeEach(() => {
  examined = 0;
  Uint8Array.prototype.indexOf = function (this: Uint8Array, value: number, from = 0) {
    examined += Math.max(0, this.length - (from < 0 ? this.length + from : from));
    return nativeIndexOf.call(this, value, from);
  };
});
afterEach(() => {
  Uint8Array.prototype.indexOf = nativeIndexOf;
});

const limits = { maxHeaderBytes: 256 * 1024, maxChunkLineBytes: 256 * 1024 };

/** Bytes examined while feeding `wire(size)` one byte at a time; the response must succeed. */
function workByteByByte(wire: (size: number) => string, size: number): number {
  const bytes = bytesOf(wire(size));
  examined = 0;
  const out = drive(
    Array.from(bytes, (b) => Uint8Array.of(b)),
    { options: limits },
  );
  const work = examined;
  expect(out.error).toBeUndefined();
  expect(out.events.at(-1)?.type).toBe("end");
  // The count must see the scan at all, or a ratio of two zeros would pass.
  expect(work).toBeGreaterThanOrEqual(size);
  return work;
}

const cases: Record<string, (size: number) => string> = {
  "a response head": (n) =>
    `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(n)}\r\nContent-Length: 0\r\n\r\n`,
  "a 1xx head": (n) =>
    `HTTP/1.1 103 Early Hints\r\nLink: ${"a".repeat(n)}\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n`,
  "a trailer section": (n) =>
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: ${"a".repeat(n)}\r\n\r\n`,
  "a chunk-size line": (n) =>
    `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;x=${"a".repeat(n)}\r\nz\r\n0\r\n\r\n`,
};

describe("drip-fed lines cost linear work (issue 16)", () => {
  for (const [what, wire] of Object.entries(cases)) {
    it(`${what}: 64 KiB fed byte by byte costs ~4x the work of 16 KiB`, () => {
      const small = workByteByByte(wire, 16 * 1024);
      const large = workByteByByte(wire, 64 * 1024);
      // Linear gives 4; the old scan over the whole backing array gave ~16.
      expect(large / small).toBeLessThan(6);
    });
  }
});

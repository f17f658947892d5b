// The client asks the Node transport for shared reads on HTTP/1.1 connections
// (small reads as views of a 128 KiB read slab, no copy per read): the small
// body pieces it hands out are copies, so a kept piece pins no slab.
import { describe, expect, it } from "vitest";
import { serve, session } from "./harness.ts";

describe("HTTP/1.1 on shared reads", () => {
  it("hands out small body pieces that keep no read buffer alive, keep-alive after keep-alive", async () => {
    let n = 0;
    const server = await serve((_req, res) => res.end(`reply ${++n}`));
    const s = session();
    const kept: Uint8Array[] = [];
    for (let i = 1; i <= 5; i++) {
      const res = await s.get(server.url);
      for await (const piece of res) kept.push(piece);
    }
    for (let i = 1; i <= 5; i++) {
      const piece = kept[i - 1]!;
      // Later reads never wrote into an earlier piece.
      expect(new TextDecoder().decode(piece)).toBe(`reply ${i}`);
      expect(piece.buffer.byteLength).toBeLessThan(1024);
    }
    const res = await s.get(server.url);
    const bytes = await res.bytes();
    expect(new TextDecoder().decode(bytes)).toBe("reply 6");
    expect(bytes.buffer.byteLength).toBeLessThan(1024);
    expect(server.accepted).toBe(1);
  });
});

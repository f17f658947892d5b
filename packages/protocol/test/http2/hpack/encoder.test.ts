import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LocalProtocolError } from "../../../src/errors.ts";
import { HpackDecoder } from "../../../src/http2/hpack/decoder.ts";
import { HpackEncoder } from "../../../src/http2/hpack/encoder.ts";
import { HpackReader } from "../../../src/http2/hpack/primitives.ts";

type Pairs = [string, string][];

/** The representation kinds of a block, in order (RFC 7541 §6). */
function kinds(block: Uint8Array): string[] {
  const reader = new HpackReader(block);
  const out: string[] = [];
  while (!reader.done) {
    const first = reader.peek();
    if (first & 0x80) {
      reader.readInteger(7);
      out.push("indexed");
      continue;
    }
    if ((first & 0xe0) === 0x20) {
      out.push(`update ${reader.readInteger(5)}`);
      continue;
    }
    const kind = (first & 0xc0) === 0x40 ? "incremental" : first & 0x10 ? "never" : "without";
    if (reader.readInteger(kind === "incremental" ? 6 : 4) === 0) reader.skipString();
    reader.skipString();
    out.push(kind);
  }
  return out;
}

describe("indexing choices", () => {
  it("sends credentials and short cookies as never-indexed literals, every time", () => {
    const encoder = new HpackEncoder();
    const list: Pairs = [
      ["authorization", "Bearer abc"],
      ["proxy-authorization", "Basic Zm9vOmJhcg=="],
      ["cookie", "sid=1"],
      ["cookie", "session=0123456789abcdef0123456789"],
    ];
    expect(kinds(encoder.encode(list))).toEqual(["never", "never", "never", "incremental"]);
    expect(kinds(encoder.encode(list))).toEqual(["never", "never", "never", "indexed"]);
    expect(encoder.table.entries()).toEqual([["cookie", "session=0123456789abcdef0123456789"]]);
  });

  it("follows a custom never-index policy", () => {
    const encoder = new HpackEncoder({ neverIndex: (name) => name === "x-api-key" });
    expect(
      kinds(
        encoder.encode([
          ["x-api-key", "k"],
          ["authorization", "a"],
        ]),
      ),
    ).toEqual(["never", "incremental"]);
  });

  it("indexes repeated fields, not one-off ones", () => {
    const encoder = new HpackEncoder();
    const list: Pairs = [
      [":method", "GET"],
      [":path", "/a?x=1"],
      ["user-agent", "reqivo"],
      ["content-length", "12"],
    ];
    expect(kinds(encoder.encode(list))).toEqual(["indexed", "without", "incremental", "without"]);
    expect(kinds(encoder.encode(list))).toEqual(["indexed", "without", "indexed", "without"]);
  });

  it("does not index an entry larger than three quarters of the table", () => {
    const encoder = new HpackEncoder({ maxTableSize: 256 });
    expect(kinds(encoder.encode([["x-big", "v".repeat(200)]])).at(-1)).toBe("without");
    expect(kinds(encoder.encode([["x-small", "v".repeat(100)]])).at(-1)).toBe("incremental");
  });

  it("uses Huffman only when shorter, unless told otherwise", () => {
    // "aaaa" is 4 × 5 bits: 3 octets; "\x00" is 13 bits: 2 octets > 1.
    const shorter = new HpackEncoder({ maxTableSize: 0 });
    expect([...shorter.encode([["x", "aaaa"]]).slice(-4)]).toEqual([0x83, 0x18, 0xc6, 0x3f]);
    expect([...shorter.encode([["x", "\x00"]]).slice(-2)]).toEqual([0x01, 0x00]);
    const never = new HpackEncoder({ maxTableSize: 0, huffman: "never" });
    expect([...never.encode([["x", "aaaa"]]).slice(-5)]).toEqual([0x04, 0x61, 0x61, 0x61, 0x61]);
    const always = new HpackEncoder({ maxTableSize: 0, huffman: "always" });
    const block = always.encode([["x", "\x00\x00"]]);
    expect(new HpackDecoder().decode(block)).toEqual([["x", "\x00\x00"]]);
  });

  it("refuses a code unit above 0xFF before changing anything", () => {
    const encoder = new HpackEncoder();
    expect(() =>
      encoder.encode([
        ["x-ok", "1"],
        ["x-bad", "é€"],
      ]),
    ).toThrowError(LocalProtocolError);
    expect(() => encoder.encode([["x-€", "1"]])).toThrowError(
      expect.objectContaining({ code: "INVALID_HEADER_NAME" }),
    );
    expect(encoder.table.length).toBe(0);
  });
});

describe("table size updates", () => {
  it("announces a smaller own table with the first block", () => {
    const encoder = new HpackEncoder({ maxTableSize: 1024 });
    expect(kinds(encoder.encode([[":method", "GET"]]))).toEqual(["update 1024", "indexed"]);
    expect(kinds(encoder.encode([[":method", "GET"]]))).toEqual(["indexed"]);
  });

  it("after the peer's SETTINGS change, sends the smallest size reached, then the final one", () => {
    const encoder = new HpackEncoder({ maxTableSize: 8192 });
    const decoder = new HpackDecoder();
    decoder.decode(encoder.encode([["x-a", "1"]]));
    encoder.setPeerMaxTableSize(0);
    encoder.setPeerMaxTableSize(2048);
    const block = encoder.encode([["x-b", "2"]]);
    expect(kinds(block)).toEqual(["update 0", "update 2048", "incremental"]);
    decoder.setMaxTableSize(2048);
    expect(decoder.decode(block)).toEqual([["x-b", "2"]]);
    expect(decoder.table.entries()).toEqual([["x-b", "2"]]);
    // A larger peer setting is capped by our own limit.
    encoder.setPeerMaxTableSize(65536);
    expect(kinds(encoder.encode([]))).toEqual(["update 8192"]);
  });

  it("sends no update when the size did not change", () => {
    const encoder = new HpackEncoder();
    encoder.setPeerMaxTableSize(4096);
    expect(kinds(encoder.encode([[":method", "GET"]]))).toEqual(["indexed"]);
  });
});

describe("round trips (fast-check)", () => {
  const octets = (maxLength: number) =>
    fc
      .array(fc.integer({ min: 0, max: 255 }), { maxLength })
      .map((codes) => String.fromCharCode(...codes));
  const names = fc.oneof(
    fc.constantFrom(":method", ":path", "cookie", "authorization", "accept", "x-custom", "date"),
    fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  );
  const values = fc.oneof(fc.constantFrom("GET", "/", "", "gzip, deflate"), octets(60));
  const field = fc.tuple(names, values);
  const step = fc.record({
    list: fc.array(field, { maxLength: 12 }),
    // A new SETTINGS_HEADER_TABLE_SIZE from the peer before this block, sometimes.
    peerTableSize: fc.option(fc.constantFrom(0, 1, 64, 256, 4096, 10000), { nil: undefined }),
  });

  it("decodes what the encoder wrote, block after block, tables in step", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 12 }),
        fc.constantFrom(0, 100, 4096),
        fc.constantFrom("shorter", "always", "never"),
        (steps, ownSize, huffman) => {
          const encoder = new HpackEncoder({
            maxTableSize: ownSize,
            huffman: huffman as "shorter" | "always" | "never",
          });
          const decoder = new HpackDecoder({ maxTableSize: 10000 });
          for (const { list, peerTableSize } of steps) {
            if (peerTableSize !== undefined) encoder.setPeerMaxTableSize(peerTableSize);
            expect(decoder.decode(encoder.encode(list))).toEqual(list);
            expect(decoder.table.entries()).toEqual(encoder.table.entries());
            expect(decoder.table.size).toBeLessThanOrEqual(decoder.table.maxSize);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

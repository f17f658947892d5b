// The decoder's defences: each case is a block that a decoder without that
// check would accept (or choke on) differently.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ProtocolError, RemoteProtocolError } from "../../../src/errors.ts";
import type { HeaderPair } from "../../../src/http/headers.ts";
import { HpackDecoder } from "../../../src/http2/hpack/decoder.ts";
import { HpackReader } from "../../../src/http2/hpack/primitives.ts";
import { fromHex } from "../../http/drive.ts";
import { HPACK_ERROR_CODES } from "./error-codes.ts";

const errorOf = (fn: () => unknown): ProtocolError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RemoteProtocolError);
    return error as ProtocolError;
  }
  throw new Error("expected a ProtocolError");
};
const codeOf = (fn: () => unknown): string => errorOf(fn).code;

/** `01` literal with incremental indexing, new name: `name: value`, no Huffman. */
function literalIndexed(name: string, value: string): number[] {
  const out = [0x40];
  for (const text of [name, value]) {
    if (text.length > 126) throw new Error("keep test strings short");
    out.push(text.length, ...Array.from(text, (c) => c.charCodeAt(0)));
  }
  return out;
}

describe("integers", () => {
  it("refuses an integer above 2^32 - 1", () => {
    // 31 + 0x7f + 0x7f·2^7 + … : five continuation octets reaching 2^35.
    expect(codeOf(() => new HpackReader(fromHex("1fffffffff0f")).readInteger(5))).toBe(
      "HPACK_INTEGER_OVERFLOW",
    );
    expect(new HpackReader(fromHex("1fe0ffffff0f")).readInteger(5)).toBe(2 ** 32 - 1);
  });

  it("refuses endless zero continuation octets, whose value never grows", () => {
    const padded = fromHex(`1f${"80".repeat(5)}00`);
    expect(codeOf(() => new HpackReader(padded).readInteger(5))).toBe("HPACK_INTEGER_OVERFLOW");
    expect(new HpackReader(fromHex(`1f${"80".repeat(4)}00`)).readInteger(5)).toBe(31);
  });

  it("refuses a block that ends inside an integer", () => {
    expect(codeOf(() => new HpackDecoder().decode(fromHex("ff80")))).toBe("HPACK_TRUNCATED");
  });
});

describe("indexes", () => {
  it("refuses index 0", () => {
    expect(codeOf(() => new HpackDecoder().decode(fromHex("80")))).toBe("HPACK_INVALID_INDEX");
    // Literal whose name index is 0 is a new name, not an error.
    expect(new HpackDecoder().decode(fromHex("40016100"))[0]).toEqual(["a", ""]);
  });

  it("refuses an index past the dynamic table, for fields and for names", () => {
    const decoder = new HpackDecoder();
    expect(decoder.decode(fromHex("bd"))).toEqual([["www-authenticate", ""]]); // 61: last static
    expect(codeOf(() => new HpackDecoder().decode(fromHex("be")))).toBe("HPACK_INVALID_INDEX");
    expect(codeOf(() => new HpackDecoder().decode(fromHex("7f0000")))).toBe("HPACK_INVALID_INDEX");
    const withOne = new HpackDecoder();
    withOne.decode(Uint8Array.from(literalIndexed("a", "b")));
    expect(withOne.decode(fromHex("be"))).toEqual([["a", "b"]]);
    expect(codeOf(() => withOne.decode(fromHex("bf")))).toBe("HPACK_INVALID_INDEX");
  });
});

describe("strings", () => {
  it("refuses a string length beyond the block", () => {
    // New name of 10 octets with only 3 present.
    expect(codeOf(() => new HpackDecoder().decode(fromHex("000a616263")))).toBe("HPACK_TRUNCATED");
    // A length near 2^32 must not be trusted either.
    expect(codeOf(() => new HpackDecoder().decode(fromHex("007f80ffffff0f61")))).toBe(
      "HPACK_TRUNCATED",
    );
  });

  it("refuses bad Huffman padding inside a block", () => {
    // Value "0" Huffman-coded with zero padding (81 00) instead of 81 07.
    expect(new HpackDecoder().decode(fromHex("0f2e8107"))).toEqual([["www-authenticate", "0"]]);
    expect(codeOf(() => new HpackDecoder().decode(fromHex("0f2e8100")))).toBe(
      "HPACK_INVALID_HUFFMAN",
    );
  });
});

describe("dynamic table size updates", () => {
  it("accepts updates at the start of a block, within the announced limit", () => {
    const decoder = new HpackDecoder({ maxTableSize: 4096 });
    decoder.decode(Uint8Array.from(literalIndexed("a", "b")));
    // Two updates (to 0, then to 4096) empty the table, then a field.
    expect(decoder.decode(fromHex("203fe11f82"))).toEqual([[":method", "GET"]]);
    expect(decoder.table.length).toBe(0);
    expect(decoder.table.maxSize).toBe(4096);
  });

  it("refuses an update after a field", () => {
    expect(codeOf(() => new HpackDecoder().decode(fromHex("8220")))).toBe(
      "HPACK_TABLE_SIZE_UPDATE",
    );
  });

  it("refuses an update above the announced SETTINGS_HEADER_TABLE_SIZE", () => {
    const decoder = new HpackDecoder({ maxTableSize: 256 });
    expect(() => decoder.decode(fromHex("3fe101"))).not.toThrow(); // 256
    expect(codeOf(() => new HpackDecoder({ maxTableSize: 256 }).decode(fromHex("3fe201")))).toBe(
      "HPACK_TABLE_SIZE_UPDATE",
    );
  });

  it("requires an update after the announced limit shrank below the table size", () => {
    const decoder = new HpackDecoder();
    decoder.decode(fromHex("82"));
    decoder.setMaxTableSize(100);
    expect(codeOf(() => decoder.decode(fromHex("82")))).toBe("HPACK_TABLE_SIZE_UPDATE");
    const obeying = new HpackDecoder();
    obeying.setMaxTableSize(100);
    expect(obeying.decode(fromHex("3f4582"))).toEqual([[":method", "GET"]]); // update to 100
    expect(obeying.table.maxSize).toBe(100);
    // Growing the limit needs no update.
    obeying.setMaxTableSize(8192);
    expect(obeying.decode(fromHex("82"))).toEqual([[":method", "GET"]]);
  });

  it("evicts what no longer fits after an update", () => {
    const decoder = new HpackDecoder();
    decoder.decode(Uint8Array.from([...literalIndexed("a", "1"), ...literalIndexed("b", "2")]));
    expect(decoder.table.size).toBe(68);
    decoder.decode(fromHex("3f0582")); // update to 36: room for one entry
    expect(decoder.table.entries()).toEqual([["b", "2"]]);
  });
});

describe("a connection error sticks", () => {
  it("rethrows the first COMPRESSION_ERROR-class failure", () => {
    const decoder = new HpackDecoder();
    const first = errorOf(() => decoder.decode(fromHex("80")));
    expect(errorOf(() => decoder.decode(fromHex("82")))).toBe(first);
  });
});

describe("header list size limit (SETTINGS_MAX_HEADER_LIST_SIZE)", () => {
  it("counts name + value + 32 per field", () => {
    // ":method: GET" counts 7 + 3 + 32 = 42.
    expect(new HpackDecoder({ maxHeaderListSize: 84 }).decode(fromHex("8282"))).toHaveLength(2);
    expect(codeOf(() => new HpackDecoder({ maxHeaderListSize: 83 }).decode(fromHex("8282")))).toBe(
      "HEADER_LIST_TOO_LARGE",
    );
  });

  it("stops collecting a bomb as soon as the list crosses the limit", () => {
    // One 4 KiB-ish entry, then 10 000 one-octet references to it: 40 MB of
    // header list from a 10 kB block.
    const value = "x".repeat(4000);
    const decoder = new HpackDecoder({ maxHeaderListSize: 64 * 1024 });
    // "b: x…x" with indexing; the value length 4000 is 127 then 3873 (a1 1e).
    const setup = Uint8Array.from([0x40, 0x01, 0x62, 0x7f, 0xa1, 0x1e, ...Array(4000).fill(0x78)]);
    expect(decoder.decode(setup)).toEqual([["b", value]]);

    const references = 10_000;
    const bomb = new Uint8Array(references).fill(0xbe); // index 62: the entry above
    const collected: HeaderPair[] = [];
    expect(codeOf(() => decoder.decode(bomb, collected))).toBe("HEADER_LIST_TOO_LARGE");
    const perField = 1 + 4000 + 32;
    expect(collected.length).toBe(Math.floor((64 * 1024) / perField)); // 16, not 10 000
    // The rest of the block was read, so the table is still in step.
    expect(decoder.decode(fromHex("be"))).toEqual([["b", value]]);
  });

  it("bounds the list by the 32-octet overhead when fields are empty", () => {
    // 10 000 literals of an empty name and value (3 octets each).
    const block = new Uint8Array(30_000);
    for (let i = 0; i < block.length; i += 3) block.set([0x00, 0x00, 0x00], i);
    const collected: HeaderPair[] = [];
    expect(
      codeOf(() => new HpackDecoder({ maxHeaderListSize: 1024 }).decode(block, collected)),
    ).toBe("HEADER_LIST_TOO_LARGE");
    expect(collected.length).toBe(32);
  });
});

describe("arbitrary blocks (fast-check)", () => {
  const codes = HPACK_ERROR_CODES;
  it("either decode or throw a typed error with a known code", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }), (blocks) => {
        const decoder = new HpackDecoder({ maxHeaderListSize: 512 });
        for (const block of blocks) {
          try {
            decoder.decode(block);
          } catch (error) {
            expect(error).toBeInstanceOf(RemoteProtocolError);
            expect(codes.has((error as ProtocolError).code)).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

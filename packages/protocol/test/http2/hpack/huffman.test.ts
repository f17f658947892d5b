import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../../src/errors.ts";
import {
  huffmanDecode,
  huffmanEncode,
  huffmanEncodedLength,
} from "../../../src/http2/hpack/huffman.ts";
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from "../../../src/http2/hpack/huffman-code.ts";
import { fromHex } from "../../http/drive.ts";

const encode = (text: string): Uint8Array => {
  const out = new Uint8Array(huffmanEncodedLength(text));
  expect(huffmanEncode(text, out, 0)).toBe(out.length);
  return out;
};
const decode = (bytes: Uint8Array): string => huffmanDecode(bytes, 0, bytes.length);
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  return undefined;
};

describe("Huffman code (RFC 7541 Appendix B)", () => {
  it("derives the RFC's codes from the lengths", () => {
    // A few rows of Appendix B, shortest to longest.
    expect([HUFFMAN_CODES[0x30], HUFFMAN_LENGTHS[0x30]]).toEqual([0x0, 5]);
    expect([HUFFMAN_CODES[0x20], HUFFMAN_LENGTHS[0x20]]).toEqual([0x14, 6]);
    expect([HUFFMAN_CODES[0x00], HUFFMAN_LENGTHS[0x00]]).toEqual([0x1ff8, 13]);
    expect([HUFFMAN_CODES[0xc8], HUFFMAN_LENGTHS[0xc8]]).toEqual([0x3ffffe2, 26]);
    expect([HUFFMAN_CODES[0x0a], HUFFMAN_LENGTHS[0x0a]]).toEqual([0x3ffffffc, 30]);
    expect([HUFFMAN_CODES[256], HUFFMAN_LENGTHS[256]]).toEqual([0x3fffffff, 30]);
  });

  it.each([
    ["www.example.com", "f1e3c2e5f23a6ba0ab90f4ff"],
    ["no-cache", "a8eb10649cbf"],
    ["custom-key", "25a849e95ba97d7f"],
    ["custom-value", "25a849e95bb8e8b4bf"],
    ["302", "6402"],
    ["private", "aec3771a4b"],
    ["Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff"],
    ["https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3"],
    ["gzip", "9bd9ab"],
  ])("%s ↔ %s (Appendix C)", (text, wire) => {
    expect(Buffer.from(encode(text)).toString("hex")).toBe(wire);
    expect(decode(fromHex(wire))).toBe(text);
  });

  it("round-trips every octet string", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (octets) => {
        const text = String.fromCharCode(...octets);
        expect(decode(encode(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("decodes the empty string", () => expect(decode(new Uint8Array(0))).toBe(""));

  it("refuses padding that is not all ones", () => {
    // "0" is 00000; padded with 000 instead of 111.
    expect(decode(Uint8Array.of(0x07))).toBe("0");
    expect(codeOf(() => decode(Uint8Array.of(0x00)))).toBe("HPACK_INVALID_HUFFMAN");
    expect(codeOf(() => decode(Uint8Array.of(0x06)))).toBe("HPACK_INVALID_HUFFMAN");
  });

  it("refuses padding longer than 7 bits", () => {
    // "0" then a whole octet of ones: 11 bits of padding.
    expect(codeOf(() => decode(Uint8Array.of(0x07, 0xff)))).toBe("HPACK_INVALID_HUFFMAN");
    expect(codeOf(() => decode(Uint8Array.of(0xff)))).toBe("HPACK_INVALID_HUFFMAN");
  });

  it("refuses the EOS symbol, even followed by valid data", () => {
    // 30 ones (EOS), then "0" (00000) padded: 0xff ff ff fc 1f.
    expect(codeOf(() => decode(fromHex("fffffffc1f")))).toBe("HPACK_INVALID_HUFFMAN");
    expect(codeOf(() => decode(fromHex("ffffffff")))).toBe("HPACK_INVALID_HUFFMAN");
  });

  it("never throws anything but its typed error on arbitrary octets", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (octets) => {
        const code = codeOf(() => decode(octets));
        expect(code === undefined || code === "HPACK_INVALID_HUFFMAN").toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

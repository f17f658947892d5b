// The hpack-test-case corpus (subset vendored in test/fixtures/hpack): other
// encoders' blocks decoded in order on one context, and raw-data's header
// sets through our encoder and back.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ProtocolError, RemoteProtocolError } from "../../../src/errors.ts";
import { HpackDecoder } from "../../../src/http2/hpack/decoder.ts";
import { entrySize } from "../../../src/http2/hpack/dynamic-table.ts";
import { HpackEncoder } from "../../../src/http2/hpack/encoder.ts";
import { fromHex } from "../../http/drive.ts";
import { HPACK_ERROR_CODES } from "./error-codes.ts";

interface StoryCase {
  seqno: number;
  header_table_size?: number;
  wire?: string;
  headers: Record<string, string>[];
}

const root = new URL("../../fixtures/hpack/", import.meta.url);
const encoders = ["go-hpack", "nghttp2", "nghttp2-change-table-size", "python-hpack"];

function storiesOf(dir: string): [string, StoryCase[]][] {
  return readdirSync(new URL(`${dir}/`, root))
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => [
      file,
      JSON.parse(readFileSync(new URL(`${dir}/${file}`, root), "utf8")).cases as StoryCase[],
    ]);
}

const pairsOf = (headers: Record<string, string>[]): [string, string][] =>
  headers.map((field) => Object.entries(field)[0]!);

describe.each(encoders)("blocks encoded by %s", (encoder) => {
  const stories = storiesOf(encoder);
  it("has stories", () => expect(stories.length).toBeGreaterThanOrEqual(3));
  it.each(stories)("%s decodes case by case, and re-encodes", (_file, cases) => {
    const decoder = new HpackDecoder();
    const ourEncoder = new HpackEncoder();
    const ourDecoder = new HpackDecoder();
    for (const story of cases) {
      if (story.header_table_size !== undefined) {
        decoder.setMaxTableSize(story.header_table_size);
        ourEncoder.setPeerMaxTableSize(story.header_table_size);
        ourDecoder.setMaxTableSize(story.header_table_size);
      }
      const list = decoder.decode(fromHex(story.wire!));
      expect(list, `case ${story.seqno}`).toEqual(pairsOf(story.headers));
      expect(ourDecoder.decode(ourEncoder.encode(list)), `case ${story.seqno}`).toEqual(list);
    }
  });
});

describe("raw-data header sets through our encoder and decoder", () => {
  const stories = storiesOf("raw-data");
  it.each(stories)("%s round-trips with table sizes 4096, 256 and 0", (_file, cases) => {
    for (const tableSize of [4096, 256, 0]) {
      const encoder = new HpackEncoder({ maxTableSize: tableSize });
      const decoder = new HpackDecoder();
      let wireOctets = 0;
      let rawOctets = 0;
      for (const story of cases) {
        const list = pairsOf(story.headers);
        const block = encoder.encode(list);
        wireOctets += block.length;
        for (const [name, value] of list) rawOctets += name.length + value.length;
        expect(decoder.decode(block), `case ${story.seqno}`).toEqual(list);
        expect(decoder.table.entries()).toEqual(encoder.table.entries());
      }
      // Compression that could fail: Huffman alone saves some, indexing more.
      expect(wireOctets).toBeLessThan(rawOctets);
    }
  });
});

describe("mutated corpus blocks (fast-check)", () => {
  const stories = encoders.flatMap((encoder) => storiesOf(encoder).map(([, cases]) => cases));
  const codes = HPACK_ERROR_CODES;
  const mutation = fc.record({
    caseIndex: fc.nat(),
    at: fc.nat(),
    op: fc.constantFrom("flip", "set", "truncate", "insert"),
    value: fc.integer({ min: 0, max: 255 }),
  });

  it("decode to lists within the limit, or throw a typed error with a known code", () => {
    const limit = 2048;
    fc.assert(
      fc.property(
        fc.nat(stories.length - 1),
        fc.array(mutation, { maxLength: 3 }),
        (s, mutations) => {
          const cases = stories[s]!;
          const wires = cases.map((c) => fromHex(c.wire!));
          for (const m of mutations) {
            const i = m.caseIndex % wires.length;
            const wire = wires[i]!;
            const at = wire.length === 0 ? 0 : m.at % wire.length;
            if (m.op === "flip" && wire.length > 0) wire[at]! ^= 1 << (m.value & 7);
            if (m.op === "set" && wire.length > 0) wire[at] = m.value;
            if (m.op === "truncate") wires[i] = wire.subarray(0, at);
            if (m.op === "insert") {
              wires[i] = Uint8Array.from([...wire.subarray(0, at), m.value, ...wire.subarray(at)]);
            }
          }
          const decoder = new HpackDecoder({ maxHeaderListSize: limit });
          for (const [i, wire] of wires.entries()) {
            const tableSize = cases[i]!.header_table_size;
            if (tableSize !== undefined) decoder.setMaxTableSize(tableSize);
            try {
              const list = decoder.decode(wire);
              let size = 0;
              for (const [name, value] of list) size += entrySize(name, value);
              expect(size).toBeLessThanOrEqual(limit);
            } catch (error) {
              expect(error).toBeInstanceOf(RemoteProtocolError);
              expect(codes.has((error as ProtocolError).code)).toBe(true);
            }
            expect(decoder.table.size).toBeLessThanOrEqual(decoder.table.maxSize);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

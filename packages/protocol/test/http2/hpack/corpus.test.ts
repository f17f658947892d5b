// The hpack-test-case corpus (subset vendored in test/fixtures/hpack): other
// encoders' blocks decoded in order on one context, and raw-data's header
// sets through our encoder and back.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HpackDecoder } from "../../../src/http2/hpack/decoder.ts";
import { HpackEncoder } from "../../../src/http2/hpack/encoder.ts";
import { fromHex } from "../../http/drive.ts";

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

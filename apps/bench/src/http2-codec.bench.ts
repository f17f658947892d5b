// HTTP/2 codec throughput of the (not yet exported) Sans-I/O pieces in
// packages/protocol/src/http2, no sockets, no contender yet:
//   hpack decode: every block of the vendored hpack-test-case stories
//     (packages/protocol/test/fixtures/hpack, 4 encoders), one decoder per story;
//   hpack encode: the raw-data header sets, one encoder per story;
//   frames: 64 DATA frames of 16 KiB, and 1000 small frames (WINDOW_UPDATE,
//     PING, HEADERS), read by a FrameReader from 16 KiB chunks.
//
//   cd apps/bench && npx tsx src/http2-codec.bench.ts     (or: npx pnpm bench http2-codec)
//
// The sources are imported directly (they are internal to @reqivo/protocol
// for now), so tsx's module transform is in the figures; a bundled build ran
// the HPACK cases 1.1–1.4x faster. Each cell: a warm-up, then 5 rounds of
// ~400 ms; the median is shown with [min–max].
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { concatBytes } from "../../../packages/protocol/src/bytes.ts";
import { FrameReader } from "../../../packages/protocol/src/http2/frames/reader.ts";
import { FrameWriter } from "../../../packages/protocol/src/http2/frames/writer.ts";
import { HpackDecoder } from "../../../packages/protocol/src/http2/hpack/decoder.ts";
import { HpackEncoder } from "../../../packages/protocol/src/http2/hpack/encoder.ts";
import { NEED_DATA } from "../../../packages/protocol/src/need-data.ts";

const fixtures = new URL("../../../packages/protocol/test/fixtures/hpack/", import.meta.url);
const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
interface StoryCase {
  wire?: string;
  header_table_size?: number;
  headers: Record<string, string>[];
}
const storiesOf = (dir: string): StoryCase[][] =>
  readdirSync(new URL(`${dir}/`, fixtures))
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(new URL(`${dir}/${f}`, fixtures), "utf8")).cases);

const encoded = ["go-hpack", "nghttp2", "nghttp2-change-table-size", "python-hpack"]
  .flatMap(storiesOf)
  .map((cases) => cases.map((c) => ({ wire: fromHex(c.wire!), tableSize: c.header_table_size })));
const raw = storiesOf("raw-data").map((cases) =>
  cases.map((c) => c.headers.map((h) => Object.entries(h)[0]!)),
);
const blocks = encoded.reduce((n, story) => n + story.length, 0);
const wireOctets = encoded.reduce((n, s) => n + s.reduce((m, c) => m + c.wire.length, 0), 0);
const lists = raw.reduce((n, story) => n + story.length, 0);

function decodeAll(): number {
  let fields = 0;
  for (const story of encoded) {
    const decoder = new HpackDecoder();
    for (const { wire, tableSize } of story) {
      if (tableSize !== undefined) decoder.setMaxTableSize(tableSize);
      fields += decoder.decode(wire).length;
    }
  }
  return fields;
}
function encodeAll(): number {
  let octets = 0;
  for (const story of raw) {
    const encoder = new HpackEncoder();
    for (const list of story) octets += encoder.encode(list).length;
  }
  return octets;
}

const writer = new FrameWriter();
const concat = concatBytes;
const chunked = (bytes: Uint8Array): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 16_384) out.push(bytes.subarray(at, at + 16_384));
  return out;
};
const dataFrames = chunked(
  concat(Array.from({ length: 64 }, (_, i) => writer.data(2 * i + 1, new Uint8Array(16_384)))),
);
const smallFrames = chunked(
  concat(
    Array.from({ length: 1000 }, (_, i) =>
      i % 3 === 0
        ? writer.windowUpdate(1, 1000)
        : i % 3 === 1
          ? writer.ping(new Uint8Array(8))
          : writer.headers(1, new Uint8Array(20), { endStream: true }),
    ),
  ),
);
const readFrames = (chunks: Uint8Array[]) => (): number => {
  const reader = new FrameReader();
  let frames = 0;
  for (const chunk of chunks) {
    reader.receiveData(chunk);
    for (let f = reader.nextFrame(); f !== NEED_DATA; f = reader.nextFrame()) frames++;
  }
  return frames;
};

/** Median, min and max of µs per unit over 5 rounds of ~400 ms. */
function measure(run: () => number, units: number): [number, number, number] {
  for (let i = 0; i < 100; i++) run();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    let iterations = 0;
    while (performance.now() - start < 400) {
      run();
      iterations++;
    }
    rounds.push(((performance.now() - start) * 1000) / (iterations * units));
  }
  rounds.sort((a, b) => a - b);
  return [rounds[2]!, rounds[0]!, rounds[4]!];
}

const cases: [string, () => number, number, string][] = [
  ["hpack decode", decodeAll, blocks, `${blocks} blocks, ${wireOctets} octets`],
  ["hpack encode", encodeAll, lists, `${lists} header lists`],
  ["frames, DATA 16 KiB", readFrames(dataFrames), 64, "64 frames"],
  ["frames, small", readFrames(smallFrames), 1000, "1000 frames"],
];
console.log("| case | µs per block / list / frame | input |\n|---|---|---|");
for (const [name, run, units, input] of cases) {
  const [median, min, max] = measure(run, units);
  console.log(
    `| ${name} | ${median.toFixed(2)} [${min.toFixed(2)}–${max.toFixed(2)}] | ${input} |`,
  );
}

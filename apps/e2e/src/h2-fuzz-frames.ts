// The inputs of the HTTP/2 fuzzer (src/h2-fuzz.ts): server frame sequences
// built by hand, so lengths, flags and stream ids can lie, with HPACK blocks
// built representation by representation; and byte-mutated blocks of the
// vendored hpack-test-case corpus.
import { readFileSync } from "node:fs";
import { concatBytes } from "../../../packages/protocol/src/bytes.ts";
import { MAX_STREAM_ID } from "../../../packages/protocol/src/http2/frames/constants.ts";
import { HpackEncoder } from "../../../packages/protocol/src/http2/hpack/encoder.ts";
import {
  type HuffmanPolicy,
  writeInteger,
  writeString,
} from "../../../packages/protocol/src/http2/hpack/primitives.ts";
import { mutate } from "./fuzz.ts";

/** The random source of one case. */
export interface Rand {
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
}

// ── frames ──────────────────────────────────────────────────────────────

/**
 * A frame with a 24-bit length that may lie (`declared`), any type, flags and stream id.
 *
 * @example
 * ```ts
 * rawFrame(0x6, 0, 0, new Uint8Array(8)); // a PING
 * rawFrame(0x6, 0, 0, new Uint8Array(8), 16_385); // a PING announcing more than it carries
 * ```
 */
export function rawFrame(
  type: number,
  flags: number,
  streamId: number,
  payload: Uint8Array,
  declared = payload.length,
): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out[0] = (declared >>> 16) & 0xff;
  out[1] = (declared >>> 8) & 0xff;
  out[2] = declared & 0xff;
  out[3] = type & 0xff;
  out[4] = flags & 0xff;
  out[5] = (streamId >>> 24) & 0xff;
  out[6] = (streamId >>> 16) & 0xff;
  out[7] = (streamId >>> 8) & 0xff;
  out[8] = streamId & 0xff;
  out.set(payload, 9);
  return out;
}

const uint32 = (value: number): Uint8Array =>
  Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);

/** Streams a frame may name: the client's (1, 3, 5, 7), never opened, even, 0, the largest. */
const STREAM_IDS = [1, 1, 3, 3, 5, 5, 7, 9, 11, 2, 0, MAX_STREAM_ID];
const streamOf = (r: Rand) => (r.chance(0.8) ? r.pick([1, 3, 5, 7]) : r.pick(STREAM_IDS));

/** Values at the edges of what SETTINGS and WINDOW_UPDATE allow. */
const EDGE_VALUES = [
  0,
  1,
  2,
  100,
  4096,
  16_383,
  16_384,
  16_385,
  65_535,
  65_536,
  2 ** 24 - 1,
  2 ** 24,
  2 ** 31 - 2,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
];
const value = (r: Rand) => (r.chance(0.7) ? r.pick(EDGE_VALUES) : r.int(2 ** 32));

/** Payload length: usually right, sometimes off by a little or a lot. */
function lieAbout(r: Rand, length: number): number {
  if (!r.chance(0.04)) return length;
  return Math.max(0, r.pick([length - 1, length + 1, 0, length + 9, 16_385, 2 ** 24 - 1]));
}

function bytes(r: Rand, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => r.int(256));
}

// ── HPACK ───────────────────────────────────────────────────────────────

const NAMES = [
  ":status",
  ":status",
  ":path",
  "content-length",
  "content-type",
  "x-a",
  "set-cookie",
  "connection",
  "te",
  "Upper",
  "",
  "x-long",
];
const VALUES = [
  "200",
  "204",
  "304",
  "103",
  "100",
  "101",
  "99",
  "abc",
  "0",
  "3",
  "-1",
  "a b",
  "",
  "trailers",
];

/** One HPACK representation (RFC 7541 §6), chosen at random, as octets. */
function representation(r: Rand, tableGuess: number, first: boolean): Uint8Array {
  const out = new Uint8Array(12_000);
  const huffman: HuffmanPolicy = r.pick(["never", "always", "shorter"]);
  const name = r.pick(NAMES);
  const text =
    name === "x-long"
      ? "v".repeat(r.int(6000))
      : r.chance(0.1)
        ? String.fromCharCode(...bytes(r, r.int(8)))
        : r.pick(VALUES);
  let at = 0;
  switch (r.int(7)) {
    case 0: // indexed: static, dynamic, 0, past both tables
      at = writeInteger(
        out,
        0,
        r.pick([8, 9, 13, 14, 1, 4, 61, 62, 62 + tableGuess, 0, 70, 2 ** 20]),
        7,
        0x80,
      );
      break;
    case 1: // literal with incremental indexing, indexed name
      at = writeInteger(out, 0, r.pick([8, 28, 31, 55, 62, 0x3f + 5]), 6, 0x40);
      at = writeString(out, at, text, huffman);
      break;
    case 2: // literal with incremental indexing, new name
      at = writeInteger(out, 0, 0, 6, 0x40);
      at = writeString(out, at, name, huffman);
      at = writeString(out, at, text, huffman);
      break;
    case 3: // without indexing / never indexed, new name
      at = writeInteger(out, 0, 0, 4, r.chance(0.5) ? 0x00 : 0x10);
      at = writeString(out, at, name, huffman);
      at = writeString(out, at, text, huffman);
      break;
    case 4: // dynamic table size update (valid only first, at most what we announced)
      if (!first && r.chance(0.9)) return Uint8Array.of(0x80 | (1 + r.int(61)));
      at = writeInteger(out, 0, r.pick([0, 256, 4096, 4097, 65_536, 2 ** 32 - 1]), 5, 0x20);
      break;
    case 5: // raw octets: truncations, bad Huffman, overlong integers
      return r.pick([
        Uint8Array.of(0x3f),
        Uint8Array.of(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f),
        Uint8Array.of(0x40, 0x81, 0xff, 0x01, 0x61),
        Uint8Array.of(0x40, 0x84, 0xff, 0xff, 0xff, 0xff, 0x01, 0x61),
        Uint8Array.of(0x00, 0x05, 0x61),
        Uint8Array.of(0x80),
      ]);
    default: // the status first, as a response starts
      at = writeInteger(out, 0, 8, 7, 0x80);
      break;
  }
  return out.slice(0, at);
}

/** A header block: mostly a plausible head, with random representations mixed in. */
/** A table size update to 0 (valid whatever the client announced) starting a block, sometimes. */
const sizeUpdate = (r: Rand): Uint8Array =>
  r.chance(0.5) ? Uint8Array.of(0x20) : new Uint8Array(0);

function hpackBlock(r: Rand, encoder: HpackEncoder, indexing: boolean): Uint8Array {
  if (r.chance(0.4)) {
    const fields: [string, string][] = [[":status", r.pick(["200", "103", "204", "404"])]];
    for (let i = r.int(5); i > 0; i--)
      fields.push([r.pick(["x-a", "content-type", "vary"]), r.pick(VALUES)]);
    if (r.chance(0.2)) fields.push(["content-length", String(r.int(300))]);
    try {
      const block = encoder.encode(fields);
      return indexing ? block : concatBytes([sizeUpdate(r), block]);
    } catch {
      return Uint8Array.of(0x88);
    }
  }
  const parts: Uint8Array[] = [sizeUpdate(r)];
  for (let i = 1 + r.int(6); i > 0; i--)
    parts.push(representation(r, r.int(10), parts.length === 1));
  return concatBytes(parts);
}

/** HEADERS (+ CONTINUATIONs) carrying `block`, with random flags, padding, priority and cuts. */
function headerFrames(
  r: Rand,
  streamId: number,
  block: Uint8Array,
  end: boolean = r.chance(0.4),
  /** Frames that do not lie (lengths, stream ids, dependencies, an END_HEADERS, nothing inside the block). */
  honest = false,
): Uint8Array[] {
  const endStream = end ? 0x1 : 0;
  const lie = honest ? (_r: Rand, n: number) => n : lieAbout;
  const padded = r.chance(0.15);
  const priority = r.chance(0.1);
  const pieces = r.chance(0.3) ? 1 + r.int(4) : 1;
  const cuts = Array.from({ length: pieces - 1 }, () => r.int(block.length + 1)).sort(
    (a, b) => a - b,
  );
  const fragments: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, block.length]) {
    fragments.push(block.subarray(from, c));
    from = c;
  }
  const padLength = padded ? r.int(20) : 0;
  const head = concatBytes([
    padded ? Uint8Array.of(padLength) : new Uint8Array(0),
    priority
      ? concatBytes([
          uint32(honest ? 0 : r.pick([0, 0, 0, 3, streamId])),
          Uint8Array.of(r.int(256)),
        ])
      : new Uint8Array(0),
    fragments[0]!,
    new Uint8Array(padLength),
  ]);
  const last = fragments.length === 1;
  const flags = endStream | (last ? 0x4 : 0) | (padded ? 0x8 : 0) | (priority ? 0x20 : 0);
  const frames = [rawFrame(1, flags, streamId, head, lie(r, head.length))];
  fragments.slice(1).forEach((fragment, i) => {
    const end = i === fragments.length - 2 && (honest || !r.chance(0.05));
    const onStream = !honest && r.chance(0.05) ? streamOf(r) : streamId;
    frames.push(rawFrame(9, end ? 0x4 : 0, onStream, fragment, lie(r, fragment.length)));
  });
  if (!honest && frames.length > 1 && r.chance(0.05))
    frames.splice(1, 0, rawFrame(6, 0, 0, new Uint8Array(8)));
  return frames;
}

/** One server frame (or a few, for header blocks and floods). */
function frameOf(r: Rand, encoder: HpackEncoder, indexing: boolean): Uint8Array[] {
  const streamId = streamOf(r);
  switch (r.int(13)) {
    case 0: {
      // SETTINGS: known and unknown ids at the edges; sometimes an ACK, sometimes with a payload
      if (r.chance(0.2))
        return [rawFrame(4, 1, 0, r.chance(0.9) ? new Uint8Array(0) : bytes(r, 6))];
      const pairs: Uint8Array[] = [];
      for (let i = r.int(4); i > 0; i--) {
        const id = r.chance(0.8) ? 1 + r.int(9) : r.int(65_536);
        pairs.push(concatBytes([Uint8Array.of(id >> 8, id & 0xff), uint32(value(r))]));
      }
      const payload = concatBytes(pairs);
      return [rawFrame(4, 0, r.chance(0.95) ? 0 : streamId, payload, lieAbout(r, payload.length))];
    }
    case 1:
    case 2:
    case 3:
      return headerFrames(r, streamId, hpackBlock(r, encoder, indexing));
    case 4:
    case 5: {
      // DATA, padded or not
      const length = r.chance(0.05) ? 16_000 + r.int(1000) : r.int(300);
      const padded = r.chance(0.3);
      const padLength = padded ? r.int(30) : 0;
      const payload = padded
        ? concatBytes([
            Uint8Array.of(r.chance(0.9) ? padLength : 255),
            bytes(r, length),
            new Uint8Array(padLength),
          ])
        : bytes(r, length);
      const flags = (r.chance(0.4) ? 1 : 0) | (padded ? 0x8 : 0);
      return [rawFrame(0, flags, streamId, payload, lieAbout(r, payload.length))];
    }
    case 6: {
      // WINDOW_UPDATE, up to and past 2^31 - 1, the reserved bit, zero
      const increment = r.chance(0.5)
        ? r.pick([0, 1, 65_535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1])
        : r.int(2 ** 20);
      const payload = uint32(increment);
      return [rawFrame(8, 0, r.chance(0.5) ? 0 : streamId, payload, lieAbout(r, 4))];
    }
    case 7:
      return [rawFrame(3, 0, streamId, uint32(r.int(16)), lieAbout(r, 4))];
    case 8:
      return [
        rawFrame(
          6,
          r.chance(0.3) ? 1 : 0,
          r.chance(0.95) ? 0 : streamId,
          bytes(r, 8),
          lieAbout(r, 8),
        ),
      ];
    case 9: {
      const payload = concatBytes([
        uint32(r.pick([0, 1, 3, 5, 7, MAX_STREAM_ID])),
        uint32(r.int(16)),
        bytes(r, r.int(12)),
      ]);
      return [rawFrame(7, 0, r.chance(0.95) ? 0 : streamId, payload, lieAbout(r, payload.length))];
    }
    case 10: {
      // PRIORITY (a self-dependency sometimes), PUSH_PROMISE, unknown types
      if (r.chance(0.5)) {
        const payload = concatBytes([
          uint32(r.pick([0, 0, 0, 3, streamId])),
          Uint8Array.of(r.int(256)),
        ]);
        return [rawFrame(2, 0, streamId, payload, lieAbout(r, 5))];
      }
      if (r.chance(0.2))
        return [rawFrame(5, 4, streamId, concatBytes([uint32(2), Uint8Array.of(0x88)]))];
      return [
        rawFrame(10 + r.int(246), r.int(256), r.int(3) === 0 ? 0 : streamId, bytes(r, r.int(20))),
      ];
    }
    case 11: {
      // a flood of one small frame
      const one = r.pick([
        rawFrame(6, 0, 0, new Uint8Array(8)),
        rawFrame(4, 0, 0, new Uint8Array(0)),
        rawFrame(0, 0, streamId, new Uint8Array(0)),
        rawFrame(2, 0, streamId, Uint8Array.of(0, 0, 0, 0, 16)),
        rawFrame(0xfa, 0, 0, new Uint8Array(0)),
        rawFrame(8, 0, 0, uint32(1)),
      ]);
      return Array.from({ length: 5 + r.int(200) }, () => one);
    }
    default: {
      // endless 1xx on one stream, or CONTINUATIONs with no end
      if (r.chance(0.5)) {
        const block = Uint8Array.of(0x48, 0x03, 0x31, 0x30, 0x33); // :status 103, literal
        return Array.from({ length: 2 + r.int(40) }, () => rawFrame(1, 0x4, streamId, block));
      }
      return [
        rawFrame(1, 0, streamId, Uint8Array.of(0x88)),
        ...Array.from({ length: 2 + r.int(200) }, () =>
          rawFrame(9, 0, streamId, bytes(r, r.int(40))),
        ),
      ];
    }
  }
}

/**
 * A plausible server: SETTINGS and its ACK, then on each client stream
 * (1, 3, 5, 7 in a random order, interleaved) maybe 1xx heads, a response,
 * DATA (padded or not, within the windows), maybe trailers, END_STREAM;
 * PING, SETTINGS, WINDOW_UPDATE, PRIORITY and unknown frames between. Each
 * frame is swapped for a hostile one (see `frameOf`) with probability
 * `hostility`, so runs reach deep states before something breaks.
 */
function plausibleFrames(r: Rand, announcedTableSize: number, hostility: number): Uint8Array[] {
  const indexing = r.chance(0.6);
  const encoder = new HpackEncoder({
    huffman: r.pick(["shorter", "always", "never"]),
    maxTableSize: indexing ? 4096 : 0,
  });
  // Without indexing, every block starts with a size update to 0: valid whatever was announced.
  const block = (fields: [string, string][]) =>
    indexing ? encoder.encode(fields) : concatBytes([Uint8Array.of(0x20), encoder.encode(fields)]);
  type Step = () => Uint8Array[];
  const scripts: Step[][] = [];
  for (const id of [1, 3, 5, 7]) {
    if (r.chance(0.2)) continue;
    const steps: Step[] = [];
    for (let i = r.chance(0.2) ? 1 + r.int(3) : 0; i > 0; i--)
      steps.push(() =>
        headerFrames(r, id, block([[":status", r.pick(["100", "103"])]]), false, true),
      );
    // Now and then a body past the default windows (64 KiB to 256 KiB).
    const length = r.chance(0.3) ? 0 : r.chance(0.05) ? 60_000 + r.int(200_000) : r.int(2000);
    const withLength = r.chance(0.4);
    const trailers = r.chance(0.2);
    const head: [string, string][] = [[":status", r.pick(["200", "200", "404", "204", "500"])]];
    if (withLength) head.push(["content-length", String(id === 7 ? r.int(100) : length)]);
    for (let i = r.int(4); i > 0; i--)
      head.push([r.pick(["x-a", "vary", "content-type", "set-cookie"]), r.pick(VALUES)]);
    const noBody = id === 7 || head[0]![1] === "204";
    const ends = noBody || (length === 0 && !trailers);
    steps.push(() => headerFrames(r, id, block(head), ends, true));
    if (!ends) {
      let left = length;
      while (left > 0) {
        const n = Math.min(left, 1 + r.int(length > 10_000 ? 16_384 : 700));
        left -= n;
        const last = left === 0 && !trailers;
        steps.push(() => {
          const padded = r.chance(0.2);
          const pad = r.int(40);
          const payload = padded
            ? concatBytes([Uint8Array.of(pad), bytes(r, n), new Uint8Array(pad)])
            : bytes(r, n);
          return [rawFrame(0, (last ? 1 : 0) | (padded ? 0x8 : 0), id, payload)];
        });
      }
      if (trailers)
        steps.push(() => headerFrames(r, id, block([["x-checksum", "abc"]]), true, true));
    }
    scripts.push(steps);
  }
  const control: Step = () => {
    switch (r.int(6)) {
      case 0:
        return [rawFrame(6, 0, 0, bytes(r, 8))];
      case 1:
        return [rawFrame(4, 0, 0, concatBytes([Uint8Array.of(0, 3), uint32(1 + r.int(200))]))];
      case 2:
        return [rawFrame(8, 0, r.pick([0, 1, 3, 5]), uint32(1 + r.int(100_000)))];
      case 3:
        return [rawFrame(2, 0, r.pick([1, 3, 5, 7]), Uint8Array.of(0, 0, 0, 0, r.int(256)))];
      case 4:
        return [rawFrame(0x20 + r.int(200), r.int(256), r.int(8), bytes(r, r.int(16)))];
      default:
        return [rawFrame(6, 1, 0, bytes(r, 8))];
    }
  };
  const frames: Uint8Array[] = [
    rawFrame(4, 0, 0, new Uint8Array(0)),
    rawFrame(4, 1, 0, new Uint8Array(0)),
  ];
  // Our SETTINGS apply at this ACK: the encoder resizes, and says so in its next block.
  encoder.setPeerMaxTableSize(announcedTableSize);
  const hostile = new HpackEncoder({ maxTableSize: 0 });
  for (let guard = 0; guard < 1000; guard++) {
    const live = scripts.filter((steps) => steps.length > 0);
    if (live.length === 0) break;
    if (r.chance(hostility)) frames.push(...frameOf(r, hostile, false));
    else if (r.chance(0.15)) frames.push(...control());
    else frames.push(...r.pick(live).shift()!());
  }
  if (r.chance(0.1))
    frames.push(rawFrame(7, 0, 0, concatBytes([uint32(r.pick([0, 1, 7])), uint32(0)])));
  return frames;
}

/**
 * A server's octets for a client that announced `announcedTableSize`: a
 * plausible exchange spoiled here and there (mostly), or SETTINGS then any
 * frames at all.
 *
 * @example
 * ```ts
 * frameCase({ int: (n) => n - 1, chance: () => false, pick: (xs) => xs[0]! }); // SETTINGS, ACK, …
 * ```
 */
export function frameCase(r: Rand, announcedTableSize = 4096): Uint8Array {
  let frames: Uint8Array[];
  if (r.chance(0.65)) {
    frames = plausibleFrames(r, announcedTableSize, r.pick([0, 0.01, 0.03, 0.1]));
  } else {
    // Without indexing the encoder's blocks may start with a size update to 0 (see hpackBlock).
    const indexing = r.chance(0.5);
    const encoder = new HpackEncoder({
      huffman: r.pick(["shorter", "always", "never"]),
      maxTableSize: indexing ? 4096 : 0,
    });
    frames = [];
    if (r.chance(0.9)) frames.push(rawFrame(4, 0, 0, new Uint8Array(0)));
    if (r.chance(0.8)) {
      frames.push(rawFrame(4, 1, 0, new Uint8Array(0)));
      encoder.setPeerMaxTableSize(announcedTableSize);
    }
    for (let i = 1 + r.int(24); i > 0; i--) frames.push(...frameOf(r, encoder, indexing));
  }
  let wire = concatBytes(frames);
  if (r.chance(0.05)) {
    // One flipped bit anywhere: lengths, flags, HPACK, payloads.
    wire = wire.slice();
    if (wire.length > 0) wire[r.int(wire.length)]! ^= 1 << r.int(8);
  }
  return wire.length > 256 * 1024 ? wire.subarray(0, 256 * 1024) : wire;
}

// ── the HPACK corpus ────────────────────────────────────────────────────

interface Story {
  name: string;
  blocks: Uint8Array[];
}

let stories: Story[] | undefined;
/**
 * The encoded blocks of every vendored hpack-test-case story (each story one compression context).
 *
 * @example
 * ```ts
 * hpackStories().map((s) => s.name); // ["nghttp2/story_00", …, "python-hpack/story_12"]
 * ```
 */
export function hpackStories(): Story[] {
  if (stories !== undefined) return stories;
  const root = new URL("../../../packages/protocol/test/fixtures/hpack/", import.meta.url);
  const out: Story[] = [];
  for (const encoder of ["nghttp2", "nghttp2-change-table-size", "go-hpack", "python-hpack"])
    for (const story of ["story_00", "story_05", "story_12"]) {
      const json = JSON.parse(readFileSync(new URL(`${encoder}/${story}.json`, root), "utf8")) as {
        cases: { wire: string }[];
      };
      out.push({
        name: `${encoder}/${story}`,
        blocks: json.cases.map((c) =>
          Uint8Array.from(c.wire.match(/../g) ?? [], (h) => Number.parseInt(h, 16)),
        ),
      });
    }
  stories = out;
  return out;
}

/** HPACK octets worth splicing in: size updates, index 0, overlong integers, EOS, the status. */
const HPACK_TOKENS = [
  [0x3f, 0xe1, 0x1f],
  [0x20],
  [0x3f, 0xe2, 0x1f],
  [0x80],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
  [0x40, 0x80, 0x80],
  [0x40, 0x81, 0xff, 0x81, 0xff],
  [0x88],
  [0x48, 0x03, 0x31, 0x30, 0x33],
  [0x0f, 0x2f],
  [0xbe],
].map((b) => Uint8Array.from(b));

/**
 * The first blocks of a corpus story in order (one compression context),
 * some byte-mutated, each after `:status 200` as HEADERS on the client's
 * streams in turn (request pseudo-headers then make a stream error, after
 * the block is decoded; the decoding is what is under test).
 *
 * @example
 * ```ts
 * corpusCase(rand, 4096).name; // "hpack-corpus go-hpack/story_05"
 * ```
 */
export function corpusCase(r: Rand, announcedTableSize = 4096): { name: string; wire: Uint8Array } {
  const story = r.pick(hpackStories());
  const count = 1 + r.int(Math.min(8, story.blocks.length));
  const frames: Uint8Array[] = [
    rawFrame(4, 0, 0, new Uint8Array(0)),
    rawFrame(4, 1, 0, new Uint8Array(0)),
  ];
  for (let i = 0; i < count; i++) {
    let block = story.blocks[i]!;
    if (r.chance(0.4)) {
      const donor = r.pick(story.blocks);
      for (let m = 1 + r.int(4); m > 0; m--)
        block = mutate(
          block,
          { op: r.int(9), at: r.int(1 << 30), value: r.int(1 << 30), length: r.int(64) },
          HPACK_TOKENS,
          donor,
        );
    }
    let update = new Uint8Array(0);
    if (i === 0 && announcedTableSize < 4096) {
      // Our smaller SETTINGS_HEADER_TABLE_SIZE applies at the ACK: the first block must say so (RFC 7541 §4.2).
      update = new Uint8Array(6);
      update = update.subarray(0, writeInteger(update, 0, announcedTableSize, 5, 0x20));
    }
    const status = r.chance(0.5) ? Uint8Array.of(0x88) : new Uint8Array(0);
    const withStatus = concatBytes([update, status, block]);
    frames.push(...headerFrames(r, [1, 3, 5, 7][i % 4]!, withStatus));
  }
  return { name: `hpack-corpus ${story.name}`, wire: concatBytes(frames) };
}

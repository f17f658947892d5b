// Fuzzing the Sans-I/O HTTP/2 client connection (Http2ClientConnection) with
// server-to-client byte streams of two kinds:
//   - structure-aware frame sequences (h2-fuzz-frames.ts): SETTINGS, HEADERS +
//     CONTINUATION carrying hand-built HPACK (dynamic-table size updates,
//     Huffman, indexes past the tables), padded DATA, WINDOW_UPDATE up to and
//     past 2^31 - 1, RST_STREAM, PING, GOAWAY, PRIORITY, unknown types, wrong
//     stream ids, lying lengths, floods of one frame;
//   - the vendored hpack-test-case blocks (packages/protocol/test/fixtures/hpack),
//     byte-mutated and sent as HEADERS on the client's streams.
// Each input is checked for the invariants the core promises:
//   - receiveData never throws; a failure is one final `connection_error`
//     whose error is a RemoteProtocolError with a stable H2_/HPACK_ code and an
//     RFC 9113 error code (never INTERNAL_ERROR), and the last frame the client
//     sends is a GOAWAY with that code; every `stream_reset` it caused names
//     one of the client's streams and an RFC 9113 error code;
//   - split invariance: whole, byte by byte and cut at random offsets give the
//     same events, the same error and the same octets sent back;
//   - bounded memory: after every call the connection holds at most a partial
//     frame and an open header block (`bufferedLength`), body octets handed
//     out never exceed the octets fed, events and octets sent are bounded by
//     the input.
// Cases are drawn from (seed, index), so one replays from its replay line.
// Used by test/fuzz-h2.test.ts (bounded CI run) and scripts/fuzz.ts --target h2.
import { concatBytes, EMPTY_BYTES } from "../../../packages/protocol/src/bytes.ts";
import {
  LocalProtocolError,
  ProtocolError,
  RemoteProtocolError,
} from "../../../packages/protocol/src/errors.ts";
import { Http2ClientConnection } from "../../../packages/protocol/src/http2/connection/connection.ts";
import { http2ErrorCodeOf } from "../../../packages/protocol/src/http2/connection/errors.ts";
import type { Http2Event } from "../../../packages/protocol/src/http2/connection/events.ts";
import type { Http2ClientOptions } from "../../../packages/protocol/src/http2/connection/options.ts";
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_SIZE,
  HTTP2_ERROR,
} from "../../../packages/protocol/src/http2/frames/constants.ts";
import { FrameReader } from "../../../packages/protocol/src/http2/frames/reader.ts";
import type { Http2Frame } from "../../../packages/protocol/src/http2/frames/types.ts";
import { NEED_DATA } from "../../../packages/protocol/src/need-data.ts";
import { cutModulo, prng } from "../../../packages/protocol/test/splittings.ts";
import { corpusCase, frameCase, type Rand } from "./h2-fuzz-frames.ts";

/** The requests every run opens before the server's octets arrive: streams 1, 3, 5 (with a body), 7 (HEAD). */
const REQUESTS: { method: string; body: number }[] = [
  { method: "GET", body: 0 },
  { method: "GET", body: 0 },
  { method: "POST", body: 70_000 },
  { method: "HEAD", body: 0 },
];

/**
 * The client streams every run opens before the server's octets arrive.
 *
 * @example
 * ```ts
 * CLIENT_STREAMS; // [1, 3, 5, 7]
 * ```
 */
export const CLIENT_STREAMS = REQUESTS.map((_, i) => 2 * i + 1);

/** One generated input: the server's octets, the client's options, where to cut. */
export interface H2Case {
  /** "frames" or "hpack-corpus …", for the report. */
  name: string;
  options: Http2ClientOptions;
  wire: Uint8Array;
  cuts: number[];
}

/** The client options a case draws from: defaults, and tight limits so floods trip. */
const OPTION_SETS: Http2ClientOptions[] = [
  {},
  { initialWindowSize: 65_535, connectionWindowSize: 65_535 },
  {
    maxPendingAcks: 4,
    maxEmptyFrames: 8,
    maxInformationalResponses: 2,
    maxContinuationFrames: 4,
    maxHeaderBlockSize: 2048,
    maxHeaderListSize: 1024,
  },
  { headerTableSize: 0, maxFrameSize: 32_768 },
  { headerTableSize: 256, initialWindowSize: 0 },
];

/**
 * The case at `index` of a run with `seed`: deterministic, so replay lines work.
 *
 * @example
 * ```ts
 * const { options, wire, cuts } = h2CaseAt(7, 194);
 * checkH2(options, wire, cuts); // what `fuzz --target h2 --seed 7 --case 194` checks
 * ```
 */
export function h2CaseAt(seed: number, index: number): H2Case {
  const random = prng((seed + Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const rand: Rand = {
    int: (n) => Math.floor(random() * n),
    chance: (p) => random() < p,
    pick: (xs) => xs[Math.floor(random() * xs.length)]!,
  };
  const options = rand.pick(OPTION_SETS);
  const corpus = rand.chance(0.3);
  const { name, wire } = corpus
    ? corpusCase(rand, options.headerTableSize ?? 4096)
    : { name: "frames", wire: frameCase(rand, options.headerTableSize ?? 4096) };
  const cuts = Array.from({ length: 1 + rand.int(12) }, () => rand.int(1 << 30));
  return { name, options, wire, cuts };
}

/** What one run saw: normalized events, the error that ended it, the octets sent back. */
export interface H2Outcome {
  events: string[];
  error: string | undefined;
  sent: Uint8Array;
}

/** A broken invariant, with what replays it. */
export interface H2Finding {
  kind: "exception" | "error-code" | "memory" | "hang" | "split" | "output";
  message: string;
  /** The input as hex (cut to 4 KiB for reports). */
  input: string;
  /** The command that replays the case, when it came from a seeded run. */
  replay?: string;
}

class InvariantError extends Error {
  constructor(
    readonly kind: H2Finding["kind"],
    message: string,
  ) {
    super(message);
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** A cheap checksum for data events (FNV-1a), so outcomes compare without holding bodies. */
function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

/** RFC 9113 §7 codes a peer's fault may be reported with (INTERNAL_ERROR means an unmapped code). */
const PEER_FAULT_CODES = new Set<number>(
  Object.values(HTTP2_ERROR).filter(
    (c) => c !== HTTP2_ERROR.NO_ERROR && c !== HTTP2_ERROR.INTERNAL_ERROR,
  ),
);

function checkError(error: unknown, errorCode: number, what: string): string {
  if (!(error instanceof RemoteProtocolError))
    throw new InvariantError("error-code", `${what}: not a RemoteProtocolError: ${String(error)}`);
  if (!/^(H2_|HPACK_)[A-Z0-9_]+$/.test(error.code))
    throw new InvariantError("error-code", `${what}: unstable code ${error.code}`);
  if (!PEER_FAULT_CODES.has(errorCode) || http2ErrorCodeOf(error.code) !== errorCode)
    throw new InvariantError("error-code", `${what}: ${error.code} sent as ${errorCode}`);
  return error.code;
}

function describe(event: Http2Event): string {
  switch (event.type) {
    case "informational":
    case "response":
      return `${event.type} ${event.streamId} ${event.status} ${JSON.stringify(event.headers)}`;
    case "data":
      return `data ${event.streamId} ${event.data.length} ${checksum(event.data)}`;
    case "trailers":
      return `trailers ${event.streamId} ${JSON.stringify(event.headers)}`;
    case "stream_end":
      return `stream_end ${event.streamId}`;
    case "stream_reset":
      return `stream_reset ${event.streamId} ${event.errorCode} ${event.error?.code ?? "-"}`;
    case "settings_changed":
      return `settings_changed ${JSON.stringify(event.settings)}`;
    case "settings_acknowledged":
      return "settings_acknowledged";
    case "ping_ack":
      return `ping_ack ${hex(event.opaqueData)}`;
    case "goaway":
      return `goaway ${event.lastStreamId} ${event.errorCode} ${hex(event.debugData)} ${event.unprocessedStreamIds}`;
    case "window_update":
      return `window_update ${event.streamId} ${event.increment}`;
    case "connection_error":
      return `connection_error ${event.error.code} ${event.errorCode}`;
  }
}

/** The frames the client sent after its preface (which every run sends alike). */
function framesOf(bytes: Uint8Array): Http2Frame[] {
  const reader = new FrameReader({ maxFrameSize: (1 << 24) - 1 });
  reader.receiveData(bytes);
  const frames: Http2Frame[] = [];
  for (let f = reader.nextFrame(); f !== NEED_DATA; f = reader.nextFrame()) frames.push(f);
  if (reader.buffered !== 0) throw new InvariantError("output", "the client sent a partial frame");
  return frames;
}

/**
 * Feeds `chunks` to a client that opened {@link REQUESTS}, checking the
 * per-call invariants. By default `dataToSend()` is taken once at the end and
 * no data is acknowledged, so the ACK flood counters and the windows see the
 * same octets however they were cut (split invariance). `interactive` acts
 * as an I/O layer does instead: after each chunk it acknowledges the data
 * and takes the octets to send (WINDOW_UPDATEs, counters reset), which
 * depends on the cuts, so only the other invariants apply.
 *
 * @example
 * ```ts
 * runH2({}, [wire]).error; // "H2_PING_FLOOD", or undefined when the server behaved
 * ```
 */
export function runH2(
  options: Http2ClientOptions,
  chunks: readonly Uint8Array[],
  interactive = false,
): H2Outcome {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const client = new Http2ClientConnection(options);
  REQUESTS.forEach(({ method, body }) => {
    const id = client.sendHeaders(
      undefined,
      [
        [":method", method],
        [":scheme", "https"],
        [":authority", "fuzz.example"],
        [":path", "/"],
      ],
      { endStream: body === 0 },
    );
    if (body > 0) client.sendData(id, new Uint8Array(body).fill(0x61), { endStream: true });
  });
  const start = client.dataToSend();
  if (start.length < CLIENT_PREFACE.length) throw new InvariantError("output", "no preface queued");
  const maxBuffered =
    9 +
    Math.max(DEFAULT_MAX_FRAME_SIZE, options.maxFrameSize ?? 0) +
    (options.maxHeaderBlockSize ?? 65_536);
  const maxEvents = 2 * Math.ceil(total / 9) + 2;
  const events: Http2Event[] = [];
  const sentParts: Uint8Array[] = [];
  const random = prng(total);
  /** What the API calls of interactive mode may send, beyond answers to the input. */
  let apiOctets = 0;
  let dataBytes = 0;
  let failed: ProtocolError | undefined;
  for (const chunk of chunks) {
    if (failed !== undefined) break;
    let got: Http2Event[];
    try {
      got = client.receiveData(chunk);
    } catch (error) {
      throw new InvariantError("exception", `receiveData threw ${String(error)}`);
    }
    for (const event of got) {
      if (failed !== undefined)
        throw new InvariantError("exception", `${event.type} after connection_error`);
      events.push(event);
      if (event.type === "data") {
        dataBytes += event.data.length;
        if (interactive) client.acknowledgeReceivedData(event.streamId, event.data.length);
      }
      if (event.type === "stream_reset" && event.error !== undefined) {
        checkError(event.error, event.errorCode, "stream_reset");
        // One the client opened: the first four, or one the API opened in interactive mode.
        if (event.streamId % 2 === 0 || event.streamId >= client.nextStreamId)
          throw new InvariantError("error-code", `reset of stream ${event.streamId}`);
      }
      if (event.type === "connection_error") {
        checkError(event.error, event.errorCode, "connection_error");
        failed = event.error;
      }
    }
    if (client.bufferedLength > maxBuffered)
      throw new InvariantError(
        "memory",
        `${client.bufferedLength} octets held (limit ${maxBuffered})`,
      );
    if (dataBytes > total)
      throw new InvariantError("memory", `${dataBytes} body octets out of ${total} fed`);
    if (events.length > maxEvents)
      throw new InvariantError("hang", `${events.length} events from ${total} octets`);
    if (interactive) {
      if (failed === undefined) apiOctets += act(client, random);
      sentParts.push(client.dataToSend());
    }
  }
  if (failed !== undefined) {
    if (client.state !== "closed") throw new InvariantError("exception", "failed but not closed");
    try {
      client.receiveData(EMPTY_BYTES);
      throw new InvariantError("exception", "receiveData after connection_error did not throw");
    } catch (error) {
      if (error instanceof InvariantError) throw error;
      if (!(error instanceof ProtocolError) || error.code !== failed.code)
        throw new InvariantError("exception", `rethrew ${String(error)}, not ${failed.code}`);
    }
  }
  sentParts.push(client.dataToSend());
  const sent = concatBytes(sentParts);
  checkSent(sent, events, total, apiOctets);
  return { events: events.map(describe), error: failed?.code, sent };
}

/**
 * One call of the client's API between chunks, as an application makes them
 * (interactive mode): a new request, body octets, trailers, a reset, a PING,
 * a GOAWAY, an acknowledgement. A refusal must be a LocalProtocolError with a
 * stable code; nothing else may escape.
 */
function act(client: Http2ClientConnection, random: () => number): number {
  const int = (n: number) => Math.floor(random() * n);
  const streamId = int(6) === 0 ? client.nextStreamId : 1 + 2 * int(5);
  try {
    switch (int(10)) {
      case 0:
        client.sendHeaders(undefined, GET_REQUEST, { endStream: int(2) === 0 });
        break;
      case 1: {
        const length = int(20_000);
        client.sendData(streamId, new Uint8Array(length), { endStream: int(2) === 0 });
        return length + 9 * 4;
      }
      case 2:
        client.resetStream(streamId);
        break;
      case 3:
        client.ping(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, int(256)));
        break;
      case 4:
        client.sendHeaders(streamId, [["x-trailer", "1"]], { endStream: true });
        break;
      case 5:
        client.endStream(streamId);
        break;
      case 6:
        if (int(4) === 0) client.close();
        break;
      default:
        client.acknowledgeReceivedData(streamId, int(70_000));
        break;
    }
  } catch (error) {
    if (!(error instanceof LocalProtocolError) || !/^(H2_|INVALID_)[A-Z0-9_]+$/.test(error.code))
      throw new InvariantError("exception", `the API threw ${String(error)}`);
  }
  // A request head, trailers, a PING or a GOAWAY: well under this.
  return 200;
}

const GET_REQUEST: [string, string][] = [
  [":method", "GET"],
  [":scheme", "https"],
  [":authority", "fuzz.example"],
  [":path", "/again"],
];

/** What the client sent back: whole frames, a GOAWAY with the failure's code last, bounded. */
function checkSent(
  sent: Uint8Array,
  events: readonly Http2Event[],
  total: number,
  apiOctets: number,
): void {
  // The POST body (70000 octets) may go out as windows open; the rest answers the input.
  const limit = 70_000 + 200 + 2 * total + apiOctets;
  if (sent.length > limit)
    throw new InvariantError("output", `${sent.length} octets sent for ${total} received`);
  const frames = framesOf(sent);
  const last = events.at(-1);
  if (last?.type === "connection_error") {
    const goaway = frames.at(-1);
    if (goaway?.type !== "goaway" || goaway.errorCode !== last.errorCode)
      throw new InvariantError(
        "output",
        `last frame sent ${goaway?.type}, not GOAWAY ${last.errorCode}`,
      );
  }
  for (const f of frames) {
    if (f.type === "rst_stream" && !PEER_FAULT_CODES.has(f.errorCode))
      throw new InvariantError("output", `RST_STREAM with ${f.errorCode}`);
  }
}

function sameOutcome(a: H2Outcome, b: H2Outcome): string | undefined {
  if (a.error !== b.error) return `error ${a.error} vs ${b.error}`;
  const n = Math.max(a.events.length, b.events.length);
  for (let i = 0; i < n; i++)
    if (a.events[i] !== b.events[i]) return `event ${i}: ${a.events[i]} vs ${b.events[i]}`;
  if (a.sent.length !== b.sent.length) return `${a.sent.length} vs ${b.sent.length} octets sent`;
  for (let i = 0; i < a.sent.length; i++)
    if (a.sent[i] !== b.sent[i]) return `sent octets differ at ${i}`;
  return undefined;
}

/**
 * Checks one input whole, cut at `cuts`, and byte by byte when at most
 * 4 KiB, and once more cut at `cuts` in interactive mode (see {@link runH2});
 * returns the first broken invariant, or null.
 *
 * @example
 * ```ts
 * checkH2({}, wire, [3, 17]); // null when every invariant holds
 * ```
 */
export function checkH2(
  options: Http2ClientOptions,
  wire: Uint8Array,
  cuts: readonly number[],
): H2Finding | null {
  return checkH2Outcome(options, wire, cuts).finding;
}

/** {@link checkH2}, with the error the whole input ended in (for the loop's tally). */
function checkH2Outcome(
  options: Http2ClientOptions,
  wire: Uint8Array,
  cuts: readonly number[],
): { finding: H2Finding | null; error?: string } {
  const input = hex(wire.subarray(0, 4096));
  try {
    const whole = runH2(options, [wire]);
    const splits: Uint8Array[][] = [cutModulo(wire, cuts)];
    if (wire.length <= 4096) splits.push(Array.from(wire, (b) => Uint8Array.of(b)));
    // As an I/O layer drives it (acknowledging data, sending after each chunk): no comparison.
    runH2(options, splits[0]!, true);
    for (const pieces of splits) {
      const other = runH2(options, pieces);
      const difference = sameOutcome(whole, other);
      if (difference !== undefined)
        return {
          finding: { kind: "split", message: `${pieces.length} pieces: ${difference}`, input },
        };
    }
    return { finding: null, error: whole.error ?? "none" };
  } catch (error) {
    const finding: H2Finding =
      error instanceof InvariantError
        ? { kind: error.kind, message: error.message, input }
        : { kind: "exception", message: `harness: ${String(error)}`, input };
    return { finding };
  }
}

/**
 * The command that replays case `index` of a run with `seed`.
 *
 * @example
 * ```ts
 * replayLine(7, 194); // "npx pnpm --filter @reqivo/e2e fuzz -- --target h2 --seed 7 --case 194"
 * ```
 */
export const replayLine = (seed: number, index: number): string =>
  `npx pnpm --filter @reqivo/e2e fuzz -- --target h2 --seed ${seed} --case ${index}`;

/** Options of {@link h2FuzzLoop}. */
export interface H2FuzzLoopOptions {
  seed: number;
  /** Index of the first case (a replay starts at the case to replay). */
  first?: number;
  /** At most this many cases. */
  cases: number;
  /** Stop at this time (ms since the epoch). */
  until: number;
  onProgress?: (r: H2FuzzResult) => void;
}

/** What a loop found. */
export interface H2FuzzResult {
  cases: number;
  /** Cases that ended in a connection_error, by code (the fuzzer reaches the refusals). */
  errors: Record<string, number>;
  findings: H2Finding[];
}

/**
 * Runs cases `first`, `first + 1`, … of `seed` until `cases` or `until`;
 * stops after 20 findings. Each finding carries its replay line.
 *
 * @example
 * ```ts
 * h2FuzzLoop({ seed: 7, cases: 1000, until: Date.now() + 3000 }).findings; // []
 * ```
 */
export function h2FuzzLoop(options: H2FuzzLoopOptions): H2FuzzResult {
  const result: H2FuzzResult = { cases: 0, errors: {}, findings: [] };
  const first = options.first ?? 0;
  let lastProgress = Date.now();
  for (let i = first; i < first + options.cases && result.findings.length < 20; i++) {
    if ((i & 15) === 0 && Date.now() >= options.until) break;
    const c = h2CaseAt(options.seed, i);
    const { finding, error } = checkH2Outcome(c.options, c.wire, c.cuts);
    result.cases++;
    if (finding !== null) {
      result.findings.push({
        ...finding,
        message: `${c.name}: ${finding.message}`,
        replay: replayLine(options.seed, i),
      });
    } else if (error !== undefined) {
      result.errors[error] = (result.errors[error] ?? 0) + 1;
    }
    if ((i & 255) === 0 && Date.now() - lastProgress > 10_000) {
      lastProgress = Date.now();
      options.onProgress?.(result);
    }
  }
  return result;
}

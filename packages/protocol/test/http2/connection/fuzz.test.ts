// Random server frame sequences, plausible and hostile: the client never
// throws from receiveData, ends any failure with one connection_error of a
// known code, sends back a bounded amount, and does the same for any split.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import type { HeaderPair } from "../../../src/http/headers.ts";
import { Http2ClientConnection } from "../../../src/http2/connection/connection.ts";
import type { Http2Event } from "../../../src/http2/connection/events.ts";
import { FrameWriter } from "../../../src/http2/frames/writer.ts";
import { HpackEncoder } from "../../../src/http2/hpack/encoder.ts";
import { cutAt } from "../../splittings.ts";
import { GET, joinData } from "./fake-server.ts";

type FrameSpec =
  | { kind: "settings"; pairs: [number, number][] }
  | { kind: "settings_ack" }
  | { kind: "ping"; ack: boolean }
  | { kind: "headers"; streamId: number; fields: HeaderPair[]; endStream: boolean }
  | { kind: "data"; streamId: number; length: number; endStream: boolean; pad: number | undefined }
  | { kind: "rst"; streamId: number; code: number }
  | { kind: "window_update"; streamId: number; increment: number }
  | { kind: "goaway"; lastStreamId: number }
  | { kind: "raw"; type: number; flags: number; streamId: number; payload: Uint8Array };

const streamId = fc.constantFrom(0, 1, 2, 3, 5, 7, 9);
const field: fc.Arbitrary<HeaderPair> = fc.oneof(
  fc.constantFrom<HeaderPair>(
    [":status", "200"],
    [":status", "103"],
    [":status", "204"],
    [":status", "99"],
    [":path", "/"],
    ["content-length", "3"],
    ["content-length", "x"],
    ["connection", "close"],
    ["te", "gzip"],
    ["Upper", "1"],
    ["x-a", "b"],
  ),
  fc.tuple(fc.stringMatching(/^[a-z-]{1,8}$/), fc.string({ maxLength: 20 })),
);
const frameSpec: fc.Arbitrary<FrameSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("settings" as const),
    pairs: fc.array(fc.tuple(fc.constantFrom(1, 3, 4, 6, 9, 42), fc.nat({ max: 2 ** 31 - 1 })), {
      maxLength: 3,
    }),
  }),
  fc.constant({ kind: "settings_ack" as const }),
  fc.record({ kind: fc.constant("ping" as const), ack: fc.boolean() }),
  fc.record({
    kind: fc.constant("headers" as const),
    streamId,
    fields: fc.array(field, { maxLength: 4 }),
    endStream: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("data" as const),
    streamId,
    length: fc.nat({ max: 200 }),
    endStream: fc.boolean(),
    pad: fc.option(fc.nat({ max: 20 }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant("rst" as const), streamId, code: fc.nat({ max: 14 }) }),
  fc.record({
    kind: fc.constant("window_update" as const),
    streamId,
    increment: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  }),
  fc.record({ kind: fc.constant("goaway" as const), lastStreamId: streamId }),
  fc.record({
    kind: fc.constant("raw" as const),
    type: fc.nat({ max: 12 }),
    flags: fc.nat({ max: 255 }),
    streamId,
    payload: fc.uint8Array({ maxLength: 24 }),
  }),
);

function wireOf(specs: FrameSpec[]): Uint8Array {
  const writer = new FrameWriter();
  const encoder = new HpackEncoder();
  const frames = [writer.settings([])];
  for (const spec of specs) {
    switch (spec.kind) {
      case "settings":
        frames.push(writer.settings(spec.pairs.map(([id, v]) => [id, id === 4 ? v : v % 100_000])));
        break;
      case "settings_ack":
        frames.push(writer.settingsAck());
        break;
      case "ping":
        frames.push(writer.ping(new Uint8Array(8), spec.ack));
        break;
      case "headers":
        if (spec.streamId === 0) continue;
        frames.push(
          writer.headers(
            spec.streamId,
            encoder.encode(spec.fields.map(([n, v]) => [n, v.replace(/[^\x20-\x7e]/g, "")])),
            {
              endStream: spec.endStream,
            },
          ),
        );
        break;
      case "data":
        if (spec.streamId === 0) continue;
        frames.push(
          writer.data(spec.streamId, new Uint8Array(spec.length), {
            endStream: spec.endStream,
            padLength: spec.pad,
          }),
        );
        break;
      case "rst":
        if (spec.streamId !== 0) frames.push(writer.rstStream(spec.streamId, spec.code));
        break;
      case "window_update":
        frames.push(writer.windowUpdate(spec.streamId, spec.increment));
        break;
      case "goaway":
        frames.push(writer.goaway(spec.lastStreamId, 0));
        break;
      case "raw":
        frames.push(writer.raw(spec.type, spec.flags, spec.streamId, spec.payload));
        break;
    }
  }
  return concatBytes(frames);
}

function run(
  pieces: readonly Uint8Array[],
  dataPieces = false,
): { events: Http2Event[]; sent: Uint8Array } {
  const client = new Http2ClientConnection({ initialWindowSize: 65_535, dataPieces });
  for (let i = 0; i < 3; i++) client.sendHeaders(undefined, GET, { endStream: i !== 1 });
  client.sendData(3, new Uint8Array(100_000), { endStream: true });
  const sent = [client.dataToSend()];
  const events: Http2Event[] = [];
  for (const piece of pieces) {
    if (client.state === "closed") break;
    events.push(...client.receiveData(piece));
    sent.push(client.dataToSend());
    // A partial frame and an open header block at most; nothing once failed.
    expect(client.bufferedLength).toBeLessThanOrEqual(9 + 16_384 + 65_536);
    if (events.some((e) => e.type === "connection_error")) expect(client.bufferedLength).toBe(0);
  }
  return { events, sent: concatBytes(sent) };
}

/** The first offset where `a` and `b` differ, or -1 (a plain loop: a deep-equal diff of 100 KB is slow). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

describe("random server frames", () => {
  it("never throw, fail at most once with a known code, send back a bounded amount, for any split", () => {
    fc.assert(
      fc.property(
        fc.array(frameSpec, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (specs, cuts) => {
          const wire = wireOf(specs);
          const whole = run([wire]);
          const failures = whole.events.filter((e) => e.type === "connection_error");
          expect(failures.length).toBeLessThanOrEqual(1);
          if (failures.length === 1) {
            expect(whole.events.at(-1)?.type).toBe("connection_error");
            expect(failures[0]!.error.code).toMatch(/^(H2_|HPACK_)/);
          }
          // The request side (the 100000-octet body waits for windows) plus at most
          // twice what the server sent: ACKs echo, resets and updates answer frames.
          const split = run(
            cutAt(
              wire,
              cuts.map((c) => c % (wire.length + 1)),
            ),
          );
          expect(split.events).toEqual(whole.events);
          expect(firstDifference(split.sent, whole.sent)).toBe(-1);
          expect(whole.sent.length).toBeLessThanOrEqual(200_000 + 2 * wire.length);
          // With dataPieces a straddling DATA payload comes in pieces: the same once joined.
          const pieces = run(
            cutAt(
              wire,
              cuts.map((c) => c % (wire.length + 1)),
            ),
            true,
          );
          expect(joinData(pieces.events)).toEqual(joinData(whole.events));
          expect(firstDifference(pieces.sent, whole.sent)).toBe(-1);
        },
      ),
      { numRuns: 500 },
    );
  });
});

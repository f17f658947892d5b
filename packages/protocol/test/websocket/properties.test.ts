// Property tests: round trips over random messages and fragmentations, and
// random input never escaping as anything but a ProtocolError.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NEED_DATA,
  ProtocolError,
  WebSocketConnection,
  type WebSocketEvent,
} from "../../src/index.ts";
import { cat } from "./helpers.ts";

const message = fc.oneof(
  fc.record({
    type: fc.constant("text" as const),
    data: fc.string({ unit: "grapheme", maxLength: 300 }),
  }),
  fc.record({ type: fc.constant("binary" as const), data: fc.uint8Array({ maxLength: 70_000 }) }),
);

/** Splits a message into 1..4 fragments by byte (text) or element (binary) cuts. */
function fragments(m: { type: "text" | "binary"; data: string | Uint8Array }, cuts: number[]) {
  if (m.type === "text") {
    const chars = [...(m.data as string)];
    const at = [...new Set(cuts.map((c) => c % (chars.length + 1)))].sort((a, b) => a - b);
    const parts: string[] = [];
    let prev = 0;
    for (const c of [...at, chars.length]) {
      parts.push(chars.slice(prev, c).join(""));
      prev = c;
    }
    return parts.map((data) => ({ type: "text" as const, data }));
  }
  const bytes = m.data as Uint8Array;
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    parts.push(bytes.subarray(prev, c));
    prev = c;
  }
  return parts.map((data) => ({ type: "binary" as const, data }));
}

function drainAll(conn: WebSocketConnection): WebSocketEvent[] {
  const out: WebSocketEvent[] = [];
  for (let ev = conn.nextEvent(); ev !== NEED_DATA; ev = conn.nextEvent()) out.push(ev);
  return out;
}

describe("properties", () => {
  it("client encode → server decode round-trips messages, fragments and chunkings", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(message, fc.array(fc.nat(), { maxLength: 3 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.integer({ min: 1, max: 5000 }),
        (messages, chunk) => {
          const sender = new WebSocketConnection({ role: "client" });
          const receiver = new WebSocketConnection({ role: "server" });
          const wire: Uint8Array[] = [];
          for (const [m, cuts] of messages) {
            const parts = fragments(m, cuts);
            parts.forEach((p, i) => {
              wire.push(sender.send({ ...p, fin: i === parts.length - 1 }));
              if (i === 0) wire.push(sender.send({ type: "ping", data: "x" }));
            });
          }
          const bytes = cat(wire);
          const events: WebSocketEvent[] = [];
          for (let i = 0; i < bytes.length; i += chunk) {
            receiver.receiveData(bytes.subarray(i, i + chunk));
            events.push(...drainAll(receiver));
          }
          const received = events.filter((e) => e.type !== "ping");
          expect(received).toEqual(
            messages.map(([m]) =>
              m.type === "text" ? m : { type: "binary", data: Uint8Array.from(m.data) },
            ),
          );
          expect(events.filter((e) => e.type === "ping")).toHaveLength(messages.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("streaming mode reassembles to the same messages", () => {
    fc.assert(
      fc.property(
        message,
        fc.array(fc.nat(), { maxLength: 3 }),
        fc.integer({ min: 1, max: 64 }),
        (m, cuts, chunk) => {
          const sender = new WebSocketConnection({ role: "server" });
          const receiver = new WebSocketConnection({ role: "client", streamMessages: true });
          const parts = fragments(m, cuts);
          const bytes = cat(
            parts.map((p, i) => sender.send({ ...p, fin: i === parts.length - 1 })),
          );
          const events: WebSocketEvent[] = [];
          for (let i = 0; i < bytes.length; i += chunk) {
            receiver.receiveData(bytes.subarray(i, i + chunk));
            events.push(...drainAll(receiver));
          }
          expect(events.at(-1)).toMatchObject({ type: m.type, fin: true });
          if (m.type === "text")
            expect(events.map((e) => (e as { data: string }).data).join("")).toBe(m.data);
          else
            expect(cat(events.map((e) => (e as { data: Uint8Array }).data))).toEqual(
              Uint8Array.from(m.data),
            );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("random bytes yield events or a ProtocolError, never another exception", () => {
    const frameish = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      // Mostly well-formed headers with random bits, so the parser gets deep.
      fc
        .tuple(
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: 127 }),
          fc.uint8Array({ maxLength: 140 }),
        )
        .map(([b0, len, rest]) => Uint8Array.from([b0, len, ...rest])),
    );
    fc.assert(
      fc.property(
        fc.array(frameish, { maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (chunks, stream, eof, server) => {
          const conn = new WebSocketConnection({
            role: server ? "server" : "client",
            streamMessages: stream,
            maxMessageSize: 4096,
          });
          try {
            for (const c of chunks) {
              conn.receiveData(c);
              drainAll(conn);
            }
            if (eof) {
              conn.receiveData(null);
              const events = drainAll(conn);
              if (events.length > 0) expect(events.at(-1)!.type).toBe("close");
            }
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
            const code = (e as ProtocolError).closeCode;
            expect([1002, 1007, 1009]).toContain(code);
            expect(conn.send({ type: "close", code }).length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

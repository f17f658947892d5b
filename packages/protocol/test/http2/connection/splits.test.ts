// Split invariance: however the server's octets are cut, the client reports
// the same events and sends the same octets back.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import { Http2ClientConnection } from "../../../src/http2/connection/connection.ts";
import type { Http2Event } from "../../../src/http2/connection/events.ts";
import { HTTP2_ERROR, SETTING } from "../../../src/http2/frames/constants.ts";
import { cutAt, splittings } from "../../splittings.ts";
import { FakeServer, GET, joinData } from "./fake-server.ts";

/** A client with three requests sent, and the server's whole answer to them. */
function script(
  withError: boolean,
  dataPieces = false,
): { start: () => Http2ClientConnection; wire: Uint8Array } {
  const start = () => {
    const client = new Http2ClientConnection({ initialWindowSize: 65_535, dataPieces });
    for (let i = 0; i < 3; i++) client.sendHeaders(undefined, GET, { endStream: true });
    client.dataToSend();
    return client;
  };
  const server = new FakeServer();
  const wire = concatBytes([
    server.settings([
      [SETTING.MAX_CONCURRENT_STREAMS, 100],
      [SETTING.HEADER_TABLE_SIZE, 1024],
    ]),
    server.writer.settingsAck(),
    server.headers(1, [
      [":status", "103"],
      ["link", "</style.css>"],
    ]),
    // A header block over 16384 octets: HEADERS + CONTINUATION.
    server.headers(1, [
      [":status", "200"],
      ["x-long", "v".repeat(20_000)],
      ["content-length", "11"],
    ]),
    server.writer.ping(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)),
    server.writer.data(1, new TextEncoder().encode("hello "), { padLength: 7 }),
    server.headers(3, [[":status", "404"]], true),
    server.writer.windowUpdate(0, 1000),
    server.data(1, "world"),
    server.headers(1, [["x-trailer", "done"]], true),
    server.writer.rstStream(5, HTTP2_ERROR.REFUSED_STREAM),
    server.writer.goaway(5, HTTP2_ERROR.NO_ERROR),
    withError ? server.data(9, "never opened") : new Uint8Array(0),
  ]);
  return { start, wire };
}

function run(start: () => Http2ClientConnection, pieces: readonly Uint8Array[]) {
  const client = start();
  const events: Http2Event[] = [];
  for (const piece of pieces) {
    if (client.state === "closed") break;
    events.push(...client.receiveData(piece));
  }
  return { events, sent: client.dataToSend() };
}

describe("split invariance", () => {
  for (const withError of [false, true]) {
    const { start, wire } = script(withError);
    const whole = run(start, [wire]);

    it(`gives the same events and output for every splitting${withError ? ", up to a connection error" : ""}`, () => {
      expect(whole.events.map((e) => e.type)).toEqual([
        "settings_changed",
        "settings_acknowledged",
        "informational",
        "response",
        "data",
        "response",
        "stream_end",
        "window_update",
        "data",
        "trailers",
        "stream_end",
        "stream_reset",
        "goaway",
        ...(withError ? ["connection_error"] : []),
      ]);
      for (const { name, pieces } of splittings(wire, { random: 8 })) {
        const split = run(start, pieces);
        expect(split.events, name).toEqual(whole.events);
        expect(split.sent, name).toEqual(whole.sent);
      }
    });

    it(`gives the same events for random cuts${withError ? ", up to a connection error" : ""}`, () => {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: wire.length }), { maxLength: 40 }), (offsets) => {
          const split = run(start, cutAt(wire, offsets));
          expect(split.events).toEqual(whole.events);
          expect(split.sent).toEqual(whole.sent);
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe("split invariance with dataPieces (DATA that straddles chunks comes in pieces)", () => {
  for (const withError of [false, true]) {
    const { start, wire } = script(withError, true);
    const whole = run(start, [wire]);
    const reference = run(script(withError).start, [wire]);

    it(`gives the same events, data joined, and output for every splitting${withError ? ", up to a connection error" : ""}`, () => {
      expect(whole.events).toEqual(reference.events);
      for (const { name, pieces } of splittings(wire, { random: 8 })) {
        const split = run(start, pieces);
        expect(joinData(split.events), name).toEqual(joinData(whole.events));
        expect(split.sent, name).toEqual(whole.sent);
      }
    });

    it(`and for random cuts${withError ? ", up to a connection error" : ""}`, () => {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: wire.length }), { maxLength: 40 }), (offsets) => {
          const split = run(start, cutAt(wire, offsets));
          expect(joinData(split.events)).toEqual(joinData(whole.events));
          expect(split.sent).toEqual(whole.sent);
        }),
        { numRuns: 200 },
      );
    });
  }

  it("gives a straddling payload as views of the chunks, padding stripped, not a copy", () => {
    const server = new FakeServer();
    const body = new Uint8Array(10_000).map((_, i) => i % 251);
    const frame = server.writer.data(1, body, { padLength: 20 });
    const client = new Http2ClientConnection({ dataPieces: true });
    client.sendHeaders(undefined, GET, { endStream: true });
    client.receiveData(concatBytes([server.settings([]), server.headers(1, [[":status", "200"]])]));
    const cut = 4000;
    const first = frame.slice(0, cut);
    const second = frame.slice(cut);
    expect(client.receiveData(first)).toEqual([]);
    const events = client.receiveData(second);
    const data = events.filter((e) => e.type === "data");
    expect(data.map((e) => e.data.buffer)).toEqual([first.buffer, second.buffer]);
    expect(concatBytes(data.map((e) => e.data))).toEqual(body);
    expect(client.bufferedLength).toBe(0);
  });

  it("refuses a straddling DATA frame whose padding exceeds it, as a joined one", () => {
    const server = new FakeServer();
    const frame = server.writer.data(1, new Uint8Array(100), { padLength: 50 });
    frame[9] = 200; // the pad length byte, now longer than the payload
    const client = new Http2ClientConnection({ dataPieces: true });
    client.sendHeaders(undefined, GET, { endStream: true });
    client.receiveData(concatBytes([server.settings([]), server.headers(1, [[":status", "200"]])]));
    client.receiveData(frame.slice(0, 60));
    const events = client.receiveData(frame.slice(60));
    expect(events.map((e) => e.type)).toEqual(["connection_error"]);
    expect((events[0] as { error: { code: string } }).error.code).toBe("H2_INVALID_PADDING");
  });
});

// The server's preface (RFC 9113 §3.4): its first frame must be SETTINGS,
// checked before anything else about that frame (its size included); an
// HTTP/1.x answer to an h2c attempt has a code of its own. Every cut of the
// same octets gives the same verdict and the same GOAWAY.
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import { Http2ClientConnection } from "../../../src/http2/connection/connection.ts";
import type { Http2Event } from "../../../src/http2/connection/events.ts";
import { FRAME_TYPE, HTTP2_ERROR } from "../../../src/http2/frames/constants.ts";
import { cutAt, splittings } from "../../splittings.ts";
import { FakeServer } from "./fake-server.ts";

const HTTP1_ANSWER = new TextEncoder().encode(
  "HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
);

/** A frame header of `length` octets, `type`, `flags` on `streamId` (no payload). */
function frameHeader(length: number, type: number, flags = 0, streamId = 0): Uint8Array {
  return Uint8Array.of(
    length >> 16,
    (length >> 8) & 0xff,
    length & 0xff,
    type,
    flags,
    0,
    0,
    0,
    streamId,
  );
}

/** Feeds `pieces` to a fresh client: its events, and the frames it sent back after its preface. */
function verdict(pieces: Uint8Array[]) {
  const client = new Http2ClientConnection();
  const server = new FakeServer();
  server.read(client.dataToSend());
  const events: Http2Event[] = [];
  for (const piece of pieces) {
    if (client.state === "closed") break;
    events.push(...client.receiveData(piece));
  }
  return { events, sent: server.read(client.dataToSend()), client };
}

/** Every cut of `wire` (whole, octet by octet, after each CR, random, and at each of its first 12 octets). */
function everyCut(wire: Uint8Array): Uint8Array[][] {
  const cuts = splittings(wire).map((s) => s.pieces);
  for (let at = 1; at <= 12; at++) cuts.push(cutAt(wire, [at]));
  return cuts;
}

describe("Http2ClientConnection: the server's preface", () => {
  it("names an HTTP/1.x answer H2_PEER_SPOKE_HTTP1 (PROTOCOL_ERROR, GOAWAY), however it is cut", () => {
    for (const pieces of everyCut(HTTP1_ANSWER)) {
      const { events, sent, client } = verdict(pieces);
      expect(events).toEqual([
        expect.objectContaining({
          type: "connection_error",
          errorCode: HTTP2_ERROR.PROTOCOL_ERROR,
          error: expect.objectContaining({ code: "H2_PEER_SPOKE_HTTP1", origin: "remote" }),
        }),
      ]);
      expect(sent).toMatchObject([{ type: "goaway", errorCode: HTTP2_ERROR.PROTOCOL_ERROR }]);
      expect(client.bufferedLength).toBe(0);
    }
    const { events } = verdict([HTTP1_ANSWER]);
    const error = (events[0] as { error: Error }).error;
    expect(error.message).toMatch(/HTTP\/1\.x \("HTTP\/1\.1 …"\).*prior knowledge was wrong/);
  });

  it("refuses a first frame other than SETTINGS as H2_BAD_PREFACE before its size is checked", () => {
    const server = new FakeServer();
    const firsts = [
      server.writer.ping(new Uint8Array(8)),
      server.writer.settingsAck(),
      server.writer.goaway(0, HTTP2_ERROR.NO_ERROR),
      server.writer.windowUpdate(0, 1000),
      // Far above SETTINGS_MAX_FRAME_SIZE: still the preface's error, not H2_FRAME_TOO_LARGE.
      frameHeader(0xff_ffff, FRAME_TYPE.DATA, 0, 1),
      frameHeader(100_000, 0xfa),
    ];
    for (const first of firsts) {
      const wire = concatBytes([first, server.settings()]);
      for (const pieces of everyCut(wire)) {
        const { events, sent } = verdict(pieces);
        expect(events).toEqual([
          expect.objectContaining({
            type: "connection_error",
            errorCode: HTTP2_ERROR.PROTOCOL_ERROR,
            error: expect.objectContaining({ code: "H2_BAD_PREFACE" }),
          }),
        ]);
        expect(sent).toMatchObject([{ type: "goaway", errorCode: HTTP2_ERROR.PROTOCOL_ERROR }]);
      }
    }
  });

  it("checks a SETTINGS first frame as any frame after that: size, then payload", () => {
    const tooLarge = verdict([frameHeader(20_000, FRAME_TYPE.SETTINGS)]);
    expect(tooLarge.events).toMatchObject([
      { type: "connection_error", error: { code: "H2_FRAME_TOO_LARGE" } },
    ]);
    const odd = verdict([frameHeader(5, FRAME_TYPE.SETTINGS), new Uint8Array(5)]);
    expect(odd.events).toMatchObject([
      { type: "connection_error", error: { code: "H2_INVALID_FRAME_LENGTH" } },
    ]);
    // Fewer than 9 octets decide nothing yet.
    const early = verdict([HTTP1_ANSWER.subarray(0, 8)]);
    expect(early.events).toEqual([]);
    expect(early.client.state).toBe("awaiting_preface");
  });

  it("checks the first frame only: a PING after the SETTINGS is answered", () => {
    const server = new FakeServer();
    const ping = server.writer.ping(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    for (const pieces of everyCut(concatBytes([server.settings(), ping]))) {
      const { events, sent } = verdict(pieces);
      expect(events.map((e) => e.type)).toEqual(["settings_changed"]);
      expect(sent).toMatchObject([
        { type: "settings", ack: true },
        { type: "ping", ack: true },
      ]);
    }
  });
});

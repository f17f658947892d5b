import { describe, expect, it } from "vitest";
import * as entry from "../../src/index.ts";

describe("HTTP/2 on the package entry", () => {
  it("exports the client connection, its error codes and constant tables", () => {
    const conn = new entry.Http2ClientConnection();
    // The preface is queued at construction: the magic first.
    expect(new TextDecoder().decode(conn.dataToSend().subarray(0, 24))).toBe(
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    );
    expect(entry.HTTP2_ERROR.REFUSED_STREAM).toBe(7);
    expect(entry.SETTING.MAX_CONCURRENT_STREAMS).toBe(3);
    expect(entry.http2ErrorCodeOf("H2_PING_FLOOD")).toBe(entry.HTTP2_ERROR.ENHANCE_YOUR_CALM);
  });

  it("keeps frames, HPACK and the transition tables internal", () => {
    for (const name of [
      "FrameReader",
      "FrameWriter",
      "HpackEncoder",
      "HpackDecoder",
      "HeaderBlockJoiner",
      "streamTransition",
      "connectionTransition",
      "CLIENT_PREFACE",
    ]) {
      expect(name in entry).toBe(false);
    }
  });
});

// The SETTINGS ACK timeout the I/O layer times (RFC 9113 §6.5.3), and the
// octets the connection holds between calls (a partial frame, an open header
// block), which a caller can check stay within the configured limits.
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import { Http2ClientConnection } from "../../../src/http2/connection/connection.ts";
import { HTTP2_ERROR } from "../../../src/http2/frames/constants.ts";
import { connected, FakeServer, GET } from "./fake-server.ts";

describe("SETTINGS ACK timeout", () => {
  it("counts our preface SETTINGS as awaiting an ACK until the server acknowledges it", () => {
    const client = new Http2ClientConnection();
    const server = new FakeServer();
    expect(client.settingsAwaitingAck).toBe(1);
    client.receiveData(server.settings());
    expect(client.settingsAwaitingAck).toBe(1);
    client.receiveData(server.writer.settingsAck());
    expect(client.settingsAwaitingAck).toBe(0);
  });

  it("fails the connection with SETTINGS_TIMEOUT when the timer fires before the ACK", () => {
    const client = new Http2ClientConnection();
    const server = new FakeServer();
    server.read(client.dataToSend());
    client.receiveData(server.settings());
    server.read(client.dataToSend());
    const events = client.settingsAckTimedOut();
    expect(events).toMatchObject([
      {
        type: "connection_error",
        errorCode: HTTP2_ERROR.SETTINGS_TIMEOUT,
        error: { code: "H2_SETTINGS_TIMEOUT", origin: "remote" },
      },
    ]);
    expect(client.state).toBe("closed");
    expect(server.read(client.dataToSend())).toMatchObject([
      { type: "goaway", errorCode: HTTP2_ERROR.SETTINGS_TIMEOUT },
    ]);
    expect(() => client.receiveData(server.writer.settingsAck())).toThrow(
      expect.objectContaining({ code: "H2_SETTINGS_TIMEOUT" }),
    );
    // Once closed, a second timer changes nothing.
    expect(client.settingsAckTimedOut()).toEqual([]);
  });

  it("does nothing once the ACK came", () => {
    const { client } = connected();
    expect(client.settingsAckTimedOut()).toEqual([]);
    expect(client.state).toBe("open");
    expect(client.dataToSend().length).toBe(0);
  });
});

describe("bufferedLength", () => {
  it("counts a partial frame, then nothing once it is whole", () => {
    const { client, server } = connected();
    const id = client.sendHeaders(undefined, GET, { endStream: true });
    const head = server.headers(id, [[":status", "200"]]);
    const data = server.data(id, "x".repeat(1000), true);
    client.receiveData(head);
    expect(client.bufferedLength).toBe(0);
    client.receiveData(data.subarray(0, 500));
    expect(client.bufferedLength).toBe(500);
    client.receiveData(data.subarray(500));
    expect(client.bufferedLength).toBe(0);
  });

  it("counts an open header block until its END_HEADERS", () => {
    const { client, server } = connected();
    const id = client.sendHeaders(undefined, GET, { endStream: true });
    const block = server.encoder.encode([
      [":status", "200"],
      ["x-a", "b".repeat(100)],
    ]);
    const first = server.writer.headers(id, block.subarray(0, 10)).slice();
    first[4] = first[4]! & ~0x4; // no END_HEADERS
    client.receiveData(first);
    expect(client.bufferedLength).toBe(10);
    client.receiveData(server.writer.continuation(id, block.subarray(10, 50), false));
    expect(client.bufferedLength).toBe(50);
    const events = client.receiveData(server.writer.continuation(id, block.subarray(50), true));
    expect(events).toMatchObject([{ type: "response", status: 200 }]);
    expect(client.bufferedLength).toBe(0);
  });

  // Found by the HTTP/2 fuzzer (apps/e2e, seed 1 case 194): after a connection
  // error the rest of the chunk stayed in the reader, above the frame bound.
  it("drops what follows a connection error", () => {
    const { client, server } = connected();
    const events = client.receiveData(
      concatBytes([
        server.writer.raw(0x4, 0x1, 0, new Uint8Array(0)),
        server.data(1, "x".repeat(20_000).slice(0, 16_000)),
      ]),
    );
    expect(events).toMatchObject([{ type: "connection_error" }]);
    expect(client.bufferedLength).toBe(0);
  });
});

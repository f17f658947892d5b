// What a hostile server can use to exhaust a client, each refused after a
// bounded amount of work: the bound is asserted as a count, never a time.
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../src/bytes.ts";
import type { Http2ClientConnection } from "../../../src/http2/connection/connection.ts";
import type { Http2Event } from "../../../src/http2/connection/events.ts";
import { HTTP2_ERROR, SETTING } from "../../../src/http2/frames/constants.ts";
import { connected, GET } from "./fake-server.ts";

/** Feeds frames one at a time; returns how many were taken before a connection error, and the error. */
function feed(client: Http2ClientConnection, frames: readonly Uint8Array[]) {
  const events: Http2Event[] = [];
  for (let i = 0; i < frames.length; i++) {
    for (const event of client.receiveData(frames[i]!)) {
      if (event.type === "connection_error") return { accepted: i, error: event, events };
      events.push(event);
    }
  }
  return { accepted: frames.length, error: undefined, events };
}

const calm = { type: "connection_error", errorCode: HTTP2_ERROR.ENHANCE_YOUR_CALM };

describe("ACK floods (PING and SETTINGS)", () => {
  it("refuses PINGs beyond maxPendingAcks while their ACKs wait to be sent", () => {
    const { client, server } = connected({ maxPendingAcks: 32 });
    const ping = server.writer.ping(new Uint8Array(8));
    const result = feed(
      client,
      Array.from({ length: 10_000 }, () => ping),
    );
    expect(result.error).toMatchObject({ ...calm, error: { code: "H2_PING_FLOOD" } });
    expect(result.accepted).toBe(32);
    // 32 ACKs and a GOAWAY queued, not 10000 ACKs.
    const sent = server.read(client.dataToSend());
    expect(sent.filter((f) => f.type === "ping")).toHaveLength(32);
    expect(sent.at(-1)).toMatchObject({ type: "goaway", errorCode: HTTP2_ERROR.ENHANCE_YOUR_CALM });
  });

  it("refuses SETTINGS beyond maxPendingAcks while their ACKs wait to be sent", () => {
    const { client, server } = connected({ maxPendingAcks: 8 });
    const settings = server.settings([[SETTING.MAX_CONCURRENT_STREAMS, 10]]);
    const result = feed(
      client,
      Array.from({ length: 10_000 }, () => settings),
    );
    expect(result.error).toMatchObject({ ...calm, error: { code: "H2_SETTINGS_FLOOD" } });
    expect(result.accepted).toBe(8);
  });

  it("takes any number of PINGs when the ACKs are sent as they come", () => {
    const { client, server } = connected({ maxPendingAcks: 4 });
    const ping = server.writer.ping(new Uint8Array(8));
    for (let i = 0; i < 1000; i++) {
      expect(client.receiveData(ping)).toEqual([]);
      expect(client.dataToSend().length).toBe(17);
    }
  });
});

describe("frames that carry nothing", () => {
  it("refuses a run of empty DATA frames without END_STREAM", () => {
    const { client, server } = connected({ maxEmptyFrames: 100 });
    const id = client.sendHeaders(undefined, GET, { endStream: true });
    client.receiveData(server.headers(id, [[":status", "200"]]));
    const empty = server.writer.data(id, new Uint8Array(0));
    const result = feed(
      client,
      Array.from({ length: 10_000 }, () => empty),
    );
    expect(result.error).toMatchObject({ ...calm, error: { code: "H2_EMPTY_FRAME_FLOOD" } });
    expect(result.accepted).toBe(100);
  });

  it("refuses a run of empty DATA on a closed stream, of PRIORITY, of unknown types", () => {
    type Server = ReturnType<typeof connected>["server"];
    for (const make of [
      (s: Server, id: number) => s.writer.data(id, new Uint8Array(0)),
      (s: Server, id: number) =>
        s.writer.priority(id, { exclusive: false, dependency: 0, weight: 16 }),
      (s: Server) => s.writer.raw(0xfa, 0, 0, new Uint8Array(4)),
    ]) {
      const { client, server } = connected({ maxEmptyFrames: 50 });
      const id = client.sendHeaders(undefined, GET, { endStream: true });
      client.resetStream(id);
      const result = feed(
        client,
        Array.from({ length: 1000 }, () => make(server, id)),
      );
      expect(result.error).toMatchObject({ ...calm, error: { code: "H2_EMPTY_FRAME_FLOOD" } });
      expect(result.accepted).toBe(50);
    }
  });

  it("ignores, without counting, what crosses the resets of many cancelled streams", () => {
    const { client, server } = connected({ maxEmptyFrames: 10 }, [
      [SETTING.MAX_CONCURRENT_STREAMS, 1000],
    ]);
    const ids = Array.from({ length: 200 }, () =>
      client.sendHeaders(undefined, GET, { endStream: true }),
    );
    for (const id of ids) client.resetStream(id);
    client.dataToSend();
    const frames = ids.flatMap((id) => [
      server.headers(id, [[":status", "200"]]),
      server.data(id, "in flight"),
      server.writer.windowUpdate(id, 100),
      server.writer.rstStream(id, HTTP2_ERROR.CANCEL),
    ]);
    const result = feed(client, frames);
    expect(result.error).toBeUndefined();
    expect(result.events).toEqual([]);
    // Nothing goes back: the ignored DATA is below half the connection window.
    expect(server.read(client.dataToSend())).toEqual([]);
    expect(client.state).toBe("open");
  });

  it("lets frames that carry data reset the run", () => {
    const { client, server } = connected({ maxEmptyFrames: 10 });
    const id = client.sendHeaders(undefined, GET, { endStream: true });
    client.receiveData(server.headers(id, [[":status", "200"]]));
    const frames = Array.from({ length: 100 }, (_, i) =>
      i % 10 === 9 ? server.data(id, "x") : server.writer.data(id, new Uint8Array(0)),
    );
    const result = feed(client, frames);
    expect(result.error).toBeUndefined();
    expect(result.events.filter((e) => e.type === "data")).toHaveLength(10);
  });
});

describe("header floods", () => {
  it("refuses endless informational heads on a stream", () => {
    const { client, server } = connected({ maxInformationalResponses: 16 });
    const id = client.sendHeaders(undefined, GET, { endStream: true });
    const result = feed(
      client,
      Array.from({ length: 1000 }, () => server.headers(id, [[":status", "103"]])),
    );
    expect(result.error).toMatchObject({ ...calm, error: { code: "H2_HEADERS_FLOOD" } });
    expect(result.accepted).toBe(16);
  });

  it("refuses a CONTINUATION flood before keeping the block", () => {
    const { client, server } = connected({ maxContinuationFrames: 16 });
    const id = client.sendHeaders(undefined, GET, { endStream: true });
    const block = server.encoder.encode([[":status", "200"]]);
    const frames = [
      server.writer.headers(id, block.subarray(0, 1)).slice(),
      ...Array.from({ length: 1000 }, () =>
        server.writer.continuation(id, new Uint8Array(0), false),
      ),
    ];
    // headers() sets END_HEADERS when the block fits: clear it to open the block.
    frames[0]![4] = frames[0]![4]! & ~0x4;
    const result = feed(client, frames);
    expect(result.error).toMatchObject({ ...calm, error: { code: "H2_HEADER_BLOCK_TOO_LARGE" } });
    expect(result.accepted).toBe(17);
  });

  it("refuses an HPACK bomb on its stream and keeps the table in step for the others", () => {
    const { client, server } = connected({ maxHeaderListSize: 16 * 1024 });
    const [bomb, next] = [0, 1].map(() => client.sendHeaders(undefined, GET, { endStream: true }));
    server.read(client.dataToSend());
    const fields: [string, string][] = [[":status", "200"]];
    for (let i = 0; i < 40; i++) fields.push(["x-big", "a".repeat(3000)]);
    const block = server.encoder.encode(fields);
    expect(block.length).toBeLessThan(4000); // 120 KB decoded from under 4 KB
    const events = client.receiveData(
      concatBytes([
        server.writer.headers(bomb!, block),
        server.headers(
          next!,
          [
            [":status", "200"],
            ["x-big", "a".repeat(3000)],
          ],
          true,
        ),
      ]),
    );
    expect(events).toMatchObject([
      { type: "stream_reset", streamId: bomb, error: { code: "H2_HEADER_LIST_TOO_LARGE" } },
      { type: "response", streamId: next, headers: [["x-big", "a".repeat(3000)]] },
      { type: "stream_end", streamId: next },
    ]);
  });
});

describe("streams the client opens", () => {
  it("keeps to the server's SETTINGS_MAX_CONCURRENT_STREAMS", () => {
    const { client, server } = connected({}, [[SETTING.MAX_CONCURRENT_STREAMS, 2]]);
    const a = client.sendHeaders(undefined, GET, { endStream: true });
    client.sendHeaders(undefined, GET, { endStream: true });
    expect(() => client.sendHeaders(undefined, GET)).toThrow(
      expect.objectContaining({ code: "H2_TOO_MANY_STREAMS", origin: "local" }),
    );
    client.receiveData(server.headers(a, [[":status", "204"]], true));
    expect(client.sendHeaders(undefined, GET)).toBe(5);
  });

  it("uses initialMaxConcurrentStreams until the server's SETTINGS arrive", async () => {
    const { Http2ClientConnection } = await import("../../../src/http2/connection/connection.ts");
    const client = new Http2ClientConnection({ initialMaxConcurrentStreams: 1 });
    client.sendHeaders(undefined, GET);
    expect(() => client.sendHeaders(undefined, GET)).toThrow(
      expect.objectContaining({ code: "H2_TOO_MANY_STREAMS" }),
    );
  });

  it("refuses stream ids that are even, reused or beyond 2^31 - 1", () => {
    const { client } = connected();
    for (const id of [2, 0, -1, 2 ** 31 + 1]) {
      expect(() => client.sendHeaders(id, GET)).toThrow(
        expect.objectContaining({ code: "H2_INVALID_STREAM_ID" }),
      );
    }
    client.sendHeaders(2 ** 31 - 1, GET, { endStream: true });
    expect(() => client.sendHeaders(undefined, GET)).toThrow(
      expect.objectContaining({ code: "H2_INVALID_STREAM_ID" }),
    );
  });
});

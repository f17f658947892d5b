// The Sans-I/O HTTP/2 client core against node:http2's server over a real
// loopback socket, driven by a tiny test-only loop: socket octets go to
// receiveData, dataToSend goes to the socket. Every wait is bounded.
import { once } from "node:events";
import http2 from "node:http2";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Http2ClientConnection } from "../../../packages/protocol/src/http2/connection/connection.ts";
import type { Http2Event } from "../../../packages/protocol/src/http2/connection/events.ts";
import { HTTP2_ERROR } from "../../../packages/protocol/src/http2/frames/constants.ts";

const MAX_EVENTS = 100_000;

/** One client connection over a socket: events collected, data acknowledged as it comes. */
class LoopbackClient {
  readonly conn = new Http2ClientConnection();
  readonly events: Http2Event[] = [];
  readonly #socket: net.Socket;
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      for (const event of this.conn.receiveData(new Uint8Array(chunk))) {
        if (event.type === "data")
          this.conn.acknowledgeReceivedData(event.streamId, event.data.length);
        this.events.push(event);
      }
      this.flush();
      this.#wake?.();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
    socket.on("error", () => {});
    this.flush();
  }

  flush(): void {
    const out = this.conn.dataToSend();
    if (out.length > 0 && !this.#closed) this.#socket.write(out);
  }

  /** Waits until `done` holds for the events so far; fails if the socket closes or events run away. */
  async until(done: (events: Http2Event[]) => boolean): Promise<Http2Event[]> {
    while (!done(this.events)) {
      if (this.#closed) throw new Error(`socket closed; events: ${this.events.map((e) => e.type)}`);
      if (this.events.length > MAX_EVENTS) throw new Error("too many events");
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    return this.events;
  }

  close(): void {
    this.#socket.destroy();
  }
}

const ended = (ids: number[]) => (events: Http2Event[]) =>
  ids.every((id) =>
    events.some((e) => (e.type === "stream_end" || e.type === "stream_reset") && e.streamId === id),
  );

const body = (events: Http2Event[], id: number): Buffer =>
  Buffer.concat(events.flatMap((e) => (e.type === "data" && e.streamId === id ? [e.data] : [])));

const request = (method: string, path: string): [string, string][] => [
  [":method", method],
  [":scheme", "http"],
  [":authority", "127.0.0.1"],
  [":path", path],
];

describe("HTTP/2 client core against node:http2", () => {
  let server: http2.Http2Server;
  let port = 0;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    server = http2.createServer();
    server.on("stream", (stream, headers) => {
      // A stream the server resets errors on its side; that is the case under test.
      stream.on("error", () => {});
      const path = headers[":path"];
      if (path === "/echo") {
        stream.respond({ ":status": 200 });
        stream.pipe(stream);
      } else if (path === "/trailers") {
        stream.respond({ ":status": 200 }, { waitForTrailers: true });
        stream.on("wantTrailers", () => stream.sendTrailers({ "x-checksum": "abc" }));
        stream.end("with trailers");
      } else if (path === "/refuse") {
        stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      } else {
        stream.respond({ ":status": 200, "content-type": "text/plain", "x-path": String(path) });
        stream.end(`hello ${path}`);
      }
    });
    server.on("connection", (socket: net.Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  async function open(at = port): Promise<LoopbackClient> {
    const socket = net.connect(at, "127.0.0.1");
    await once(socket, "connect");
    return new LoopbackClient(socket);
  }

  it("exchanges SETTINGS, answers and sends PING, and gets a GET response", async () => {
    const client = await open();
    const id = client.conn.sendHeaders(undefined, request("GET", "/a"), { endStream: true });
    client.conn.ping(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    client.flush();
    const events = await client.until(
      (evs) =>
        ended([id])(evs) &&
        evs.some((e) => e.type === "ping_ack") &&
        evs.some((e) => e.type === "settings_acknowledged"),
    );
    expect(events.find((e) => e.type === "response")).toMatchObject({
      streamId: id,
      status: 200,
      headers: expect.arrayContaining([["x-path", "/a"]]),
    });
    expect(body(events, id).toString()).toBe("hello /a");
    client.close();
  });

  it("multiplexes 50 streams on one connection", async () => {
    const client = await open();
    const ids = Array.from({ length: 50 }, (_, i) =>
      client.conn.sendHeaders(undefined, request("GET", `/n${i}`), { endStream: true }),
    );
    client.flush();
    const events = await client.until(ended(ids));
    expect(ids.map((id) => body(events, id).toString())).toEqual(ids.map((_, i) => `hello /n${i}`));
    client.close();
  });

  it("echoes 1 MiB both ways through flow control", async () => {
    const client = await open();
    const payload = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
    const id = client.conn.sendHeaders(undefined, request("POST", "/echo"));
    client.conn.sendData(id, payload, { endStream: true });
    client.flush();
    const events = await client.until(ended([id]));
    expect(events.some((e) => e.type === "window_update")).toBe(true);
    expect(Buffer.compare(body(events, id), Buffer.from(payload))).toBe(0);
    client.close();
  });

  it("keeps to the server's SETTINGS_MAX_CONCURRENT_STREAMS", async () => {
    const limited = http2.createServer({ settings: { maxConcurrentStreams: 3 } });
    limited.on("stream", (stream) => {
      stream.on("error", () => {});
      stream.respond({ ":status": 204 });
      stream.end();
    });
    limited.listen(0, "127.0.0.1");
    await once(limited, "listening");
    const client = await open((limited.address() as net.AddressInfo).port);
    try {
      await client.until((evs) => evs.some((e) => e.type === "settings_changed"));
      const ids = [0, 1, 2].map(() =>
        client.conn.sendHeaders(undefined, request("GET", "/"), { endStream: true }),
      );
      expect(() => client.conn.sendHeaders(undefined, request("GET", "/"))).toThrow(
        expect.objectContaining({ code: "H2_TOO_MANY_STREAMS" }),
      );
      client.flush();
      await client.until(ended(ids));
      const more = client.conn.sendHeaders(undefined, request("GET", "/"), { endStream: true });
      client.flush();
      await client.until(ended([more]));
    } finally {
      client.close();
      await new Promise((resolve) => limited.close(resolve));
    }
  });

  it("reports trailers and a server's RST_STREAM", async () => {
    const client = await open();
    const withTrailers = client.conn.sendHeaders(undefined, request("GET", "/trailers"), {
      endStream: true,
    });
    const refused = client.conn.sendHeaders(undefined, request("GET", "/refuse"), {
      endStream: true,
    });
    client.flush();
    const events = await client.until(ended([withTrailers, refused]));
    expect(events.find((e) => e.type === "trailers")).toEqual({
      type: "trailers",
      streamId: withTrailers,
      headers: [["x-checksum", "abc"]],
    });
    expect(events.find((e) => e.type === "stream_reset")).toMatchObject({
      streamId: refused,
      errorCode: HTTP2_ERROR.REFUSED_STREAM,
    });
    client.close();
  });
});

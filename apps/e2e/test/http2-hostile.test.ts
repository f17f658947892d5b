// The Sans-I/O HTTP/2 client core against the hostile HTTP/2 server
// (src/h2-hostile.ts) over a real loopback socket. For each attack: the
// typed error with its stable code (or the documented event), the octets the
// core holds stay bounded, the GOAWAY or RST_STREAM reaches the server, and
// both ends of the socket close. Every wait is bounded in time.
import net from "node:net";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { Http2ClientConnection } from "../../../packages/protocol/src/http2/connection/connection.ts";
import type { Http2Event } from "../../../packages/protocol/src/http2/connection/events.ts";
import type { Http2ClientOptions } from "../../../packages/protocol/src/http2/connection/options.ts";
import { HTTP2_ERROR } from "../../../packages/protocol/src/http2/frames/constants.ts";
import { generateTestCertificates } from "../../../packages/transport/src/testing/certs.ts";
import {
  H2_SCENARIO_EXPECTATIONS,
  H2_SCENARIOS,
  type H2Scenario,
  type HostileHttp2Server,
  hpackBomb,
  manySmallFields,
  startHostileHttp2Server,
} from "../src/h2-hostile.ts";

const WAIT_MS = 10_000;
/**
 * What the I/O layer allows the server for acknowledging our SETTINGS: short
 * where the timeout is the case under test, long elsewhere so a loaded
 * machine never turns another case into a SETTINGS timeout.
 */
const settingsAckMs = (scenario: H2Scenario): number =>
  scenario === "settings-ack-withheld" ? 300 : scenario === "slowloris" ? 1_000 : 8_000;
const DEFAULT_BOUND = 9 + 16_384 + 65_536;

/** A minimal I/O layer: socket octets in, dataToSend out, a SETTINGS ACK timer, no data acknowledged. */
class Driver {
  readonly conn: Http2ClientConnection;
  readonly events: Http2Event[] = [];
  /** Largest `bufferedLength` after any call. */
  maxBuffered = 0;
  /** Largest backlog of octets written and not yet flushed to the kernel. */
  maxWritable = 0;
  dataBytes = 0;
  readonly closed: Promise<void>;
  readonly #socket: net.Socket;
  #settingsTimer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #isClosed = false;

  readonly #settingsAckMs: number;

  constructor(socket: net.Socket, options: Http2ClientOptions, settingsAckMs: number) {
    this.#socket = socket;
    this.#settingsAckMs = settingsAckMs;
    this.conn = new Http2ClientConnection(options);
    this.closed = new Promise((resolve) =>
      socket.on("close", () => {
        this.#isClosed = true;
        clearTimeout(this.#settingsTimer);
        this.#wake?.();
        resolve();
      }),
    );
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      // After a connection error the core rethrows; what the server still sends is dropped.
      if (this.conn.state === "closed") return;
      this.#take(this.conn.receiveData(new Uint8Array(chunk)));
    });
  }

  #take(events: Http2Event[]): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.conn.bufferedLength);
    for (const event of events) {
      this.events.push(event);
      if (event.type === "data") this.dataBytes += event.data.length;
    }
    if (events.some((e) => e.type === "connection_error")) {
      // The GOAWAY goes out, then our side closes; the server's FIN closes the socket.
      this.#socket.end(this.conn.dataToSend());
    } else {
      this.flush();
    }
    this.#wake?.();
  }

  flush(): void {
    const out = this.conn.dataToSend();
    if (out.length > 0 && this.#socket.writable) this.#socket.write(out);
    this.maxWritable = Math.max(this.maxWritable, this.#socket.writableLength);
    if (this.#settingsTimer === undefined && this.conn.settingsAwaitingAck > 0) {
      this.#settingsTimer = setTimeout(() => {
        if (this.conn.settingsAwaitingAck > 0) this.#take(this.conn.settingsAckTimedOut());
      }, this.#settingsAckMs);
    }
  }

  request(path: string, endStream = true): number {
    const id = this.conn.sendHeaders(
      undefined,
      [
        [":method", "GET"],
        [":scheme", "http"],
        [":authority", "127.0.0.1"],
        [":path", path],
      ],
      { endStream },
    );
    this.flush();
    return id;
  }

  /** Waits until `done` holds for the events so far (at most WAIT_MS). */
  async until(done: (events: Http2Event[]) => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!done(this.events)) {
      if (this.#isClosed && !done(this.events))
        throw new Error(`${what}: socket closed; events ${this.events.map((e) => e.type)}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${what}: timed out; events ${this.events.map((e) => e.type)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Ends our side politely (GOAWAY) and waits for the socket to close. */
  async hangUp(): Promise<void> {
    if (this.conn.state !== "closed") this.conn.close();
    this.#socket.end(this.conn.dataToSend());
    await within(this.closed, "socket close");
  }

  destroy(): void {
    clearTimeout(this.#settingsTimer);
    this.#socket.destroy();
  }
}

async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: more than ${WAIT_MS} ms`)), WAIT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls (bounded) until the server has no socket open: no leak on either side. */
async function serverDrained(server: HostileHttp2Server): Promise<void> {
  for (let i = 0; i < 200 && server.open() > 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(server.open()).toBe(0);
}

const servers: HostileHttp2Server[] = [];
const drivers: Driver[] = [];

afterEach(async () => {
  for (const d of drivers.splice(0)) d.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function connect(scenario: H2Scenario, options: Http2ClientOptions = {}) {
  const server = await startHostileHttp2Server(scenario);
  servers.push(server);
  const socket = net.connect(server.port, "127.0.0.1");
  const driver = new Driver(socket, options, settingsAckMs(scenario));
  drivers.push(driver);
  await within(
    new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    }),
    "connect",
  );
  driver.flush();
  return { server, driver };
}

const failed = (events: Http2Event[]) => events.some((e) => e.type === "connection_error");
const reset = (events: Http2Event[]) => events.some((e) => e.type === "stream_reset");

/** The connection error a scenario must end in, its GOAWAY at the server, and both sockets closed. */
async function expectConnectionError(
  scenario: H2Scenario,
  options: Http2ClientOptions = {},
  expected = H2_SCENARIO_EXPECTATIONS[scenario],
) {
  const { server, driver } = await connect(scenario, options);
  if (scenario !== "settings-flood" && scenario !== "ping-flood") driver.request("/");
  await driver.until(failed, scenario);
  const failure = driver.events.find((e) => e.type === "connection_error");
  expect(failure).toMatchObject({
    errorCode: expected.errorCode,
    error: { code: expected.code, origin: "remote" },
  });
  expect(driver.events.at(-1)).toBe(failure);
  await within(driver.closed, `${scenario}: socket close`);
  await serverDrained(server);
  expect(
    server.received.some((f) => f.type === "goaway" && f.errorCode === expected.errorCode),
  ).toBe(true);
  expect(driver.conn.bufferedLength).toBe(0);
  expect(driver.maxBuffered).toBeLessThanOrEqual(DEFAULT_BOUND);
  return driver;
}

/** The stream error a scenario must give, the RST_STREAM at the server, the connection still answering a PING. */
async function expectStreamError(scenario: H2Scenario, options: Http2ClientOptions = {}) {
  const expected = H2_SCENARIO_EXPECTATIONS[scenario];
  const { server, driver } = await connect(scenario, options);
  const id = driver.request("/");
  await driver.until(reset, scenario);
  expect(driver.events.find((e) => e.type === "stream_reset")).toMatchObject({
    streamId: id,
    errorCode: expected.errorCode,
    error: { code: expected.code },
  });
  driver.conn.ping(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  driver.flush();
  await driver.until((evs) => evs.some((e) => e.type === "ping_ack"), `${scenario}: ping`);
  expect(driver.conn.state).toBe("open");
  expect(driver.maxBuffered).toBeLessThanOrEqual(DEFAULT_BOUND);
  await driver.hangUp();
  await serverDrained(server);
  expect(
    server.received.some(
      (f) => f.type === "rst_stream" && f.streamId === id && f.errorCode === expected.errorCode,
    ),
  ).toBe(true);
  return driver;
}

describe("HTTP/2 client core against a hostile server", () => {
  it("every scenario has an expectation, and the server's builders are what they say", () => {
    expect(Object.keys(H2_SCENARIO_EXPECTATIONS).sort()).toEqual([...H2_SCENARIOS].sort());
    expect(hpackBomb(4000, 4000).length).toBeLessThan(8100);
    expect(manySmallFields(3000).length).toBe(15_001);
  });

  it("CONTINUATION flood: H2_HEADER_BLOCK_TOO_LARGE before the block outgrows 64 KiB", async () => {
    const driver = await expectConnectionError("continuation-flood");
    expect(driver.maxBuffered).toBeLessThanOrEqual(DEFAULT_BOUND);
  });

  it("HPACK bomb: the stream is reset (H2_HEADER_LIST_TOO_LARGE), the connection and its table live on", async () => {
    const driver = await expectStreamError("hpack-bomb");
    expect(driver.maxBuffered).toBeLessThanOrEqual(DEFAULT_BOUND);
  });

  it("header list over SETTINGS_MAX_HEADER_LIST_SIZE: the stream is reset", async () => {
    await expectStreamError("header-list-too-large");
  });

  it("SETTINGS flood: H2_SETTINGS_FLOOD (ENHANCE_YOUR_CALM), ACKs bounded", async () => {
    const driver = await expectConnectionError("settings-flood");
    expect(driver.maxWritable).toBeLessThan(1 << 20);
  });

  it("PING flood: H2_PING_FLOOD (ENHANCE_YOUR_CALM), ACKs bounded", async () => {
    const driver = await expectConnectionError("ping-flood");
    expect(driver.maxWritable).toBeLessThan(1 << 20);
  });

  it("WINDOW_UPDATE past 2^31 - 1 on the connection: H2_FLOW_CONTROL connection error", async () => {
    await expectConnectionError("window-update-overflow-connection");
  });

  it("WINDOW_UPDATE past 2^31 - 1 on a stream: the stream is reset with FLOW_CONTROL_ERROR", async () => {
    await expectStreamError("window-update-overflow-stream");
  });

  it("DATA beyond the stream window: the stream is reset; what the client holds stays within the window", async () => {
    const driver = await expectStreamError("data-beyond-window");
    expect(driver.dataBytes).toBeLessThanOrEqual(256 * 1024);
    expect(driver.maxBuffered).toBeLessThanOrEqual(DEFAULT_BOUND);
  });

  it("DATA beyond the connection window: H2_FLOW_CONTROL connection error", async () => {
    const driver = await expectConnectionError(
      "data-beyond-window",
      { connectionWindowSize: 65_535, initialWindowSize: 65_535 },
      {
        event: "connection_error",
        code: "H2_FLOW_CONTROL",
        errorCode: HTTP2_ERROR.FLOW_CONTROL_ERROR,
      },
    );
    expect(driver.dataBytes).toBeLessThanOrEqual(65_535);
  });

  it("a frame on a stream the client never opened: H2_INVALID_STREAM_STATE (PROTOCOL_ERROR)", async () => {
    await expectConnectionError("unopened-stream");
  });

  it("endless 1xx heads: H2_HEADERS_FLOOD after 16", async () => {
    const driver = await expectConnectionError("endless-1xx");
    expect(driver.events.filter((e) => e.type === "informational")).toHaveLength(16);
  });

  it("GOAWAY below the open streams: those are reported unprocessed (safe to retry), stream 1 completes", async () => {
    const { server, driver } = await connect("goaway-below-open-streams");
    const ids = [driver.request("/a"), driver.request("/b"), driver.request("/c")];
    await driver.until(
      (evs) => evs.some((e) => e.type === "stream_end" && e.streamId === ids[0]),
      "goaway",
    );
    expect(driver.events.find((e) => e.type === "goaway")).toMatchObject({
      lastStreamId: ids[0],
      errorCode: HTTP2_ERROR.NO_ERROR,
      unprocessedStreamIds: [ids[1], ids[2]],
    });
    expect(driver.conn.streamState(ids[1]!)).toBe("closed");
    expect(driver.maxBuffered).toBeLessThanOrEqual(DEFAULT_BOUND);
    expect(() => driver.request("/d")).toThrow(
      expect.objectContaining({ code: "H2_CONNECTION_CLOSED" }),
    );
    await driver.hangUp();
    await serverDrained(server);
  });

  it("slowloris (frames dripped octet by octet, our SETTINGS never acknowledged): H2_SETTINGS_TIMEOUT from the I/O layer's timer; at most one partial frame held", async () => {
    const driver = await expectConnectionError("slowloris");
    expect(driver.maxBuffered).toBeLessThanOrEqual(9 + 16_384);
    // Nothing but the dripped SETTINGS (if it was whole in time) before the timeout.
    expect(driver.events.slice(0, -1).every((e) => e.type === "settings_changed")).toBe(true);
  });

  it("SETTINGS never acknowledged: H2_SETTINGS_TIMEOUT (SETTINGS_TIMEOUT)", async () => {
    await expectConnectionError("settings-ack-withheld");
  });

  it("well-behaved (the baseline): two requests answered, no error, both sockets closed", async () => {
    const { server, driver } = await connect("well-behaved");
    const ids = [driver.request("/a"), driver.request("/b")];
    await driver.until(
      (evs) => ids.every((id) => evs.some((e) => e.type === "stream_end" && e.streamId === id)),
      "well-behaved",
    );
    expect(driver.events.filter((e) => e.type === "response")).toHaveLength(2);
    expect(driver.dataBytes).toBe(4);
    expect(
      driver.events.some((e) => e.type === "connection_error" || e.type === "stream_reset"),
    ).toBe(false);
    await driver.hangUp();
    await serverDrained(server);
  });

  it("a scenario per connection: GOAWAY on the first, the retries answered on the second", async () => {
    const server = await startHostileHttp2Server(["goaway-below-open-streams", "well-behaved"]);
    servers.push(server);
    const open = async () => {
      const socket = net.connect(server.port, "127.0.0.1");
      const driver = new Driver(socket, {}, 8_000);
      drivers.push(driver);
      await within(new Promise<void>((resolve) => socket.once("connect", resolve)), "connect");
      driver.flush();
      return driver;
    };
    const first = await open();
    const ids = [first.request("/a"), first.request("/b"), first.request("/c")];
    await first.until((evs) => evs.some((e) => e.type === "goaway"), "goaway");
    const goaway = first.events.find((e) => e.type === "goaway");
    const retry = goaway?.type === "goaway" ? goaway.unprocessedStreamIds : [];
    expect(retry).toEqual([ids[1], ids[2]]);
    const second = await open();
    const retried = retry.map(() => second.request("/retry"));
    await second.until(
      (evs) => retried.every((id) => evs.some((e) => e.type === "stream_end" && e.streamId === id)),
      "retries",
    );
    expect(second.dataBytes).toBe(4);
    await first.hangUp();
    await second.hangUp();
    await serverDrained(server);
    expect(server.accepted).toBe(2);
  });

  it("over TLS with ALPN h2: the same refusal (PING flood)", async () => {
    const certs = await generateTestCertificates();
    const server = await startHostileHttp2Server("ping-flood", { tls: certs.server });
    servers.push(server);
    const socket = tls.connect({
      host: "127.0.0.1",
      port: server.port,
      ca: certs.ca,
      ALPNProtocols: ["h2"],
    });
    const driver = new Driver(socket, {}, settingsAckMs("ping-flood"));
    drivers.push(driver);
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once("secureConnect", resolve);
        socket.once("error", reject);
      }),
      "TLS handshake",
    );
    expect(socket.alpnProtocol).toBe("h2");
    driver.flush();
    await driver.until(failed, "ping-flood over TLS");
    expect(driver.events.at(-1)).toMatchObject({
      type: "connection_error",
      error: { code: "H2_PING_FLOOD" },
    });
    await within(driver.closed, "socket close");
    await serverDrained(server);
  });
});

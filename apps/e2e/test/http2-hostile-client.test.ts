// The client (Session with http2.priorKnowledge, cleartext h2c) against the
// hostile HTTP/2 server: every attack ends its requests with a typed error
// and a stable code, or is survived (GOAWAY: the unprocessed requests are
// retried on a new connection), and no socket is left open on the server.
// The core-level view of the same attacks is test/http2-hostile.test.ts.
import { type Http2Options, type ProtocolError, Session } from "@reqivo/client";
import { HTTP2_ERROR } from "@reqivo/protocol";
import { createTransport } from "@reqivo/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import {
  H2_SCENARIO_EXPECTATIONS,
  type H2Scenario,
  type HostileHttp2Server,
  startHostileHttp2Server,
} from "../src/h2-hostile.ts";

const servers: HostileHttp2Server[] = [];
const sessions: Session[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  for (const s of servers.splice(0)) await s.close();
});

async function setUp(scenario: H2Scenario | H2Scenario[], http2: Http2Options = {}) {
  const server = await startHostileHttp2Server(scenario);
  servers.push(server);
  const session = new Session({
    transport: createTransport(),
    http2: { priorKnowledge: true, ...http2 },
    timeout: { headers: 1_500, total: 8_000 },
  });
  sessions.push(session);
  return { server, session, url: `http://127.0.0.1:${server.port}/` };
}

/** Polls (bounded) until the server has no socket open. */
async function drained(server: HostileHttp2Server): Promise<void> {
  for (let i = 0; i < 200 && server.open() > 0; i++) await new Promise((r) => setTimeout(r, 25));
  expect(server.open()).toBe(0);
}

/** Three requests at once; each settles to its body length or its error's name and code. */
async function threeRequests(session: Session, url: string): Promise<string[]> {
  const results = await Promise.allSettled(
    [0, 1, 2].map(async () => (await (await session.get(url)).text()).length),
  );
  return results.map((r) => {
    if (r.status === "fulfilled") return `ok ${r.value}`;
    const error = r.reason as ProtocolError;
    return `${error.name} ${error.code}`;
  });
}

describe("HTTP/2 client (prior knowledge) against a hostile server", () => {
  it.each<H2Scenario>([
    "continuation-flood",
    "hpack-bomb",
    "header-list-too-large",
    "settings-flood",
    "ping-flood",
    "window-update-overflow-connection",
    "window-update-overflow-stream",
    "unopened-stream",
    "endless-1xx",
  ])("%s: every request fails with the core's typed error", async (scenario) => {
    const { server, session, url } = await setUp(scenario);
    const code = H2_SCENARIO_EXPECTATIONS[scenario].code;
    expect(await threeRequests(session, url)).toEqual(
      [0, 1, 2].map(() => `RemoteProtocolError ${code}`),
    );
    await session.close();
    await drained(server);
  });

  it("GOAWAY below the open streams: the unprocessed requests are retried on a new connection", async () => {
    const { server, session, url } = await setUp(["goaway-below-open-streams", "well-behaved"]);
    expect(await threeRequests(session, url)).toEqual(["ok 2", "ok 2", "ok 2"]);
    expect(server.accepted).toBe(2);
    await session.close();
    await drained(server);
  });

  it("DATA beyond the window of a body nobody reads: the body fails with H2_FLOW_CONTROL", async () => {
    const { server, session, url } = await setUp("data-beyond-window");
    const res = await session.get(url);
    expect(res.status).toBe(200);
    // Unread, the body holds the stream window at most; the server's overrun resets the
    // stream: wait (bounded) for the RST_STREAM to reach the server before reading.
    for (let i = 0; i < 400 && !server.received.some((f) => f.type === "rst_stream"); i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(server.received.find((f) => f.type === "rst_stream")).toMatchObject({ errorCode: 0x3 });
    await expect(res.text()).rejects.toMatchObject({ code: "H2_FLOW_CONTROL" });
    await session.close();
    await drained(server);
  });

  it.each<H2Scenario>(["slowloris", "settings-ack-withheld"])(
    "%s: the SETTINGS ACK timer ends the connection and its requests, with a GOAWAY (SETTINGS_TIMEOUT)",
    async (scenario) => {
      const { server, session, url } = await setUp(scenario, { settingsTimeout: 400 });
      expect(await threeRequests(session, url)).toEqual(
        [0, 1, 2].map(() => "RemoteProtocolError H2_SETTINGS_TIMEOUT"),
      );
      await session.close();
      // The requests fail at once; the GOAWAY reaches the server just after.
      await drained(server);
      expect(server.received.find((f) => f.type === "goaway")).toMatchObject({
        errorCode: HTTP2_ERROR.SETTINGS_TIMEOUT,
      });
    },
  );

  it("settings-ack-withheld: without the SETTINGS ACK timer (a long one), the headers timeout still ends the requests", async () => {
    const { server, session, url } = await setUp("settings-ack-withheld", {
      settingsTimeout: 60_000,
    });
    expect(await threeRequests(session, url)).toEqual(
      [0, 1, 2].map(() => "HeadersTimeoutError HEADERS_TIMEOUT"),
    );
    await session.close();
    await drained(server);
  });

  it("well-behaved: answered over h2", async () => {
    const { server, session, url } = await setUp("well-behaved");
    const res = await session.get(url);
    expect(res.httpVersion).toBe("2");
    expect(await res.text()).toBe("ok");
    await session.close();
    await drained(server);
  });
});

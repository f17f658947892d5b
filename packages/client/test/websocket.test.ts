// session.websocket() on Node against the `ws` package and raw TCP servers.
import { createTransport } from "@reqivo/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, ReqivoError, Session, WebSocketError } from "../src/index.ts";
import { watched } from "./harness.ts";
import { eventually, openHandles } from "./servers.ts";
import {
  clientFrames,
  echo,
  frame,
  rawWsServer,
  switching,
  type WsRunning,
  wsServer,
} from "./websocket-servers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function session(): Session {
  const s = new Session({ transport: createTransport() });
  cleanups.push(() => s.close());
  return s;
}

async function echoServer(options: Parameters<typeof wsServer>[0] = {}): Promise<WsRunning> {
  const server = await wsServer(options);
  echo(server.wss);
  cleanups.push(() => server.close());
  return server;
}

async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const s = await server;
  cleanups.push(() => s.close());
  return s;
}

describe("session.websocket() with the ws server", () => {
  it("echoes text, binary, large and fragmented messages, then closes cleanly", async () => {
    const server = await echoServer();
    const ws = await session().websocket(`${server.url}/echo`, { compress: false });
    expect(ws.readyState).toBe(ws.OPEN);
    expect(ws.url).toBe(`${server.url}/echo`);
    const iterator = ws[Symbol.asyncIterator]();
    const next = async () => (await iterator.next()).value;

    await ws.send("héllo");
    expect(await next()).toBe("héllo");
    await ws.send(Uint8Array.of(1, 2, 3));
    expect(await next()).toEqual(Uint8Array.of(1, 2, 3));
    await ws.send(new Uint8Array([9, 8]).buffer);
    expect(await next()).toEqual(Uint8Array.of(9, 8));

    const large = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 0xff);
    await ws.send(large);
    expect(Buffer.from((await next()) as Uint8Array).equals(large)).toBe(true);

    await ws.send(
      (async function* () {
        yield "one, ";
        yield "two, ";
        yield "three";
      })(),
    );
    expect(await next()).toBe("one, two, three");
    await ws.send([Uint8Array.of(1), Uint8Array.of(2, 3)]);
    expect(await next()).toEqual(Uint8Array.of(1, 2, 3));
    await ws.send(
      new ReadableStream({
        start(c) {
          c.enqueue("str");
          c.enqueue("eam");
          c.close();
        },
      }),
    );
    expect(await next()).toBe("stream");
    await ws.send(new Blob(["blob"]));
    expect(await next()).toEqual(new TextEncoder().encode("blob"));

    const info = await ws.close(1000, "done");
    expect(info).toEqual({ code: 1000, reason: "done", wasClean: true });
    expect(ws.readyState).toBe(ws.CLOSED);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    await expect(ws.send("late")).rejects.toMatchObject({ code: "CLOSED" });
    await eventually(() => server.open() === 0);
  });

  it("reads through the transport's readNow where it has one, through read() where not", async () => {
    const server = await echoServer();
    for (const withReadNow of [true, false]) {
      const { transport, readNows } = watched(withReadNow);
      const s = new Session({ transport });
      cleanups.push(() => s.close());
      const ws = await s.websocket(server.url, { compress: false });
      const received: string[] = [];
      ws.on("message", (data) => received.push(data as string));
      for (const text of ["one", "two", "three"]) await ws.send(text);
      await eventually(() => received.length === 3);
      expect(received).toEqual(["one", "two", "three"]);
      expect(await ws.close(1000)).toMatchObject({ code: 1000, wasClean: true });
      if (withReadNow) expect(readNows()).toBeGreaterThanOrEqual(3);
      else expect(readNows()).toBe(0);
    }
  });

  it("hands messages to the listeners attached at the time, and a backlog to the first one", async () => {
    const server = await echoServer();
    const ws = await session().websocket(server.url);
    await ws.send("early"); // echoed before anyone listens: kept for the first listener
    await new Promise((r) => setTimeout(r, 50));
    const first: string[] = [];
    const second: string[] = [];
    const onFirst = (data: string | Uint8Array) => first.push(data as string);
    ws.on("message", onFirst);
    expect(first).toEqual(["early"]);
    const offSecond = ws.on("message", (data) => second.push(data as string));
    await ws.send("both");
    await eventually(() => second.length === 1);
    ws.off("message", onFirst);
    await ws.send("second only");
    await eventually(() => second.length === 2);
    offSecond();
    ws.on("message", onFirst);
    await ws.send("first again");
    await eventually(() => first.length === 3);
    expect(first).toEqual(["early", "both", "first again"]);
    expect(second).toEqual(["both", "second only"]);
    await ws.close();
  });

  it("keeps messages in send order, also behind a slow fragment source", async () => {
    const server = await echoServer();
    const ws = await session().websocket(server.url);
    const received: string[] = [];
    ws.on("message", (data) => received.push(data as string));
    const slow = (async function* () {
      yield "a";
      await new Promise((r) => setTimeout(r, 20));
      yield "b";
    })();
    const sends = [ws.send("1"), ws.send(slow), ws.send("2"), ws.send("3")];
    await Promise.all(sends);
    await eventually(() => received.length === 4);
    expect(received).toEqual(["1", "ab", "2", "3"]);
    await ws.close();
  });

  it("negotiates a subprotocol, and goes without when the server picks none", async () => {
    const server = await wsServer({
      handleProtocols: (offered) => (offered.has("v2") ? "v2" : false),
    });
    cleanups.push(() => server.close());
    const s = session();
    const ws = await s.websocket(server.url, { protocols: ["v3", "v2"] });
    expect(ws.protocol).toBe("v2");
    await ws.close();
    const none = await s.websocket(server.url, { protocols: "v9" });
    expect(none.protocol).toBe("");
    await none.close();
  });

  it("refuses a subprotocol that was not offered", async () => {
    const server = await track(
      rawWsServer((_, accept) => switching(accept, "Sec-WebSocket-Protocol: other")),
    );
    const error = await session()
      .websocket(server.url, { protocols: ["mine"] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error.code).toBe("HANDSHAKE_FAILED");
    expect(error.cause.code).toBe("HANDSHAKE_PROTOCOL");
    await eventually(() => server.open() === 0);
  });

  it("sends session default headers and the call's headers, and refuses handshake headers", async () => {
    let seen: Record<string, string | string[] | undefined> = {};
    const server = await wsServer();
    cleanups.push(() => server.close());
    server.wss.on("connection", (_ws, req) => (seen = req.headers));
    const s = new Session({ transport: createTransport(), headers: { "x-default": "d" } });
    cleanups.push(() => s.close());
    const ws = await s.websocket(`${server.url.replace("ws:", "http:")}/p?q=1`, {
      headers: { "x-call": "c" },
      origin: "http://example.test",
    });
    expect(seen["x-default"]).toBe("d");
    expect(seen["x-call"]).toBe("c");
    expect(seen.origin).toBe("http://example.test");
    expect(seen["user-agent"]).toMatch(/reqivo/);
    await ws.close();
    await expect(
      s.websocket(server.url, { headers: { "Sec-WebSocket-Protocol": "x" } }),
    ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(s.websocket("ftp://127.0.0.1/")).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
  });

  it("answers the server's pings and reports pongs to its own", async () => {
    const server = await wsServer();
    cleanups.push(() => server.close());
    const pongs: string[] = [];
    server.wss.on("connection", (peer) => {
      peer.on("pong", (data) => pongs.push(data.toString()));
      peer.ping("from server");
    });
    const ws = await session().websocket(server.url);
    const pinged = new Promise<Uint8Array>((resolve) => ws.on("ping", resolve));
    expect(new TextDecoder().decode(await pinged)).toBe("from server");
    await eventually(() => pongs.length === 1);
    expect(pongs).toEqual(["from server"]);
    const pong = new Promise<Uint8Array>((resolve) => ws.on("pong", resolve));
    await ws.ping("from client");
    expect(new TextDecoder().decode(await pong)).toBe("from client");
    await expect(ws.ping(new Uint8Array(126))).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await ws.close();
  });

  it("runs the close handshake both ways with codes and reasons", async () => {
    const server = await wsServer();
    cleanups.push(() => server.close());
    const serverSide: { code: number; reason: string }[] = [];
    server.wss.on("connection", (peer, req) => {
      peer.on("close", (code, reason) => serverSide.push({ code, reason: reason.toString() }));
      if (req.url === "/server-closes") setTimeout(() => peer.close(4001, "server says bye"), 10);
    });
    const s = session();
    const ws = await s.websocket(server.url);
    expect(await ws.close(4000, "client says bye")).toEqual({
      code: 4000,
      reason: "client says bye",
      wasClean: true,
    });
    await eventually(() => serverSide.length === 1);
    expect(serverSide[0]).toEqual({ code: 4000, reason: "client says bye" });

    const other = await s.websocket(`${server.url}/server-closes`);
    const events: string[] = [];
    other.on("close", (info) => events.push(`close ${info.code}`));
    other.on("error", () => events.push("error"));
    for await (const _ of other) throw new Error("no message expected");
    expect(await other.closed).toEqual({ code: 4001, reason: "server says bye", wasClean: true });
    expect(events).toEqual(["close 4001"]);
    await eventually(() => serverSide.length === 2);
    expect(serverSide[1]!.code).toBe(4001); // our echo carried the code back
    await eventually(() => server.open() === 0);
  });

  it("sends an empty close frame when no code is given (the peer sees 1005)", async () => {
    const server = await wsServer();
    cleanups.push(() => server.close());
    const codes: number[] = [];
    server.wss.on("connection", (peer) => peer.on("close", (code) => codes.push(code)));
    const ws = await session().websocket(server.url);
    expect((await ws.close()).code).toBe(1005);
    await eventually(() => codes.length === 1);
    expect(codes).toEqual([1005]);
    await expect(ws.close(999 as number)).resolves.toMatchObject({ code: 1005 });
  });

  it("rejects invalid close codes while open", async () => {
    const server = await echoServer();
    const ws = await session().websocket(server.url);
    await expect(ws.close(1005)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    expect(ws.readyState).toBe(ws.OPEN);
    await ws.close();
  });

  it("closes with 1009 when a message exceeds maxMessageSize", async () => {
    const server = await wsServer();
    cleanups.push(() => server.close());
    const codes: number[] = [];
    server.wss.on("connection", (peer) => {
      peer.on("close", (code) => codes.push(code));
      peer.send(new Uint8Array(2048));
    });
    const ws = await session().websocket(server.url, { maxMessageSize: 1024 });
    const errors: unknown[] = [];
    ws.on("error", (e) => errors.push(e));
    const iteration = (async () => {
      for await (const _ of ws);
    })();
    await expect(iteration).rejects.toMatchObject({ code: "PROTOCOL_ERROR", closeCode: 1009 });
    const info = await ws.closed;
    expect(info).toMatchObject({ code: 1009, wasClean: false });
    expect(errors).toHaveLength(1);
    await eventually(() => codes.length === 1);
    expect(codes).toEqual([1009]);
  });

  it("keepalive pings keep a healthy connection open", async () => {
    const server = await echoServer();
    const ws = await session().websocket(server.url, { pingInterval: 30 });
    let pongs = 0;
    ws.on("pong", () => pongs++);
    await new Promise((r) => setTimeout(r, 150));
    expect(ws.readyState).toBe(ws.OPEN);
    expect(pongs).toBeGreaterThanOrEqual(3);
    await ws.close();
  });
});

describe("session.websocket() against hostile or broken servers", () => {
  it("fails the handshake on a non-101 answer, with status and headers", async () => {
    const server = await wsServer({ verifyClient: () => false });
    cleanups.push(() => server.close());
    const error = await session()
      .websocket(server.url)
      .catch((e) => e);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toBeInstanceOf(ReqivoError);
    expect(error.code).toBe("HANDSHAKE_FAILED");
    expect(error.status).toBe(401);
    expect(error.headers.get("content-type")).toBeDefined();
    await eventually(() => server.open() === 0);
  });

  it("fails the handshake on a wrong Sec-WebSocket-Accept", async () => {
    const server = await track(rawWsServer(() => switching("AAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
    const error = await session()
      .websocket(server.url)
      .catch((e) => e);
    expect(error).toMatchObject({ code: "HANDSHAKE_FAILED", cause: { code: "HANDSHAKE_ACCEPT" } });
    await eventually(() => server.open() === 0);
  });

  it("fails the handshake when the server hangs up or answers garbage", async () => {
    const hangup = await track(
      rawWsServer(
        () => "",
        (socket) => socket.end(),
      ),
    );
    await expect(session().websocket(hangup.url)).rejects.toMatchObject({
      code: "HANDSHAKE_FAILED",
    });
    const garbage = await track(rawWsServer(() => "SSH-2.0-OpenSSH\r\n\r\n"));
    await expect(session().websocket(garbage.url)).rejects.toMatchObject({
      code: "HANDSHAKE_FAILED",
    });
  });

  it("times the handshake out and aborts it by signal", async () => {
    const silent = await track(rawWsServer(() => null));
    await expect(session().websocket(silent.url, { timeout: 50 })).rejects.toMatchObject({
      code: "HANDSHAKE_TIMEOUT",
    });
    const controller = new AbortController();
    const pending = session().websocket(silent.url, { signal: controller.signal });
    setTimeout(() => controller.abort("changed my mind"), 20);
    const error = await pending.catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.cause).toBe("changed my mind");
    await eventually(() => silent.open() === 0);
    await expect(
      session().websocket(silent.url, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortError);
  });

  it("aborting the signal after open ends the connection with AbortError", async () => {
    const server = await echoServer();
    const controller = new AbortController();
    const ws = await session().websocket(server.url, { signal: controller.signal });
    const iteration = (async () => {
      for await (const _ of ws);
    })();
    controller.abort("stop");
    await expect(iteration).rejects.toBeInstanceOf(AbortError);
    expect(await ws.closed).toMatchObject({ code: 1006, wasClean: false });
    await eventually(() => server.open() === 0);
  });

  it("aborts when the server never answers the close (close timeout)", async () => {
    const server = await track(rawWsServer((_, accept) => switching(accept)));
    const ws = await session().websocket(server.url, { timeout: { close: 100 } });
    const started = Date.now();
    const info = await ws.close(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(info.wasClean).toBe(false);
    expect(info.code).toBe(1006);
    expect(info.error).toMatchObject({ code: "CLOSE_TIMEOUT" });
    await eventually(() => server.open() === 0);
  });

  it("fails with PING_TIMEOUT when pongs stop", async () => {
    const server = await track(rawWsServer((_, accept) => switching(accept)));
    const ws = await session().websocket(server.url, { pingInterval: 40 });
    const info = await ws.closed;
    expect(info).toMatchObject({ code: 1006, wasClean: false, error: { code: "PING_TIMEOUT" } });
    await eventually(() => server.open() === 0);
  });

  it("reports CONNECTION_LOST when the stream ends without a close frame", async () => {
    const server = await track(
      rawWsServer(
        (_, accept) => switching(accept),
        (socket) => setTimeout(() => socket.end(), 10),
      ),
    );
    const ws = await session().websocket(server.url);
    const iteration = (async () => {
      for await (const _ of ws);
    })();
    await expect(iteration).rejects.toMatchObject({ code: "CONNECTION_LOST" });
    expect(await ws.closed).toMatchObject({ code: 1006, wasClean: false });
  });

  it("delivers frames that came with the 101 and answers protocol errors with their close code", async () => {
    const cases: [Buffer, number][] = [
      [frame(0x3, "x"), 1002], // reserved opcode
      [frame(0x1, Buffer.from([0xc3, 0x28])), 1007], // invalid UTF-8
      [Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x41]), 1002], // masked server frame
    ];
    for (const [bad, expected] of cases) {
      const sent: number[] = [];
      const server = await track(
        rawWsServer(
          // The 101, a good message and the bad frame in one packet.
          (_, accept) =>
            switching(accept) + frame(0x1, "first").toString("latin1") + bad.toString("latin1"),
          (socket) =>
            clientFrames(socket, (opcode, payload) => {
              if (opcode === 0x8) sent.push(payload.readUInt16BE(0));
            }),
        ),
      );
      const ws = await session().websocket(server.url);
      const messages: unknown[] = [];
      const error = await (async () => {
        for await (const m of ws) messages.push(m);
      })().catch((e) => e);
      expect(messages).toEqual(["first"]);
      expect(error).toMatchObject({ code: "PROTOCOL_ERROR", closeCode: expected });
      await eventually(() => sent.length === 1);
      expect(sent).toEqual([expected]);
      await eventually(() => server.open() === 0);
    }
  });

  it("keeps memory bounded under a ping flood: one pong in flight at most", async () => {
    let pings = 0;
    let pongs = 0;
    let peer: import("node:net").Socket | undefined;
    const server = await track(
      rawWsServer(
        (_, accept) => switching(accept),
        (socket) => {
          peer = socket;
          clientFrames(socket, (opcode) => {
            if (opcode === 0xa) pongs++;
            if (opcode === 0x1) socket.write(frame(0x1, "still here"));
          });
          socket.pause(); // read nothing while flooding: the client's writes back up
          const ping = frame(0x9, "p".repeat(125));
          const burst = Buffer.concat(Array.from({ length: 1000 }, () => ping));
          for (let i = 0; i < 40; i++) socket.write(burst);
          pings = 40_000;
        },
      ),
    );
    // Count what the client has handed to the transport and not yet seen accepted.
    const transport = createTransport();
    let inFlight = 0;
    let maxInFlight = 0;
    const counting = {
      name: "counting",
      async connect(options: Parameters<typeof transport.connect>[0]) {
        const conn = await transport.connect(options);
        const write = conn.write.bind(conn);
        conn.write = async (bytes: Uint8Array) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            await write(bytes);
          } finally {
            inFlight--;
          }
        };
        return conn;
      },
    };
    const s = new Session({ transport: counting });
    cleanups.push(() => s.close());
    const ws = await s.websocket(server.url);
    let seen = 0;
    ws.on("ping", () => seen++);
    await eventually(() => seen === pings, 5000);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    peer!.resume();
    const reply = ws[Symbol.asyncIterator]();
    await ws.send("ok?");
    expect((await reply.next()).value).toBe("still here");
    expect(pongs).toBeLessThan(pings / 10);
    expect(pongs).toBeGreaterThanOrEqual(1);
    ws.terminate();
    expect(await ws.closed).toMatchObject({ code: 1006, error: { code: "ABORTED" } });
  });

  it("leaves no socket open after close or failure", async () => {
    const before = openHandles();
    const server = await echoServer();
    const s = session();
    for (let i = 0; i < 5; i++) {
      const ws = await s.websocket(server.url);
      await ws.send("x");
      if (i % 2 === 0) await ws.close();
      else ws.terminate();
      await ws.closed;
    }
    await eventually(() => server.open() === 0);
    await server.close();
    cleanups.pop();
    await eventually(() => openHandles() <= before);
  });
});

describe("WebSocket credentials and a baseUrl", () => {
  it("sends the session's auth and credential headers only to the base origin", async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const server = await wsServer();
    server.wss.on("connection", (ws, req) => {
      seen.push(req.headers);
      ws.close();
    });
    const base = server.url.replace("ws:", "http:");
    const s = new Session({
      transport: createTransport(),
      baseUrl: base,
      auth: { bearer: "session-secret" },
      headers: { "x-api-key": "k3y" },
    });
    try {
      await (await s.websocket(server.url)).close();
      await (await s.websocket(server.url.replace("127.0.0.1", "localhost"))).close();
      expect(seen[0]).toMatchObject({ authorization: "Bearer session-secret", "x-api-key": "k3y" });
      expect(seen[1]?.authorization).toBeUndefined();
      expect(seen[1]?.["x-api-key"]).toBeUndefined();
    } finally {
      await s.close();
      await server.close();
    }
  });
});

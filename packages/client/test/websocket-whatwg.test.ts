// The WHATWG-compatible WebSocket class over a session, against the ws server.
import { createTransport } from "@reqivo/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { bindTransport, createWebSocketClass, Session } from "../src/index.ts";
import { eventually } from "./servers.ts";
import { wsServer } from "./websocket-servers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const server = await wsServer({
    perMessageDeflate: true,
    handleProtocols: (p) => (p.has("chat") ? "chat" : false),
  });
  server.wss.on("connection", (peer, req) => {
    if (req.url === "/greet") peer.send("welcome");
    peer.on("message", (data, isBinary) => {
      if (data.toString() === "close-me") peer.close(4002, "as asked");
      else peer.send(data, { binary: isBinary });
    });
  });
  const session = new Session({ transport: createTransport() });
  cleanups.push(
    () => server.close(),
    () => session.close(),
  );
  return { server, WebSocket: createWebSocketClass(session) };
}

function next(target: EventTarget, type: string): Promise<Event> {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

describe("WHATWG WebSocket", () => {
  it("opens, echoes text and binary per binaryType, and closes with a code", async () => {
    const { server, WebSocket } = await setup();
    const ws = new WebSocket(`${server.url}/`, ["chat"]);
    expect(ws.readyState).toBe(WebSocket.CONNECTING);
    expect(ws.url).toBe(`${server.url}/`);
    expect(() => ws.send("too early")).toThrow(
      expect.objectContaining({ name: "InvalidStateError" }),
    );
    const events: string[] = [];
    ws.onopen = () => events.push("open");
    await next(ws, "open");
    expect(events).toEqual(["open"]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(ws.protocol).toBe("chat");
    expect(ws.extensions).toMatch(/permessage-deflate/);

    const messages: unknown[] = [];
    ws.onmessage = (event) => messages.push((event as MessageEvent).data);
    ws.send("text");
    ws.send(Uint8Array.of(1, 2));
    await eventually(() => messages.length === 2);
    expect(messages[0]).toBe("text");
    expect(messages[1]).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (messages[1] as Blob).arrayBuffer())]).toEqual([1, 2]);

    ws.binaryType = "arraybuffer";
    ws.send(new Blob([Uint8Array.of(3, 4)]));
    ws.send(new Uint8Array([5, 6, 7]).subarray(1));
    await eventually(() => messages.length === 4);
    expect(messages[2]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(messages[2] as ArrayBuffer)]).toEqual([3, 4]);
    expect([...new Uint8Array(messages[3] as ArrayBuffer)]).toEqual([6, 7]);

    expect(() => ws.close(1001)).toThrow(expect.objectContaining({ name: "InvalidAccessError" }));
    expect(() => ws.close(1000, "x".repeat(124))).toThrow(
      expect.objectContaining({ name: "SyntaxError" }),
    );
    const closed = next(ws, "close");
    ws.close(4000, "bye");
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    const event = (await closed) as CloseEvent;
    expect([event.code, event.reason, event.wasClean]).toEqual([4000, "bye", true]);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    ws.send("dropped"); // no throw after close
    expect(ws.bufferedAmount).toBe(7);
  });

  it("gets a message sent with the 101, after open", async () => {
    const { server, WebSocket } = await setup();
    const ws = new WebSocket(`${server.url}/greet`);
    const order: string[] = [];
    ws.addEventListener("open", () => order.push("open"));
    ws.addEventListener("message", (e) => order.push(String((e as MessageEvent).data)));
    await eventually(() => order.length === 2);
    expect(order).toEqual(["open", "welcome"]);
    ws.close();
    await next(ws, "close");
  });

  it("reports the server's close", async () => {
    const { server, WebSocket } = await setup();
    const ws = new WebSocket(server.url);
    await next(ws, "open");
    const closed = next(ws, "close");
    ws.send("close-me");
    const event = (await closed) as CloseEvent;
    expect([event.code, event.reason, event.wasClean]).toEqual([4002, "as asked", true]);
  });

  it("tracks bufferedAmount", async () => {
    const { server, WebSocket } = await setup();
    const ws = new WebSocket(server.url);
    await next(ws, "open");
    ws.send(new Uint8Array(4 << 20));
    expect(ws.bufferedAmount).toBe(4 << 20);
    await eventually(() => ws.bufferedAmount === 0, 5000);
    ws.close();
    await next(ws, "close");
  });

  it("fires error then close (1006) when the handshake fails or is cancelled", async () => {
    const { server, WebSocket } = await setup();
    server.wss.options.verifyClient = () => false;
    const refused = new WebSocket(server.url);
    const events: string[] = [];
    refused.onerror = () => events.push("error");
    refused.onclose = (e) => events.push(`close ${(e as CloseEvent).code}`);
    await eventually(() => events.length === 2);
    expect(events).toEqual(["error", "close 1006"]);
    expect(refused.readyState).toBe(WebSocket.CLOSED);

    const cancelled = new WebSocket(server.url);
    const seen: string[] = [];
    cancelled.onerror = () => seen.push("error");
    cancelled.onclose = (e) => seen.push(`close ${(e as CloseEvent).wasClean}`);
    cancelled.close();
    await eventually(() => seen.length === 2);
    expect(seen).toEqual(["error", "close false"]);
  });

  it("refuses bad URLs and subprotocols synchronously", async () => {
    const { WebSocket } = await setup();
    for (const url of ["not a url", "ftp://127.0.0.1/", "ws://127.0.0.1/#frag"]) {
      expect(() => new WebSocket(url)).toThrow(expect.objectContaining({ name: "SyntaxError" }));
    }
    expect(() => new WebSocket("ws://127.0.0.1:1/", ["a", "a"])).toThrow(
      expect.objectContaining({ name: "SyntaxError" }),
    );
    expect(() => new WebSocket("ws://127.0.0.1:1/", "bad token")).toThrow(
      expect.objectContaining({ name: "SyntaxError" }),
    );
    expect(WebSocket.OPEN).toBe(1);
  });

  it("bindTransport exposes a WebSocket class on the default session", async () => {
    const { server } = await setup();
    const api = bindTransport(() => createTransport());
    cleanups.push(() => api.defaultSession().close());
    const ws = new api.WebSocket(server.url.replace("ws:", "http:"));
    expect(ws.url.startsWith("ws:")).toBe(true);
    await next(ws, "open");
    const message = next(ws, "message");
    ws.send("via default session");
    expect(((await message) as MessageEvent).data).toBe("via default session");
    ws.close();
    await next(ws, "close");
  });
});

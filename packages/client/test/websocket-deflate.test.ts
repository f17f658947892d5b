// permessage-deflate through node:zlib: against the ws server both ways, with
// and without context takeover, and a decompression bomb from a raw server.
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { deflateRawSync, constants as zlib } from "node:zlib";
import { createTransport } from "@reqivo/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { Session } from "../src/index.ts";
import { loadDeflate, ZlibDeflateCodec } from "../src/websocket/deflate.ts";
import { eventually } from "./servers.ts";
import { clientFrames, frame, rawWsServer, switching, wsServer } from "./websocket-servers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function session(): Session {
  const s = new Session({ transport: createTransport() });
  cleanups.push(() => s.close());
  return s;
}

/**
 * A ws server with permessage-deflate that records, per message, how many
 * bytes it read for it; on "send-twice" it sends `payload` twice.
 */
async function deflateServer(perMessageDeflate: Record<string, unknown>) {
  const server = await wsServer({ perMessageDeflate: { threshold: 0, ...perMessageDeflate } });
  cleanups.push(() => server.close());
  const wireSizes: number[] = [];
  const sentSizes: number[] = [];
  const received: string[] = [];
  server.wss.on("connection", (peer, req) => {
    const socket = req.socket as Socket;
    let read = socket.bytesRead;
    peer.on("message", (data, isBinary) => {
      wireSizes.push(socket.bytesRead - read);
      read = socket.bytesRead;
      const text = data.toString();
      received.push(text);
      if (text.startsWith("send-twice:")) {
        const payload = text.slice("send-twice:".length);
        let written = socket.bytesWritten;
        const note = () => {
          sentSizes.push(socket.bytesWritten - written);
          written = socket.bytesWritten;
        };
        peer.send(payload, { binary: isBinary }, () => {
          note();
          peer.send(payload, { binary: isBinary }, note);
        });
      }
    });
  });
  return { url: server.url, wireSizes, sentSizes, received };
}

// 12 KiB of base64: barely compressible alone, nearly free when repeated within the window.
const payload = () => randomBytes(9 * 1024).toString("base64");

describe("permessage-deflate", () => {
  it("compresses both ways with context takeover", async () => {
    const server = await deflateServer({});
    const ws = await session().websocket(server.url, { compress: { threshold: 0 } });
    expect(ws.extensions).toMatch(/^permessage-deflate/);
    const text = payload();
    await ws.send(text);
    await eventually(() => server.received.length === 1);
    await ws.send(text);
    await eventually(() => server.received.length === 2);
    expect(server.received).toEqual([text, text]);
    // The second copy refers back to the first: a few dozen bytes instead of ~9 KiB.
    expect(server.wireSizes[0]).toBeGreaterThan(8000);
    expect(server.wireSizes[1]).toBeLessThan(200);

    const messages = ws[Symbol.asyncIterator]();
    await ws.send(`send-twice:${text}`);
    expect((await messages.next()).value).toBe(text);
    expect((await messages.next()).value).toBe(text);
    expect(server.sentSizes[1]).toBeLessThan(200); // the server kept its context: we inflated with ours
    expect(await ws.close()).toMatchObject({ wasClean: true });
  });

  it("compresses both ways without context takeover", async () => {
    const server = await deflateServer({});
    const ws = await session().websocket(server.url, {
      compress: { threshold: 0, clientNoContextTakeover: true, serverNoContextTakeover: true },
    });
    expect(ws.extensions).toMatch(/server_no_context_takeover/);
    const text = payload();
    await ws.send(text);
    await eventually(() => server.received.length === 1);
    await ws.send(text);
    await eventually(() => server.received.length === 2);
    expect(server.received).toEqual([text, text]);
    expect(server.wireSizes[1]).toBeGreaterThan(8000);
    const messages = ws[Symbol.asyncIterator]();
    await ws.send(`send-twice:${text}`);
    expect((await messages.next()).value).toBe(text);
    expect((await messages.next()).value).toBe(text);
    expect(server.sentSizes[1]).toBeGreaterThan(8000);
    await ws.close();
  });

  it("a binary message, an empty one and a large one survive the round trip", async () => {
    const server = await wsServer({ perMessageDeflate: { threshold: 0 } });
    cleanups.push(() => server.close());
    server.wss.on("connection", (peer) =>
      peer.on("message", (data, isBinary) => peer.send(data, { binary: isBinary })),
    );
    const ws = await session().websocket(server.url, { compress: { threshold: 0 } });
    const messages = ws[Symbol.asyncIterator]();
    const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
    for (const message of [bytes, new Uint8Array(0), "", "x".repeat(100_000)]) {
      await ws.send(message);
      const back = (await messages.next()).value;
      if (typeof message === "string") expect(back).toBe(message);
      else expect(Buffer.from(back as Uint8Array).equals(message)).toBe(true);
    }
    await ws.close();
  });

  it("is not offered with compress: false", async () => {
    const server = await wsServer({ perMessageDeflate: true });
    cleanups.push(() => server.close());
    const ws = await session().websocket(server.url, { compress: false });
    expect(ws.extensions).toBe("");
    await ws.close();
  });

  it("stops a decompression bomb at maxMessageSize and closes with 1009", async () => {
    // 64 MiB of zeros in ~64 KiB.
    const bomb = deflateRawSync(new Uint8Array(64 << 20), { finishFlush: zlib.Z_SYNC_FLUSH });
    const closeCodes: number[] = [];
    const server = await rawWsServer(
      (_, accept) => switching(accept, "Sec-WebSocket-Extensions: permessage-deflate"),
      (socket) => {
        clientFrames(socket, (opcode, data) => {
          if (opcode === 0x8) closeCodes.push(data.readUInt16BE(0));
        });
        socket.write(frame(0x2, bomb.subarray(0, bomb.length - 4), { rsv1: true }));
      },
    );
    cleanups.push(() => server.close());
    const ws = await session().websocket(server.url, { maxMessageSize: 1 << 20 });
    const info = await ws.closed;
    expect(info).toMatchObject({ code: 1009, wasClean: false });
    expect(info.error).toMatchObject({ code: "PROTOCOL_ERROR", closeCode: 1009 });
    await eventually(() => closeCodes.length === 1);
    expect(closeCodes).toEqual([1009]);
    await eventually(() => server.open() === 0);
  });

  it("the codec refuses output past maxLength and inflates right below it", async () => {
    const support = await loadDeflate();
    expect(support).not.toBeNull();
    const params = {
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
    };
    const codec = new ZlibDeflateCodec(support!, params);
    const bomb = deflateRawSync(new Uint8Array(16 << 20), { finishFlush: zlib.Z_SYNC_FLUSH });
    expect(codec.decompress(bomb, 1 << 20)).toBeNull();
    const fits = deflateRawSync(new Uint8Array(1000), { finishFlush: zlib.Z_SYNC_FLUSH });
    expect(new ZlibDeflateCodec(support!, params).decompress(fits, 1000)?.length).toBe(1000);
    expect(new ZlibDeflateCodec(support!, params).decompress(fits, 999)).toBeNull();
    expect(() =>
      codec.decompress(Uint8Array.of(0xff, 0xff, 0xff, 0, 0, 0xff, 0xff), 100),
    ).toThrow();
  });

  it("closes with 1007 on corrupt compressed data", async () => {
    const closeCodes: number[] = [];
    const server = await rawWsServer(
      (_, accept) => switching(accept, "Sec-WebSocket-Extensions: permessage-deflate"),
      (socket) => {
        clientFrames(socket, (opcode, data) => {
          if (opcode === 0x8) closeCodes.push(data.readUInt16BE(0));
        });
        socket.write(frame(0x1, Uint8Array.of(0xff, 0xff, 0xff), { rsv1: true }));
      },
    );
    cleanups.push(() => server.close());
    const ws = await session().websocket(server.url);
    expect(await ws.closed).toMatchObject({ code: 1007, error: { code: "PROTOCOL_ERROR" } });
    await eventually(() => closeCodes.length === 1);
    expect(closeCodes).toEqual([1007]);
  });

  it("sends uncompressed when the server picks client_max_window_bits=8", async () => {
    const firstBytes: number[] = [];
    const server = await rawWsServer(
      (_, accept) =>
        switching(accept, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=8"),
      (socket) => socket.once("data", (data: Buffer) => firstBytes.push(data[0]!)),
    );
    cleanups.push(() => server.close());
    const ws = await session().websocket(server.url, { compress: { threshold: 0 } });
    await ws.send("x".repeat(1000));
    await eventually(() => firstBytes.length === 1);
    expect(firstBytes[0]).toBe(0x81); // FIN + text, RSV1 clear
    ws.terminate();
  });
});

// WebSocket fault cases: a hostile peer that does the HTTP upgrade by hand on a
// raw TCP socket (ws-hostile.ts) and then misbehaves. Each case asserts the
// typed error (WebSocketError code, close code sent to the peer); the runner
// adds the shared checks (the session still serves HTTP, no socket or timer
// left). Part of `faultCases`, so Node, Deno and Bun all run them.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import process from "node:process";
import { constants, deflateRawSync } from "node:zlib";
import type { WebSocketClient, WebSocketCloseInfo } from "@reqivo/client";
import { type CaseContext, eventually, type FaultCase } from "./fault-runner.ts";
import type { HostileServer } from "./hostile.ts";
import {
  acceptDeflate,
  closeFrame,
  frame,
  type RawWebSocket,
  type UpgradeOptions,
  upgrade,
} from "./ws-hostile.ts";

const TEXT = 0x1;
const BINARY = 0x2;
const PING = 0x9;
const PONG = 0xa;

type Err = { code?: string; closeCode?: number } | undefined;

/** A hostile server whose every connection is upgraded (by hand) and handed to `onOpen`. */
async function wsServer(
  t: CaseContext,
  options: UpgradeOptions,
  onOpen?: (ws: RawWebSocket) => void,
): Promise<{ server: HostileServer; url: string; peers: RawWebSocket[] }> {
  const peers: RawWebSocket[] = [];
  const server = await t.server((c) =>
    upgrade(c, options, (ws) => {
      peers.push(ws);
      onOpen?.(ws);
    }),
  );
  return { server, url: `ws://127.0.0.1:${server.port}/socket`, peers };
}

/**
 * Waits (bounded, up to ~10 s: on a loaded 2-core machine it has taken over 2 s)
 * for the client's close frame at the peer and returns its code.
 */
async function closeCodeAtPeer(peer: RawWebSocket | undefined): Promise<number | undefined> {
  for (let i = 0; i < 2000; i++) {
    const close = peer?.frames.find((f) => f.opcode === 0x8);
    if (close !== undefined) return close.code;
    await new Promise((r) => setTimeout(r, 5));
  }
  return undefined;
}

async function protocolFailure(
  ws: WebSocketClient,
  closeCode: number,
  peer: RawWebSocket | undefined,
): Promise<WebSocketCloseInfo> {
  const info = await ws.closed;
  const error = info.error as Err;
  assert.equal(error?.code, "PROTOCOL_ERROR", String(info.error));
  assert.equal(error?.closeCode, closeCode);
  assert.equal(info.code, closeCode);
  assert.equal(info.wasClean, false);
  assert.equal(ws.readyState, ws.CLOSED);
  assert.equal(await closeCodeAtPeer(peer), closeCode, "the close code reached the peer");
  return info;
}

/** A 101 with a bad detail must fail the handshake with HANDSHAKE_FAILED and leave no socket. */
function badHandshake(name: string, options: UpgradeOptions, offer: object = {}): FaultCase {
  return {
    name: `WebSocket: a 101 with ${name}: HANDSHAKE_FAILED`,
    async run(t) {
      const { url } = await wsServer(t, options);
      const error = await t.error(t.session().websocket(url, offer));
      assert.equal(error.code, "HANDSHAKE_FAILED", String(error));
      assert.equal(error.name, "WebSocketError");
    },
  };
}

export const websocketFaultCases: FaultCase[] = [
  // ── handshakes ───────────────────────────────────────────────────────
  badHandshake("a wrong Sec-WebSocket-Accept", { accept: () => "d3JvbmcgYWNjZXB0IHZhbHVlIQ==" }),
  badHandshake("a subprotocol that was not offered", { protocol: "evil" }, { protocols: ["chat"] }),
  badHandshake("a subprotocol when none was offered", { protocol: "chat" }),
  badHandshake("an extension that was not offered", { extensions: "x-evil-extension" }),
  badHandshake(
    "permessage-deflate when it was not offered",
    { extensions: "permessage-deflate" },
    {
      compress: false,
    },
  ),
  badHandshake("server_max_window_bits out of range (7)", {
    extensions: (offer) => `${acceptDeflate(offer)}; server_max_window_bits=7`,
  }),
  badHandshake("server_max_window_bits out of range (16)", {
    extensions: (offer) => `${acceptDeflate(offer)}; server_max_window_bits=16`,
  }),
  {
    name: "WebSocket: no answer to the upgrade: HANDSHAKE_TIMEOUT",
    async run(t) {
      const { url } = await wsServer(t, { silent: true });
      const error = await t.error(t.session().websocket(url, { timeout: { handshake: 100 } }));
      assert.equal(error.code, "HANDSHAKE_TIMEOUT", String(error));
    },
  },

  // ── a 101 and then silence ──────────────────────────────────────────
  {
    name: "WebSocket: a 101 that never sends frames: PING_TIMEOUT, socket closed",
    async run(t) {
      const { url, peers } = await wsServer(t, {});
      const ws = await t.session().websocket(url, { pingInterval: 60 });
      const info = await ws.closed;
      assert.equal((info.error as Err)?.code, "PING_TIMEOUT", String(info.error));
      assert.equal(info.code, 1006);
      assert.equal(info.wasClean, false);
      // The server reads on its own schedule: the ping may still be on its way when the client gave up.
      await eventually(
        () => (peers[0]?.frames ?? []).some((f) => f.opcode === PING),
        "the keepalive ping was sent",
      );
    },
  },
  {
    name: "WebSocket: a 101 that never answers the close: CLOSE_TIMEOUT, connection aborted",
    async run(t) {
      const { url, peers } = await wsServer(t, {});
      const ws = await t.session().websocket(url, { timeout: { close: 100 } });
      const started = Date.now();
      const info = await ws.close(1000, "bye");
      assert.equal((info.error as Err)?.code, "CLOSE_TIMEOUT", String(info.error));
      assert.equal(info.wasClean, false);
      assert.ok(Date.now() - started < 2_000, "aborted at the close timeout");
      assert.equal(await closeCodeAtPeer(peers[0]), 1000);
    },
  },
  {
    name: "WebSocket: the server closes TCP without a close frame: CONNECTION_LOST (1006)",
    async run(t) {
      const { url } = await wsServer(t, {}, (ws) => {
        ws.write(frame(TEXT, "last words"));
        ws.conn.later(20, () => ws.conn.end());
      });
      const ws = await t.session().websocket(url);
      const messages: unknown[] = [];
      ws.on("message", (m) => messages.push(m));
      const info = await ws.closed;
      assert.equal((info.error as Err)?.code, "CONNECTION_LOST", String(info.error));
      assert.equal(info.code, 1006);
      assert.deepEqual(messages, ["last words"]);
    },
  },
  {
    name: "WebSocket: the server resets TCP mid-frame: CONNECTION_LOST (1006)",
    async run(t) {
      const { url } = await wsServer(t, {}, (ws) => {
        ws.write(frame(BINARY, new Uint8Array(10)).subarray(0, 6));
        ws.conn.later(20, () => ws.conn.reset());
      });
      const ws = await t.session().websocket(url);
      const info = await ws.closed;
      assert.equal((info.error as Err)?.code, "CONNECTION_LOST", String(info.error));
      assert.equal(info.code, 1006);
    },
  },

  // ── floods and lengths ──────────────────────────────────────────────
  {
    name: "WebSocket: a ping flood (20,000 pings) collapses into few pongs, latest answered",
    async run(t) {
      const PINGS = 20_000;
      const BATCH = 500;
      const { url, peers } = await wsServer(t, {}, (ws) => {
        const batch = (b: number) => {
          const parts: Uint8Array[] = [];
          for (let i = b * BATCH; i < (b + 1) * BATCH; i++) {
            parts.push(frame(PING, `${i}`.padEnd(100, ".")));
          }
          return Buffer.concat(parts);
        };
        let b = 0;
        const flood = () => {
          if (b >= PINGS / BATCH || ws.conn.socket.destroyed) return;
          if (ws.conn.socket.write(batch(b++))) ws.conn.later(0, flood);
          else ws.conn.socket.once("drain", flood);
        };
        flood();
        // After the flood, one text message; the client answers the close with its own.
        ws.onFrame((f) => {
          if (f.opcode === 0x8) ws.conn.end();
        });
        const finish = () => {
          const last = ws.frames.findLast((f) => f.opcode === PONG);
          if (
            last !== undefined &&
            new TextDecoder().decode(last.payload).startsWith(`${PINGS - 1}.`)
          ) {
            ws.write(frame(TEXT, "flood over"));
            ws.write(closeFrame(1000, "done"));
          } else ws.conn.later(10, finish);
        };
        ws.conn.later(10, finish);
      });
      const before = process.memoryUsage().heapUsed;
      const ws = await t.session().websocket(url, { timeout: { close: 5_000 } });
      let pings = 0;
      ws.on("ping", () => pings++);
      const messages: unknown[] = [];
      ws.on("message", (m) => messages.push(m));
      const info = await ws.closed;
      assert.equal(info.wasClean, true, String(info.error));
      assert.equal(info.code, 1000);
      assert.deepEqual(messages, ["flood over"]);
      assert.equal(pings, PINGS);
      const pongs = peers[0]!.frames.filter((f) => f.opcode === PONG).length;
      assert.ok(pongs >= 1 && pongs < PINGS / 4, `${pongs} pongs for ${PINGS} pings`);
      const grown = process.memoryUsage().heapUsed - before;
      assert.ok(grown < 64 * 1024 * 1024, `heap grew by ${grown} bytes`);
    },
  },
  {
    name: "WebSocket: a frame announcing 2^63 bytes: PROTOCOL_ERROR, close 1002",
    async run(t) {
      const { url, peers } = await wsServer(t, {}, (ws) =>
        ws.write(frame(BINARY, "", { length: 1n << 63n })),
      );
      await protocolFailure(await t.session().websocket(url), 1002, peers[0]);
    },
  },
  {
    name: "WebSocket: a frame announcing 2^63-1 bytes: PROTOCOL_ERROR, close 1009",
    async run(t) {
      const { url, peers } = await wsServer(t, {}, (ws) =>
        ws.write(frame(BINARY, "", { length: (1n << 63n) - 1n })),
      );
      await protocolFailure(await t.session().websocket(url), 1009, peers[0]);
    },
  },
  {
    name: "WebSocket: a frame over maxMessageSize: PROTOCOL_ERROR, close 1009, before the payload arrives",
    async run(t) {
      const { url, peers } = await wsServer(t, {}, (ws) =>
        ws.write(frame(BINARY, "", { length: 64 * 1024 })),
      );
      await protocolFailure(
        await t.session().websocket(url, { maxMessageSize: 1024 }),
        1009,
        peers[0],
      );
    },
  },
  {
    name: "WebSocket: fragments adding up to more than maxMessageSize: close 1009",
    async run(t) {
      const { url, peers } = await wsServer(t, {}, (ws) => {
        let i = 0;
        const next = () => {
          if (i >= 100) return;
          ws.write(frame(i++ === 0 ? BINARY : 0, new Uint8Array(512), { fin: false }));
          ws.conn.later(1, next);
        };
        next();
      });
      await protocolFailure(
        await t.session().websocket(url, { maxMessageSize: 4096 }),
        1009,
        peers[0],
      );
    },
  },

  // ── payloads ────────────────────────────────────────────────────────
  {
    name: "WebSocket: a permessage-deflate bomb (16 MiB of zeros): close 1009",
    async run(t) {
      const zeros = new Uint8Array(16 * 1024 * 1024);
      const deflated = deflateRawSync(zeros, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
      const bomb = deflated.subarray(0, deflated.length - 4); // RFC 7692: drop 00 00 ff ff
      const { url, peers } = await wsServer(t, { extensions: acceptDeflate }, (ws) =>
        ws.write(frame(BINARY, bomb, { rsv1: true })),
      );
      const ws = await t.session().websocket(url, { maxMessageSize: 1024 * 1024 });
      assert.match(ws.extensions, /permessage-deflate/);
      await protocolFailure(ws, 1009, peers[0]);
    },
  },
  {
    name: "WebSocket: invalid UTF-8 in a text message: close 1007",
    async run(t) {
      const { url, peers } = await wsServer(t, {}, (ws) =>
        ws.write(frame(TEXT, Uint8Array.from([0x68, 0x69, 0xc3, 0x28]))),
      );
      await protocolFailure(await t.session().websocket(url), 1007, peers[0]);
    },
  },
  {
    name: "WebSocket: invalid UTF-8 split across fragments: close 1007",
    async run(t) {
      const { url, peers } = await wsServer(t, {}, (ws) => {
        ws.write(frame(TEXT, Uint8Array.from([0x61, 0xf0, 0x9f]), { fin: false }));
        ws.write(frame(0, Uint8Array.from([0x41]), { fin: true }));
      });
      await protocolFailure(await t.session().websocket(url), 1007, peers[0]);
    },
  },
  {
    name: "WebSocket: RSV1 without permessage-deflate: close 1002",
    async run(t) {
      const { url, peers } = await wsServer(t, {}, (ws) =>
        ws.write(frame(TEXT, "x", { rsv1: true })),
      );
      await protocolFailure(
        await t.session({}).websocket(url, { compress: false }),
        1002,
        peers[0],
      );
    },
  },
  {
    name: "WebSocket: a masked frame from the server: close 1002",
    async run(t) {
      const { url, peers } = await wsServer(t, {}, (ws) => {
        const f = frame(TEXT, "abcd");
        const masked = new Uint8Array(f.length + 4);
        masked.set([f[0]!, f[1]! | 0x80, 0, 0, 0, 0], 0);
        masked.set(f.subarray(2), 6);
        ws.write(masked);
      });
      await protocolFailure(await t.session().websocket(url), 1002, peers[0]);
    },
  },

  // ── session.close() ─────────────────────────────────────────────────
  {
    name: "WebSocket: session.close() closes open WebSockets with 1001 going away",
    async run(t) {
      const { url, peers } = await wsServer(t, {}, (ws) =>
        ws.onFrame((f) => {
          if (f.opcode === 0x8) {
            ws.write(closeFrame(f.code ?? 1000));
            ws.conn.end();
          }
        }),
      );
      const session = t.closingSession();
      const a = await session.websocket(url);
      const b = await session.websocket(url);
      await session.close();
      for (const ws of [a, b]) {
        const info = await ws.closed;
        assert.equal(info.wasClean, true, String(info.error));
        assert.equal(info.code, 1001);
      }
      for (const peer of peers) {
        const close = peer.frames.find((f) => f.opcode === 0x8);
        assert.equal(close?.code, 1001);
        assert.equal(close?.reason, "going away");
      }
      const error = await t.error(session.websocket(url));
      assert.equal(error.code, "SESSION_CLOSED");
    },
  },
  {
    name: "WebSocket: session.close() aborts a WebSocket whose peer ignores the close, after the close timeout",
    async run(t) {
      const { url, peers } = await wsServer(t, {});
      const session = t.closingSession();
      const ws = await session.websocket(url, { timeout: { close: 150 } });
      const started = Date.now();
      await session.close();
      const took = Date.now() - started;
      const info = await ws.closed;
      assert.equal((info.error as Err)?.code, "CLOSE_TIMEOUT", String(info.error));
      assert.ok(took >= 100 && took < 3_000, `session.close() took ${took} ms`);
      assert.equal(await closeCodeAtPeer(peers[0]), 1001);
    },
  },
  {
    name: "WebSocket: session.close() during the handshake aborts it",
    async run(t) {
      const { url } = await wsServer(t, { silent: true });
      const session = t.closingSession();
      const opening = t.error(session.websocket(url));
      await new Promise((r) => setTimeout(r, 50));
      await session.close();
      const error = await opening;
      assert.equal(error.code, "SESSION_CLOSED", String(error));
    },
  },
];

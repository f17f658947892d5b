// WebSocket client cases shared by the Deno and Bun runs: each runtime starts
// its own echo server (Deno.serve / Bun.serve upgrade) and its own transport.
import assert from "node:assert/strict";
import { createWebSocketClass, type Session } from "../../src/index.ts";

export interface EchoServer {
  /** `ws://127.0.0.1:port` of a server that echoes every message as it came. */
  url: string;
  /** Whether the server negotiates permessage-deflate. */
  deflate: boolean;
}

export function websocketCases(
  server: () => EchoServer,
  session: () => Session,
): Record<string, () => Promise<void>> {
  return {
    async "echoes text, binary and fragmented messages, then closes cleanly"() {
      const ws = await session().websocket(`${server().url}/echo`);
      const messages = ws[Symbol.asyncIterator]();
      await ws.send("héllo");
      assert.equal((await messages.next()).value, "héllo");
      await ws.send(Uint8Array.of(1, 2, 3));
      assert.deepEqual([...((await messages.next()).value as Uint8Array)], [1, 2, 3]);
      await ws.send(["frag", "ments"]);
      assert.equal((await messages.next()).value, "fragments");
      const large = "ab".repeat(300_000);
      await ws.send(large);
      assert.equal((await messages.next()).value, large);
      assert.equal(ws.extensions.startsWith("permessage-deflate"), server().deflate);
      const info = await ws.close(1000, "done");
      assert.equal(info.wasClean, true);
      assert.equal(info.code, 1000);
      assert.deepEqual(await messages.next(), { value: undefined, done: true });
    },

    async "pings are answered with pongs"() {
      const ws = await session().websocket(server().url);
      const pong = new Promise<Uint8Array>((resolve) => ws.on("pong", resolve));
      await ws.ping("hi");
      assert.equal(new TextDecoder().decode(await pong), "hi");
      await ws.close();
    },

    async "the WHATWG class opens, echoes and closes"() {
      const WebSocket = createWebSocketClass(session());
      const ws = new WebSocket(server().url);
      ws.binaryType = "arraybuffer";
      await new Promise((resolve) => (ws.onopen = resolve));
      const got = new Promise<unknown>(
        (resolve) => (ws.onmessage = (e) => resolve((e as MessageEvent).data)),
      );
      ws.send(Uint8Array.of(7, 8));
      const data = await got;
      assert.ok(data instanceof ArrayBuffer);
      assert.deepEqual([...new Uint8Array(data)], [7, 8]);
      const closed = new Promise<Event>((resolve) => (ws.onclose = resolve));
      ws.close(4000, "bye");
      const event = (await closed) as Event & { code: number; wasClean: boolean };
      assert.equal(event.code, 4000);
      assert.equal(event.wasClean, true);
    },

    async "a refused handshake fails with HANDSHAKE_FAILED"() {
      await assert.rejects(session().websocket(`${server().url}/refuse`), {
        code: "HANDSHAKE_FAILED",
        status: 403,
      });
    },
  };
}

// Hostile peers at the protocol level, with no socket: what a malicious
// WebSocket server or HTTP server can send, fed straight into the Sans-I/O
// cores. Portable: registered on Node (vitest), Deno and Bun.
import assert from "node:assert/strict";
import {
  ClientConnection,
  NEED_DATA,
  ProtocolError,
  WebSocketConnection,
  type WebSocketEvent,
} from "@reqivo/protocol";

function wsFailure(bytes: number[], options: { streamMessages?: boolean } = {}): ProtocolError {
  const ws = new WebSocketConnection({ role: "client", ...options });
  ws.receiveData(Uint8Array.from(bytes));
  try {
    for (let i = 0; i < 1000 && ws.nextEvent() !== NEED_DATA; i++);
  } catch (error) {
    assert.ok(error instanceof ProtocolError, String(error));
    return error;
  }
  throw new assert.AssertionError({ message: "the frame was accepted" });
}

const be64 = (hi: number, lo: number) => [
  (hi >>> 24) & 255,
  (hi >>> 16) & 255,
  (hi >>> 8) & 255,
  hi & 255,
  (lo >>> 24) & 255,
  (lo >>> 16) & 255,
  (lo >>> 8) & 255,
  lo & 255,
];

export const protocolCases: Record<string, () => Promise<void>> = {
  async "WebSocket: a frame with a 2^63 length is refused before any payload (1002)"() {
    const error = wsFailure([0x82, 127, ...be64(0x80000000, 0)]);
    assert.equal(error.closeCode, 1002);
  },

  async "WebSocket: a frame with a 2^63 - 1 length is refused as too big (1009), streamed or not"() {
    for (const streamMessages of [false, true]) {
      const error = wsFailure([0x82, 127, ...be64(0x7fffffff, 0xffffffff)], { streamMessages });
      assert.equal(error.closeCode, 1009);
    }
  },

  async "WebSocket: lengths past 2^53 never lose precision into an acceptable size"() {
    // 2^53 + 1 would round to 2^53 in a double; either way it is far above any limit.
    const error = wsFailure([0x81, 127, ...be64(0x00200000, 1)]);
    assert.equal(error.closeCode, 1009);
  },

  async "WebSocket: a continuation pushing a message past the limit is refused (1009)"() {
    const ws = new WebSocketConnection({ role: "client", maxMessageSize: 1000 });
    ws.receiveData(Uint8Array.from([0x02, 126, 0x01, 0xf4, ...new Uint8Array(500)]));
    assert.equal(ws.nextEvent(), NEED_DATA);
    ws.receiveData(Uint8Array.from([0x80, 126, 0x01, 0xf5]));
    assert.throws(
      () => ws.nextEvent(),
      (e: unknown) => e instanceof ProtocolError && e.closeCode === 1009,
    );
  },

  async "WebSocket: a ping flood keeps one pending pong, never a queue"() {
    const ws = new WebSocketConnection({ role: "client", autoPong: true });
    const pings = 20_000;
    const frames = new Uint8Array(pings * 6);
    for (let i = 0; i < pings; i++)
      frames.set([0x89, 4, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255], i * 6);
    ws.receiveData(frames);
    let seen = 0;
    for (
      let ev: WebSocketEvent | typeof NEED_DATA = ws.nextEvent();
      ev !== NEED_DATA && seen <= pings;
      ev = ws.nextEvent()
    )
      seen++;
    assert.equal(seen, pings);
    const pong = ws.takeAutoPong();
    assert.ok(pong !== null);
    assert.equal(ws.takeAutoPong(), null, "one slot: the flood did not queue pongs");
    // Masked client frame: 2 header bytes, 4 mask bytes, 4 payload bytes (the last ping's).
    assert.equal(pong.length, 10);
  },

  async "HTTP: 100,000 interim responses (limit raised) give events one by one, with nothing retained"() {
    // The default allows 100 per request (TOO_MANY_INFORMATIONAL_RESPONSES, in the protocol's own tests).
    const conn = new ClientConnection({ maxInformationalResponses: 100_000 });
    conn.send({ type: "request", method: "GET", target: "/", headers: [["host", "x"]] });
    conn.send({ type: "end" });
    const hint = new TextEncoder().encode("HTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\n");
    let interim = 0;
    for (let i = 0; i < 100_000; i++) {
      conn.receiveData(hint);
      for (let ev = conn.nextEvent(); ev !== NEED_DATA; ev = conn.nextEvent()) {
        assert.equal(ev.type, "informational");
        interim++;
      }
    }
    assert.equal(interim, 100_000);
    conn.receiveData(new TextEncoder().encode("HTTP/1.1 204 No Content\r\n\r\n"));
    assert.equal((conn.nextEvent() as { type: string }).type, "response");
  },
};

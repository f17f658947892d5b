// The HTTP core hands a 101 over to the WebSocket core: the handshake built by
// one goes out through ClientConnection, the upgrade event's headers are
// validated, and its trailing bytes are the first frames.
import { describe, expect, it } from "vitest";
import {
  buildHandshakeRequest,
  ClientConnection,
  computeAcceptKey,
  NEED_DATA,
  ServerConnection,
  validateHandshakeResponse,
  WebSocketConnection,
} from "../src/index.ts";

describe("HTTP upgrade to WebSocket", () => {
  it("runs the handshake through the HTTP core and feeds trailing bytes to the frame parser", () => {
    const handshake = buildHandshakeRequest({
      target: "/chat",
      host: "example.com",
      protocols: ["v2", "v1"],
    });
    const http = new ClientConnection();
    const server = new ServerConnection();
    server.receiveData(http.send(handshake.request));
    server.receiveData(http.send({ type: "end" }));
    const request = server.nextEvent();
    if (request === NEED_DATA || request.type !== "request") throw new Error("no request");
    const key = request.headers.find(([n]) => n.toLowerCase() === "sec-websocket-key")?.[1] ?? "";
    expect(key).toBe(handshake.key);
    expect(server.nextEvent()).toMatchObject({ type: "end" });

    const head = server.send({
      type: "response",
      status: 101,
      reason: "Switching Protocols",
      headers: [
        ["Upgrade", "websocket"],
        ["Connection", "Upgrade"],
        ["Sec-WebSocket-Accept", computeAcceptKey(key)],
        ["Sec-WebSocket-Protocol", "v2"],
      ],
    });
    // The server's first frame travels in the same packet as the 101.
    const frame = Uint8Array.of(0x81, 0x02, 0x68, 0x69); // text "hi", unmasked
    const packet = new Uint8Array(head.length + frame.length);
    packet.set(head);
    packet.set(frame, head.length);
    http.receiveData(packet);
    const upgrade = http.nextEvent();
    if (upgrade === NEED_DATA || upgrade.type !== "upgrade") throw new Error("expected upgrade");
    expect(upgrade.status).toBe(101);
    expect([...upgrade.trailing]).toEqual([...frame]);

    const negotiated = validateHandshakeResponse(handshake, upgrade);
    expect(negotiated.protocol).toBe("v2");
    const ws = new WebSocketConnection({ role: "client" });
    ws.receiveData(upgrade.trailing);
    expect(ws.nextEvent()).toEqual({ type: "text", data: "hi" });
  });

  it("refuses a 101 whose accept key does not match", () => {
    const handshake = buildHandshakeRequest({ target: "/", host: "h" });
    expect(() =>
      validateHandshakeResponse(handshake, {
        status: 101,
        headers: [
          ["Upgrade", "websocket"],
          ["Connection", "Upgrade"],
          ["Sec-WebSocket-Accept", computeAcceptKey("AAAAAAAAAAAAAAAAAAAAAA==")],
        ],
      }),
    ).toThrow(expect.objectContaining({ code: expect.stringMatching(/ACCEPT/) }));
  });
});

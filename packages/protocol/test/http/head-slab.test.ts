import { describe, expect, it } from "vitest";
import { ByteSlab } from "../../src/byte-slab.ts";
import {
  ClientConnection,
  type HeaderList,
  LocalProtocolError,
  ServerConnection,
} from "../../src/index.ts";
import { latin1 } from "./drive.ts";

/** Sends a GET with `headers` on a fresh connection; returns the head and what it must read. */
function sendGet(headers: HeaderList): { bytes: Uint8Array; want: string } {
  const bytes = new ClientConnection().send({
    type: "request",
    method: "GET",
    target: "/p",
    headers,
  });
  const want = `GET /p HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
  return { bytes, want };
}

describe("heads cut from the shared slab", () => {
  it("never change after send returns, across slab boundaries and large heads", () => {
    const sent: { bytes: Uint8Array; want: string }[] = [];
    const server = new ServerConnection();
    server.receiveData(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    server.nextEvent();
    server.nextEvent();
    // ~100-byte heads, a 20 KiB one (more than a slab) every 50th, so the
    // slab is left half-used, replaced and started over many times; a
    // server's response head in between.
    for (let i = 0; i < 600; i++) {
      const big = i % 50 === 49 ? "x".repeat(20 * 1024) : `v${i}`;
      sent.push(
        sendGet([
          ["Host", `h${i}.example`],
          ["X-N", String(i)],
          ["X-Big", big],
        ]),
      );
      if (i === 300) {
        sent.push({
          bytes: server.send({
            type: "response",
            status: 200,
            reason: "OK",
            headers: [["X-R", "1"]],
          }),
          want: "HTTP/1.1 200 OK\r\nX-R: 1\r\ntransfer-encoding: chunked\r\n\r\n",
        });
      }
    }
    for (const { bytes, want } of sent) expect(latin1(bytes)).toBe(want);
  });

  it("leaves no trace of a refused request in the next head", () => {
    const conn = new ClientConnection();
    expect(() =>
      conn.send({
        type: "request",
        method: "GET",
        target: "/",
        headers: [
          ["Host", "a"],
          ["X-Long", "y".repeat(300)],
          ["X-Bad", "a\r\nInjected: 1"],
        ],
      }),
    ).toThrow(LocalProtocolError);
    const { bytes, want } = sendGet([["Host", "b"]]);
    expect(latin1(bytes)).toBe(want);
  });

  it("refuses header entries that are not [name, value] pairs with a typed error", () => {
    const code = (headers: unknown[]) => {
      try {
        new ClientConnection().send({
          type: "request",
          method: "GET",
          target: "/",
          headers: headers as HeaderList,
        });
      } catch (e) {
        return (e as LocalProtocolError).code;
      }
      return "none";
    };
    expect(code([["Host", "a"], null])).toBe("INVALID_HEADER_NAME");
    expect(code([["Host", "a"], "ab"])).toBe("INVALID_HEADER_NAME");
    expect(
      code([
        ["Host", "a"],
        [1, "b"],
      ]),
    ).toBe("INVALID_HEADER_NAME");
    expect(
      code([
        ["Host", "a"],
        ["b", 1],
      ]),
    ).toBe("INVALID_HEADER_VALUE");
    // The first invalid field decides, in field order, as before the one-pass writer.
    expect(
      code([
        ["Host", "a"],
        ["X", "bad\n"],
        [2, "x"],
      ]),
    ).toBe("INVALID_HEADER_VALUE");
  });
});

describe("ByteSlab", () => {
  it("hands out views that later reservations never overlap", () => {
    const slab = new ByteSlab();
    const views: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) {
      const size = 1 + ((i * 997) % 3000);
      const start = slab.reserve(size);
      slab.bytes.fill(i, start, start + size);
      views.push(slab.take(start, start + size));
    }
    views.forEach((v, i) => {
      expect(v.length).toBe(1 + ((i * 997) % 3000));
      expect(v.every((b) => b === i)).toBe(true);
    });
  });

  it("grow keeps the bytes written so far, moving them to a fresh slab when needed", () => {
    const slab = new ByteSlab();
    const first = slab.take(slab.reserve(16_000), 16_000); // leaves 384 bytes in this slab
    const start = slab.reserve(100);
    expect(start).toBe(16_000);
    slab.bytes.set([1, 2, 3], start);
    expect(slab.grow(start, start + 3, 300)).toBe(start); // still fits
    const moved = slab.grow(start, start + 3, 1000);
    expect(moved).toBe(0);
    expect([...slab.bytes.subarray(0, 3)]).toEqual([1, 2, 3]);
    const view = slab.take(moved, 3);
    expect([...view]).toEqual([1, 2, 3]);
    expect(first.length).toBe(16_000);
    expect(slab.reserve(10)).toBe(3);
  });
});

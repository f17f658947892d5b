import { expect, test } from "vitest";
import { firstRecordLength, parseClientHello } from "../src/testing/client-hello.ts";

/** A minimal ClientHello record with SNI and ALPN extensions. */
function clientHello(servername: string, protocols: string[]): Uint8Array {
  const enc = new TextEncoder();
  const name = enc.encode(servername);
  const u16 = (n: number) => [n >> 8, n & 255];
  const sni = [...u16(name.length + 3), 0, ...u16(name.length), ...name];
  const alpnList = protocols.flatMap((p) => [p.length, ...enc.encode(p)]);
  const alpn = [...u16(alpnList.length), ...alpnList];
  const ext = (type: number, body: number[]) => [...u16(type), ...u16(body.length), ...body];
  const extensions = [...ext(0, sni), ...ext(16, alpn)];
  const body = [
    3,
    3,
    ...new Array(32).fill(0),
    0,
    0,
    2,
    0x13,
    0x01,
    1,
    0,
    extensions.length >> 8,
    extensions.length & 255,
    ...extensions,
  ];
  const handshake = [1, 0, body.length >> 8, body.length & 255, ...body];
  return new Uint8Array([0x16, 3, 1, handshake.length >> 8, handshake.length & 255, ...handshake]);
}

test("reads SNI and the ALPN offer from a ClientHello", () => {
  const record = clientHello("sni.test", ["http/1.1", "h2"]);
  expect(firstRecordLength(record)).toBe(record.length);
  expect(parseClientHello(record)).toEqual({
    servername: "sni.test",
    alpnProtocols: ["http/1.1", "h2"],
  });
});

test("rejects what is not a ClientHello", () => {
  expect(() => parseClientHello(new Uint8Array([0x17, 3, 3, 0, 0]))).toThrow();
  expect(firstRecordLength(new Uint8Array([0x16, 3]))).toBeNull();
});

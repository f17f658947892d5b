// Findings of the differential fuzzer (apps/e2e, against llhttp strict), each
// checked under every splitting of its bytes: same bytes, same verdict.
import { describe, expect, it } from "vitest";
import {
  ClientConnection,
  type RequestEvent,
  ServerConnection,
  splitList,
} from "../../src/index.ts";
import { type Verdict, verdict } from "./drive.ts";

const ok = (extra: string, body = "") => `HTTP/1.1 200 OK\r\n${extra}\r\n\r\n${body}`;
const chunked = (sizeLine: string) =>
  ok("Transfer-Encoding: chunked", `${sizeLine}\r\nhello\r\n0\r\n\r\n`);
const bodyOf = (v: Verdict) => v.events.flatMap((e) => (e.type === "data" ? [e.data] : []));

describe("OWS is SP and HTAB only (RFC 9110 §5.6.3): a 0xA0 byte is no whitespace", () => {
  it("a Content-Length with 0xA0 around its digits is INVALID_CONTENT_LENGTH (fuzz:diff --parser http --seed 7 --case 404)", () => {
    for (const value of ["\xa05", "5\xa0", "\xa0 5", "5, \xa05", "5,5\xa0"]) {
      expect(verdict(ok(`Content-Length: ${value}`, "hello")).code, JSON.stringify(value)).toBe(
        "INVALID_CONTENT_LENGTH",
      );
    }
  });

  it("a Content-Length list with SP and HTAB around its elements still reads", () => {
    for (const value of ["5 ,5", "5,\t5", " 5 , 5 "]) {
      const out = verdict(ok(`Content-Length: ${value}`, "hello"));
      expect(out.code, JSON.stringify(value)).toBeUndefined();
      expect(bodyOf(out)).toEqual(["hello"]);
    }
  });

  it("a Transfer-Encoding of chunked with 0xA0 around it is not chunked: INVALID_TRANSFER_ENCODING", () => {
    for (const value of ["chunked\xa0", "\xa0chunked", "gzip,\xa0chunked"]) {
      const out = verdict(ok(`Transfer-Encoding: ${value}`, "5\r\nhello\r\n0\r\n\r\n"));
      expect(out.code, JSON.stringify(value)).toBe("INVALID_TRANSFER_ENCODING");
    }
  });

  it("a list element keeps a 0xA0 byte: 'close\\xa0' is not the close option", () => {
    expect(splitList(" Close ,\tkeep-alive\t")).toEqual(["close", "keep-alive"]);
    expect(splitList("close\xa0, \xa0upgrade")).toEqual(["close\xa0", "\xa0upgrade"]);
    const out = verdict(ok("Content-Length: 0\r\nConnection: close\xa0"));
    expect(out.code).toBeUndefined();
    const conn = new ClientConnection();
    conn.send({ type: "request", method: "GET", target: "/", headers: [["host", "a"]] });
    conn.send({ type: "end" });
    conn.receiveData(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"));
    conn.receiveData(Uint8Array.from("Connection: close\xa0\r\n\r\n", (c) => c.charCodeAt(0)));
    expect(conn.nextEvent()).toMatchObject({ type: "response" });
    expect(conn.nextEvent()).toMatchObject({ type: "end" });
    expect(conn.keepAlive).toBe(true);
  });

  it("an Expect of '100-continue' with 0xA0 around it does not wait for a 100", () => {
    const send = (value: string) => {
      const conn = new ClientConnection();
      conn.send({
        type: "request",
        method: "POST",
        target: "/",
        headers: [
          ["host", "a"],
          ["expect", value],
        ],
        contentLength: 1,
      });
      return conn.waitingFor100Continue;
    };
    expect(send("100-Continue")).toBe(true);
    expect(send("100-continue\xa0")).toBe(false);
  });
});

describe("a chunk-size line follows RFC 9112 §7.1.1 exactly", () => {
  it("whitespace after an extension's name or value is INVALID_CHUNK_EXTENSION", () => {
    for (const line of ["5;a=b ", "5;a=b\t", "5;a ", '5;a="b" ', "5 ;a=b;c=d  "]) {
      expect(verdict(chunked(line)).code, JSON.stringify(line)).toBe("INVALID_CHUNK_EXTENSION");
    }
  });

  it("BWS around ';' and '=' still reads", () => {
    for (const line of [
      "5;a=b",
      "5 ;a=b",
      "5; a = b",
      '5\t;\ta\t=\t"b"',
      "5;a=b ;c",
      "5 ; a ; b = c",
    ]) {
      const out = verdict(chunked(line));
      expect(out.code, JSON.stringify(line)).toBeUndefined();
      expect(bodyOf(out)).toEqual(["hello"]);
    }
  });

  it("whitespace after the size alone stays INVALID_CHUNK_SIZE", () => {
    expect(verdict(chunked("5 ")).code).toBe("INVALID_CHUNK_SIZE");
  });
});

describe("a 101 needs an offered Upgrade (RFC 9110 §15.2.2)", () => {
  const connect = (headers: [string, string][] = []): RequestEvent => ({
    type: "request",
    method: "CONNECT",
    target: "example.com:443",
    headers: [["Host", "example.com:443"], ...headers],
  });
  const switching =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n";

  it("a 101 to a CONNECT without Upgrade is UNEXPECTED_UPGRADE (fuzz:diff --parser http --seed 7 --case 1313)", () => {
    expect(verdict(switching, { request: connect() })).toEqual({
      events: [],
      code: "UNEXPECTED_UPGRADE",
    });
    const bare = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
    expect(verdict(bare, { request: connect() }).code).toBe("UNEXPECTED_UPGRADE");
  });

  it("a CONNECT's 2xx is still the tunnel, and a 101 to an offered Upgrade still switches", () => {
    const tunnel = verdict("HTTP/1.1 200 OK\r\n\r\n", { request: connect() });
    expect(tunnel).toMatchObject({ events: [{ type: "upgrade", status: 200 }], code: undefined });
    const offered = connect([
      ["Upgrade", "h2c"],
      ["Connection", "upgrade"],
    ]);
    expect(verdict(switching, { request: offered }).events).toMatchObject([
      { type: "upgrade", status: 101 },
    ]);
  });

  it("a server cannot send a 101 to a CONNECT without Upgrade, and still can send its 2xx", () => {
    const server = (headers: [string, string][] = []) => {
      const client = new ClientConnection();
      const s = new ServerConnection();
      s.receiveData(client.send(connect(headers)));
      s.nextEvent();
      s.nextEvent();
      return s;
    };
    expect(() =>
      server().send({ type: "response", status: 101, reason: "Switching Protocols", headers: [] }),
    ).toThrow(expect.objectContaining({ code: "INVALID_STATE" }));
    expect(() =>
      server([
        ["Upgrade", "h2c"],
        ["Connection", "upgrade"],
      ]).send({ type: "response", status: 101, reason: "Switching Protocols", headers: [] }),
    ).not.toThrow();
  });
});

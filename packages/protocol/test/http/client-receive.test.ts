import { describe, expect, it } from "vitest";
import {
  ClientConnection,
  NEED_DATA,
  ProtocolError,
  RemoteProtocolError,
} from "../../src/index.ts";
import { bytesOf, drive, GET, latin1 } from "./drive.ts";

const feed = (text: string, opts: Parameters<typeof drive>[1] = {}) => drive([bytesOf(text)], opts);
const errorCode = (text: string, opts: Parameters<typeof drive>[1] = {}) =>
  feed(text, opts).error?.code;

describe("status line and fields", () => {
  it("parses status, reason, version and fields in wire order and case", () => {
    const out = feed(
      "HTTP/1.1 404 Not Found\r\nX-B:  two  \r\nx-a:\tone\r\nContent-Length: 0\r\n\r\n",
    );
    expect(out.events[0]).toEqual({
      type: "response",
      status: 404,
      reason: "Not Found",
      version: "1.1",
      headers: [
        ["X-B", "two"],
        ["x-a", "one"],
        ["Content-Length", "0"],
      ],
    });
    expect(out.events[1]).toEqual({ type: "end", trailers: [] });
  });

  it('gives each reason phrase as sent, the common "OK" included', () => {
    const reasonOf = (line: string) =>
      (feed(`${line}\r\nContent-Length: 0\r\n\r\n`).events[0] as { reason: string }).reason;
    expect(reasonOf("HTTP/1.1 200 OK")).toBe("OK");
    expect(reasonOf("HTTP/1.1 404 OK")).toBe("OK");
    expect(reasonOf("HTTP/1.1 200 Ok")).toBe("Ok");
    expect(reasonOf("HTTP/1.1 200 oK")).toBe("oK");
    expect(reasonOf("HTTP/1.1 200 OKAY")).toBe("OKAY");
    expect(reasonOf("HTTP/1.1 200 O")).toBe("O");
    expect(reasonOf("HTTP/1.1 200 OK ")).toBe("OK ");
    expect(reasonOf("HTTP/1.1 200 ")).toBe("");
    expect(reasonOf("HTTP/1.1 200")).toBe("");
  });

  it("decodes obs-text as latin1 and keeps HTAB inside values", () => {
    const out = drive([
      Uint8Array.from([
        ...bytesOf("HTTP/1.1 200 Ok\r\nX: a\tb "),
        0xe9,
        0xff,
        ...bytesOf("\r\nContent-Length: 0\r\n\r\n"),
      ]),
    ]);
    expect((out.events[0] as { headers: [string, string][] }).headers[0]).toEqual([
      "X",
      "a\tb é\u00ff",
    ]);
  });

  it("replaces obs-fold with a space (RFC 9112 §5.2)", () => {
    const out = feed("HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n");
    expect((out.events[0] as { headers: unknown }).headers).toEqual([
      ["X-Long", "a b c"],
      ["Content-Length", "0"],
    ]);
  });

  it("rejects malformed heads with stable codes", () => {
    expect(errorCode("HTTP/1.1 200 OK\r\nBad : x\r\n\r\n")).toBe("INVALID_HEADER_NAME");
    expect(errorCode("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n")).toBe("INVALID_HEADER_NAME");
    expect(errorCode("HTTP/1.1 200 OK\r\n:x\r\n\r\n")).toBe("INVALID_HEADER_NAME");
    expect(errorCode("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n")).toBe("INVALID_HEADER_VALUE");
    expect(errorCode("HTTP/1.1 200 OK\r\nX: a\x7fb\r\n\r\n")).toBe("INVALID_HEADER_VALUE");
    expect(errorCode("HTTP/1.1 200 OK\r\n x: folded-first\r\n\r\n")).toBe("INVALID_OBS_FOLD");
    expect(errorCode("HTTP/1.1 2000 OK\r\n\r\n")).toBe("INVALID_STATUS_CODE");
    expect(errorCode("HTTP/1.1 099 Low\r\n\r\n")).toBe("INVALID_STATUS_CODE");
    expect(errorCode("HTTP/3.0 200 OK\r\n\r\n")).toBe("INVALID_VERSION");
    expect(errorCode("HTTP/1.1 200 OK\nX: y\n\n")).toBe("INVALID_LINE_ENDING");
    expect(errorCode("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n")).toBe("INVALID_HEADER_VALUE");
    expect(errorCode("\x16\x03\x01")).toBe("INVALID_VERSION");
  });

  it("accepts a higher HTTP/1.x minor version as 1.1 semantics", () => {
    const out = feed("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n");
    expect(out.events[0]).toMatchObject({ version: "1.2", status: 200 });
    expect(out.conn.keepAlive).toBe(true);
  });
});

describe("body framing (RFC 9112 §6.3)", () => {
  it("HEAD, 1xx, 204 and 304 have no body whatever the fields say", () => {
    const head = feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", {
      request: { ...GET(), method: "HEAD" },
    });
    expect(head.events.map((e) => e.type)).toEqual(["response", "end"]);
    for (const status of ["204 No Content", "304 Not Modified"]) {
      const out = feed(
        `HTTP/1.1 ${status}\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      expect(out.events.map((e) => e.type)).toEqual(["response", "end"]);
      expect(out.conn.reusable).toBe(true);
    }
  });

  it("delivers any number of interim responses before the final one", () => {
    const out = feed(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nLink: </b.js>; rel=preload\r\n\r\n" +
        "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    );
    expect(
      out.events.map((e) =>
        e.type === "informational" || e.type === "response" ? e.status : e.type,
      ),
    ).toEqual([100, 103, 102, 200, "data", "end"]);
    expect((out.events[1] as { headers: unknown }).headers).toEqual([
      ["Link", "</a.css>; rel=preload"],
      ["Link", "</b.js>; rel=preload"],
    ]);
  });

  it("hands over trailing bytes on 101 and on 2xx to CONNECT", () => {
    const ws = feed(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi",
      {
        request: GET([
          ["Upgrade", "websocket"],
          ["Connection", "Upgrade"],
        ]),
      },
    );
    expect(ws.events).toEqual([
      expect.objectContaining({ type: "upgrade", status: 101, trailing: "\x81\x02hi" }),
    ]);
    expect(ws.conn.ourState).toBe("SWITCHED_PROTOCOL");
    const tunnel = feed("HTTP/1.1 200 Connection Established\r\nContent-Length: 99\r\n\r\nTLS", {
      request: {
        type: "request",
        method: "CONNECT",
        target: "example.com:443",
        headers: [["Host", "example.com:443"]],
      },
    });
    expect(tunnel.events).toEqual([
      expect.objectContaining({ type: "upgrade", status: 200, trailing: "TLS" }),
    ]);
    const refusedTunnel = feed("HTTP/1.1 407 Proxy Auth\r\nContent-Length: 1\r\n\r\nx", {
      request: {
        type: "request",
        method: "CONNECT",
        target: "example.com:443",
        headers: [["Host", "example.com:443"]],
      },
    });
    expect(refusedTunnel.events.map((e) => e.type)).toEqual(["response", "data", "end"]);
  });

  it("refuses a 101 nobody asked for", () => {
    expect(errorCode("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")).toBe(
      "UNEXPECTED_UPGRADE",
    );
  });

  it("treats an upgrade offer answered normally as a normal response", () => {
    const out = feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", {
      request: GET([
        ["Upgrade", "h2c"],
        ["Connection", "Upgrade"],
      ]),
    });
    expect(out.events.map((e) => e.type)).toEqual(["response", "data", "end"]);
    expect(out.conn.reusable).toBe(true);
  });

  it("reads chunked bodies with extensions and delivers trailers separately", () => {
    const out = feed(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n4;a=1 ;b="x;y"\r\nWiki\r\n5 ; c\r\npedia\r\n0\r\nX-Sum: 9\r\n\r\n',
    );
    expect(out.error).toBeUndefined();
    expect(out.events.slice(1)).toEqual([
      { type: "data", data: "Wikipedia" },
      { type: "end", trailers: [["X-Sum", "9"]] },
    ]);
  });

  it("rejects malformed chunked framing", () => {
    const te = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    expect(errorCode(`${te}g\r\n`)).toBe("INVALID_CHUNK_SIZE");
    expect(errorCode(`${te}\r\n`)).toBe("INVALID_CHUNK_SIZE");
    expect(errorCode(`${te}-1\r\n`)).toBe("INVALID_CHUNK_SIZE");
    expect(errorCode(`${te}3\r\nabcX\r\n`)).toBe("INVALID_CHUNK_DATA");
    expect(errorCode(`${te}3;\r\nabc\r\n`)).toBe("INVALID_CHUNK_EXTENSION");
    expect(errorCode(`${te}3;a="open\r\nabc\r\n`)).toBe("INVALID_CHUNK_EXTENSION");
    expect(errorCode(`${te}3;a=\r\nabc\r\n`)).toBe("INVALID_CHUNK_EXTENSION");
    expect(errorCode(`${te}3;a="x;y" \r\nabc\r\n`)).toBe("INVALID_CHUNK_EXTENSION");
    expect(errorCode(`${te}ffffffffffffffffff\r\n`)).toBe("CHUNK_SIZE_TOO_LARGE");
    expect(errorCode(`${te}1;${"a".repeat(5000)}\r\n`)).toBe("CHUNK_LINE_TOO_LONG");
    expect(errorCode(`${te}1;${"a".repeat(5000)}`)).toBe("CHUNK_LINE_TOO_LONG");
  });

  it("picks the framing of Transfer-Encoding: chunked last, read-until-close otherwise", () => {
    const closeDelimited = feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw", {
      eof: true,
    });
    expect(closeDelimited.events.slice(1)).toEqual([
      { type: "data", data: "raw" },
      { type: "end", trailers: [] },
    ]);
    expect(closeDelimited.conn.keepAlive).toBe(false);
    expect(errorCode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n")).toBe(
      "INVALID_TRANSFER_ENCODING",
    );
    expect(errorCode("HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\n")).toBe(
      "INVALID_TRANSFER_ENCODING",
    );
    expect(errorCode("HTTP/1.1 200 OK\r\nTransfer-Encoding: a b\r\n\r\n")).toBe(
      "INVALID_TRANSFER_ENCODING",
    );
  });

  // Was read as chunked without reuse; now refused: two framings are the smuggling signature.
  it("refuses Content-Length together with Transfer-Encoding", () => {
    const out = feed(
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    );
    expect(out.error?.code).toBe("INVALID_TRANSFER_ENCODING");
    expect(out.conn.reusable).toBe(false);
  });

  it("rejects malformed and conflicting Content-Length values", () => {
    for (const value of [
      "5, 6",
      "+5",
      "5a",
      "-1",
      "",
      " ",
      "0x10",
      "1 2",
      "99999999999999999999",
      "1e3",
    ]) {
      expect(errorCode(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\n`), value).toBe(
        "INVALID_CONTENT_LENGTH",
      );
    }
    expect(errorCode("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")).toBe(
      "INVALID_CONTENT_LENGTH",
    );
    const same = feed("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok");
    expect(same.events.map((e) => e.type)).toEqual(["response", "data", "end"]);
  });

  it("reads until close when nothing frames the body", () => {
    const out = feed("HTTP/1.1 200 OK\r\n\r\nall of it", { eof: true });
    expect(out.events.slice(1)).toEqual([
      { type: "data", data: "all of it" },
      { type: "end", trailers: [] },
    ]);
    expect(out.conn.keepAlive).toBe(false);
  });

  it("reports a body cut short by the peer closing", () => {
    expect(errorCode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", { eof: true })).toBe(
      "INCOMPLETE_MESSAGE",
    );
    expect(
      errorCode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", { eof: true }),
    ).toBe("INCOMPLETE_MESSAGE");
    expect(errorCode("HTTP/1.1 200 OK\r\nContent", { eof: true })).toBe("INCOMPLETE_MESSAGE");
    expect(drive([], { eof: true }).error?.code).toBe("CONNECTION_CLOSED");
  });
});

describe("keep-alive and connection reuse", () => {
  const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  it("reuses HTTP/1.1 connections unless either side says close", () => {
    expect(feed(ok).conn.reusable).toBe(true);
    expect(
      feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").conn.reusable,
    ).toBe(false);
    expect(feed(ok, { request: GET([["Connection", "close"]]) }).conn.reusable).toBe(false);
    expect(
      feed("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 0\r\n\r\n").conn
        .keepAlive,
    ).toBe(false);
  });

  it("reuses HTTP/1.0 connections only with Connection: keep-alive", () => {
    expect(feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").conn.reusable).toBe(false);
    expect(
      feed("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").conn.reusable,
    ).toBe(true);
    expect(
      feed(
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      ).conn.reusable,
    ).toBe(false);
  });

  it("runs several exchanges on one connection", () => {
    const conn = new ClientConnection();
    for (let i = 0; i < 3; i++) {
      conn.send(GET());
      conn.send({ type: "end" });
      conn.receiveData(bytesOf(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${i}`));
      expect(conn.nextEvent()).toMatchObject({ type: "response" });
      expect(conn.nextEvent()).toMatchObject({ type: "data" });
      expect(conn.nextEvent()).toMatchObject({ type: "end" });
      expect(conn.nextEvent()).toBe(NEED_DATA);
      conn.startNextCycle();
    }
  });

  it("never matches unsolicited bytes to a later request (response-queue poisoning)", () => {
    // Extra bytes after a complete response, in the same packet.
    const extra = feed(`${ok}HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil`);
    expect(extra.conn.reusable).toBe(false);
    expect(() => extra.conn.startNextCycle()).toThrow(
      expect.objectContaining({ code: "UNSOLICITED_DATA" }),
    );
    expect(() => extra.conn.send(GET())).toThrow(ProtocolError);

    // Bytes arriving on an idle pooled connection, before the next request.
    const idle = feed(ok);
    idle.conn.startNextCycle();
    idle.conn.receiveData(bytesOf("HTTP/1.1 200 OK\r\n\r\n"));
    expect(idle.conn.reusable).toBe(false);
    expect(() => idle.conn.send(GET())).toThrow(
      expect.objectContaining({ code: "UNSOLICITED_DATA" }),
    );

    // Bytes before any request was sent.
    const early = new ClientConnection();
    early.receiveData(bytesOf("HTTP/1.1 200 OK\r\n\r\n"));
    expect(() => early.nextEvent()).toThrow(RemoteProtocolError);
  });

  it("reports the peer closing an idle connection as an event, and refuses reuse", () => {
    const out = feed(ok);
    out.conn.receiveData(null);
    expect(out.conn.nextEvent()).toEqual({ type: "closed" });
    expect(out.conn.reusable).toBe(false);
    expect(() => out.conn.startNextCycle()).toThrow(
      expect.objectContaining({ code: "NOT_REUSABLE" }),
    );
  });

  it("refuses to start the next cycle mid-exchange", () => {
    const conn = new ClientConnection();
    conn.send(GET());
    expect(() => conn.startNextCycle()).toThrow(expect.objectContaining({ code: "NOT_REUSABLE" }));
  });

  it("stays dead after a protocol error and says why", () => {
    const out = feed("HTTP/1.1 abc\r\n\r\n");
    expect(out.error).toBeInstanceOf(RemoteProtocolError);
    expect(() => out.conn.nextEvent()).toThrow(out.error);
    expect(() => out.conn.send(GET())).toThrow(
      expect.objectContaining({ code: "CONNECTION_FAILED" }),
    );
    expect(out.conn.reusable).toBe(false);
  });
});

describe("limits", () => {
  it("bounds the head, the start line, the field count and trailers", () => {
    const big = `HTTP/1.1 200 OK\r\nX: ${"a".repeat(2000)}\r\n\r\n`;
    expect(errorCode(big, { options: { maxHeaderBytes: 1024 } })).toBe("HEADERS_TOO_LARGE");
    // Also when the head never ends: memory stays bounded.
    expect(
      drive([bytesOf(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(5000)}`)], {
        options: { maxHeaderBytes: 1024 },
      }).error?.code,
    ).toBe("HEADERS_TOO_LARGE");
    expect(
      errorCode(`HTTP/1.1 200 ${"r".repeat(300)}\r\n\r\n`, { options: { maxStartLineBytes: 100 } }),
    ).toBe("START_LINE_TOO_LONG");
    const many = `HTTP/1.1 200 OK\r\n${"X: 1\r\n".repeat(11)}\r\n`;
    expect(errorCode(many, { options: { maxHeaderCount: 10 } })).toBe("TOO_MANY_HEADERS");
    const trailers = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n${"T: 1\r\n".repeat(11)}\r\n`;
    expect(errorCode(trailers, { options: { maxHeaderCount: 10 } })).toBe("TOO_MANY_HEADERS");
    expect(
      errorCode(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n`, {
        options: { maxChunkSize: 15 },
      }),
    ).toBe("CHUNK_SIZE_TOO_LARGE");
  });

  it("refuses nonsense limits", () => {
    expect(() => new ClientConnection({ maxHeaderBytes: 0 })).toThrow(RangeError);
    expect(() => new ClientConnection({ maxHeaderCount: 1.5 })).toThrow(RangeError);
  });
});

describe("zero-copy body data", () => {
  it("hands out views of the received chunk for body data", () => {
    const conn = new ClientConnection();
    conn.send(GET());
    conn.send({ type: "end" });
    const chunk = bytesOf(`HTTP/1.1 200 OK\r\nContent-Length: 65536\r\n\r\n${"x".repeat(65536)}`);
    conn.receiveData(chunk);
    conn.nextEvent();
    const data = conn.nextEvent();
    if (data === NEED_DATA || data.type !== "data") throw new Error("expected data");
    expect(data.data.length).toBe(65536);
    expect(data.data.buffer).toBe(chunk.buffer);
    expect(latin1(data.data.subarray(0, 3))).toBe("xxx");
  });
});

describe("bodyBytesLeft", () => {
  const request = () => {
    const conn = new ClientConnection();
    conn.send({ type: "request", method: "GET", target: "/", headers: [["host", "a"]] });
    conn.send({ type: "end" });
    return conn;
  };

  it("counts down a Content-Length body, buffered bytes counted as received", () => {
    const conn = request();
    expect(conn.bodyBytesLeft).toBeNull();
    conn.receiveData(bytesOf("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123"));
    expect(conn.nextEvent()).toMatchObject({ type: "response", status: 200 });
    expect(conn.bodyBytesLeft).toBe(6);
    expect(conn.nextEvent()).toMatchObject({ type: "data" });
    expect(conn.bodyBytesLeft).toBe(6);
    expect(conn.nextEvent()).toBe(NEED_DATA);
    conn.receiveData(bytesOf("456789"));
    expect(conn.bodyBytesLeft).toBe(0);
    expect(latin1((conn.nextEvent() as { data: Uint8Array }).data)).toBe("456789");
    expect(conn.nextEvent()).toEqual({ type: "end", trailers: [] });
    expect(conn.bodyBytesLeft).toBeNull();
  });

  it("is null for a chunked body", () => {
    const conn = request();
    conn.receiveData(bytesOf("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"));
    conn.nextEvent();
    expect(conn.bodyBytesLeft).toBeNull();
  });
});

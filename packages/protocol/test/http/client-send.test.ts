import { describe, expect, it } from "vitest";
import { ClientConnection, LocalProtocolError, type RequestEvent } from "../../src/index.ts";
import { latin1 } from "./drive.ts";

const enc = new TextEncoder();
const request = (over: Partial<RequestEvent> = {}): RequestEvent => ({
  type: "request",
  method: "GET",
  target: "/",
  headers: [["Host", "example.com"]],
  ...over,
});
const head = (over: Partial<RequestEvent> = {}) =>
  latin1(new ClientConnection().send(request(over)));

describe("request serialization", () => {
  it("writes the request line and headers in caller order and case", () => {
    expect(
      head({
        headers: [
          ["Host", "a.example"],
          ["X-B", "2"],
          ["x-a", "1"],
        ],
      }),
    ).toBe("GET / HTTP/1.1\r\nHost: a.example\r\nX-B: 2\r\nx-a: 1\r\n\r\n");
  });

  it("accepts the four target forms, each only with its method", () => {
    expect(head({ target: "/p?q=1#no" })).toContain("GET /p?q=1#no HTTP/1.1");
    expect(head({ target: "http://example.com/x" })).toContain("GET http://example.com/x HTTP/1.1");
    expect(head({ method: "CONNECT", target: "example.com:443" })).toContain(
      "CONNECT example.com:443 HTTP/1.1",
    );
    expect(head({ method: "CONNECT", target: "[::1]:8080" })).toContain("CONNECT [::1]:8080");
    expect(head({ method: "OPTIONS", target: "*" })).toContain("OPTIONS * HTTP/1.1");
    for (const bad of [
      { target: "*" },
      { method: "CONNECT", target: "/" },
      { method: "CONNECT", target: "example.com" },
      { target: "example.com/x" },
      { target: "" },
    ]) {
      expect(() => head(bad), JSON.stringify(bad)).toThrow(LocalProtocolError);
    }
  });

  it("refuses CR, LF, NUL and spaces anywhere a caller could inject them, before producing bytes", () => {
    const attempts: Partial<RequestEvent>[] = [
      { method: "GET\r\nX: y" },
      { method: "GE T" },
      { method: "" },
      { method: "G\0T" },
      { target: "/a b" },
      { target: "/a\r\nHost: evil" },
      { target: "/\0" },
      { target: "/é" },
      {
        headers: [
          ["Host", "a"],
          ["X-A", "1\r\nInjected: yes"],
        ],
      },
      {
        headers: [
          ["Host", "a"],
          ["X-A", "1\nInjected: yes"],
        ],
      },
      {
        headers: [
          ["Host", "a"],
          ["X-A", "1\0"],
        ],
      },
      {
        headers: [
          ["Host", "a"],
          ["X-A\r\nInjected", "1"],
        ],
      },
      {
        headers: [
          ["Host", "a"],
          ["X A", "1"],
        ],
      },
      {
        headers: [
          ["Host", "a"],
          ["", "1"],
        ],
      },
      {
        headers: [
          ["Host", "a"],
          ["X-A", "\u0100"],
        ],
      },
      {
        headers: [
          ["Host", "a"],
          ["X-A", " padded"],
        ],
      },
      { headers: [["Host", "a\r\n"]] },
    ];
    for (const attempt of attempts) {
      const conn = new ClientConnection();
      expect(() => conn.send(request(attempt)), JSON.stringify(attempt)).toThrow(
        LocalProtocolError,
      );
      // Nothing was sent: the connection is still idle and takes a valid request.
      expect(conn.ourState).toBe("IDLE");
      expect(latin1(conn.send(request()))).toMatch(/^GET \/ HTTP\/1.1/);
    }
  });

  it("gives stable codes for caller errors", () => {
    const code = (over: Partial<RequestEvent>) => {
      try {
        head(over);
      } catch (e) {
        return (e as LocalProtocolError).code;
      }
      return "none";
    };
    expect(code({ method: "G T" })).toBe("INVALID_METHOD");
    expect(code({ target: "/ x" })).toBe("INVALID_TARGET");
    expect(
      code({
        headers: [
          ["Host", "a"],
          ["a:b", "c"],
        ],
      }),
    ).toBe("INVALID_HEADER_NAME");
    expect(
      code({
        headers: [
          ["Host", "a"],
          ["a", "c\n"],
        ],
      }),
    ).toBe("INVALID_HEADER_VALUE");
    expect(code({ headers: [] })).toBe("INVALID_HOST");
    expect(
      code({
        headers: [
          ["Host", "a"],
          ["host", "b"],
        ],
      }),
    ).toBe("INVALID_HOST");
  });

  it("adds Content-Length for a known length and streams chunked otherwise", () => {
    const conn = new ClientConnection();
    const wire = [
      conn.send(request({ method: "POST", contentLength: 5 })),
      conn.send({ type: "data", data: enc.encode("he") }),
      conn.send({ type: "data", data: enc.encode("llo") }),
      conn.send({ type: "end" }),
    ].map(latin1);
    expect(wire.join("")).toBe(
      "POST / HTTP/1.1\r\nHost: example.com\r\ncontent-length: 5\r\n\r\nhello",
    );

    const chunked = new ClientConnection();
    const parts = [
      chunked.send(request({ method: "POST", contentLength: null })),
      chunked.send({ type: "data", data: enc.encode("hello") }),
      chunked.send({ type: "data", data: new Uint8Array(0) }),
      chunked.send({ type: "end", trailers: [["x-sum", "1"]] }),
    ].map(latin1);
    expect(parts.join("")).toBe(
      "POST / HTTP/1.1\r\nHost: example.com\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nx-sum: 1\r\n\r\n",
    );
  });

  it("sends no framing header for bodiless methods and chunked for unknown-length bodies", () => {
    expect(head()).toBe("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
    expect(head({ method: "POST" })).toContain("transfer-encoding: chunked");
    expect(head({ method: "POST", contentLength: 0 })).toContain("content-length: 0");
    expect(head({ method: "GET", contentLength: 0 })).not.toContain("content-length");
    const conn = new ClientConnection();
    conn.send(request());
    expect(() => conn.send({ type: "data", data: enc.encode("x") })).toThrow(/no body/);
  });

  it("uses the caller's own framing header and enforces it", () => {
    const conn = new ClientConnection();
    conn.send(
      request({
        method: "PUT",
        headers: [
          ["Host", "a"],
          ["Content-Length", "3"],
        ],
      }),
    );
    expect(() => conn.send({ type: "data", data: enc.encode("abcd") })).toThrow(
      expect.objectContaining({ code: "BODY_TOO_LONG" }),
    );
    conn.send({ type: "data", data: enc.encode("ab") });
    expect(() => conn.send({ type: "end" })).toThrow(
      expect.objectContaining({ code: "BODY_TOO_SHORT" }),
    );

    const te = new ClientConnection();
    const bytes = latin1(
      te.send(
        request({
          method: "PUT",
          headers: [
            ["Host", "a"],
            ["Transfer-Encoding", "chunked"],
          ],
        }),
      ),
    );
    expect(bytes.match(/transfer-encoding/gi)).toHaveLength(1);
    for (const headers of [
      [
        ["Host", "a"],
        ["Transfer-Encoding", "gzip"],
      ],
      [
        ["Host", "a"],
        ["Transfer-Encoding", "chunked"],
        ["Content-Length", "1"],
      ],
      [
        ["Host", "a"],
        ["Content-Length", "+1"],
      ],
      [
        ["Host", "a"],
        ["Content-Length", "1"],
        ["Content-Length", "2"],
      ],
    ] as [string, string][][]) {
      expect(() => new ClientConnection().send(request({ method: "PUT", headers }))).toThrow(
        LocalProtocolError,
      );
    }
  });

  it("refuses trailers without chunked framing and framing fields as trailers", () => {
    const conn = new ClientConnection();
    conn.send(request({ method: "POST", contentLength: 0 }));
    expect(() => conn.send({ type: "end", trailers: [["x", "y"]] })).toThrow(LocalProtocolError);
    const chunked = new ClientConnection();
    chunked.send(request({ method: "POST", contentLength: null }));
    expect(() => chunked.send({ type: "end", trailers: [["Content-Length", "5"]] })).toThrow(
      LocalProtocolError,
    );
    expect(() => chunked.send({ type: "end", trailers: [["x", "a\r\nb"]] })).toThrow(
      LocalProtocolError,
    );
  });

  it("refuses sends out of order", () => {
    const conn = new ClientConnection();
    expect(() => conn.send({ type: "data", data: enc.encode("x") })).toThrow(
      expect.objectContaining({ code: "INVALID_STATE" }),
    );
    expect(() => conn.send({ type: "end" })).toThrow(LocalProtocolError);
    conn.send(request());
    expect(() => conn.send(request())).toThrow(expect.objectContaining({ code: "INVALID_STATE" }));
    expect(() => conn.send({ type: "bogus" } as never)).toThrow(
      expect.objectContaining({ code: "INVALID_EVENT" }),
    );
  });

  it("tracks Expect: 100-continue until the server answers or the body starts", () => {
    const conn = new ClientConnection();
    conn.send(
      request({
        method: "PUT",
        contentLength: 1,
        headers: [
          ["Host", "a"],
          ["Expect", "100-continue"],
        ],
      }),
    );
    expect(conn.waitingFor100Continue).toBe(true);
    conn.receiveData(enc.encode("HTTP/1.1 100 Continue\r\n\r\n"));
    expect(conn.nextEvent()).toMatchObject({ type: "informational", status: 100 });
    expect(conn.waitingFor100Continue).toBe(false);

    const eager = new ClientConnection();
    eager.send(
      request({
        method: "PUT",
        contentLength: 1,
        headers: [
          ["Host", "a"],
          ["Expect", "100-continue"],
        ],
      }),
    );
    eager.send({ type: "data", data: enc.encode("x") });
    expect(eager.waitingFor100Continue).toBe(false);

    const refused = new ClientConnection();
    refused.send(
      request({
        method: "PUT",
        contentLength: 1,
        headers: [
          ["Host", "a"],
          ["Expect", "100-continue"],
        ],
      }),
    );
    refused.receiveData(enc.encode("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n"));
    expect(refused.nextEvent()).toMatchObject({ type: "response", status: 417 });
    expect(refused.waitingFor100Continue).toBe(false);
  });
});

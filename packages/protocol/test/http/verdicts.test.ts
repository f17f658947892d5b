// Same bytes, same verdict (issue 22 §1): the first offending byte decides, and
// a limit crossed before the first malformed byte is the limit's error, however
// the bytes are split.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verdict } from "./drive.ts";

const a = (n: number) => "a".repeat(n);
const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
const responseEvent = { type: "response", status: 200 };

describe("a limit crossed before the first malformed byte wins", () => {
  it("issue 22: a 1xx head with 102,400 'a's then a bare LF is HEADERS_TOO_LARGE", () => {
    const wire =
      "HTTP/1.1 100 Continue\r\n" +
      `X-Big: ${a(102_400)}\n` +
      "Content-Type: text/plain; charset=utf-8\r\n" +
      "Connection: CLOSE\r\n\r\n" +
      "HTTP/1.1 587 Whatever\r\nconteNT-LenGtH: \xa026\r\n\r\n";
    expect(verdict(wire)).toEqual({ events: [], code: "HEADERS_TOO_LARGE" });
  });

  it("a trailer section over 64 KiB with a bare LF beyond the limit", () => {
    const wire = `${chunked}1\r\nz\r\n0\r\nX-T: ${a(70_000)}\nX-U: 1\r\n\r\n`;
    const out = verdict(wire);
    expect(out.code).toBe("HEADERS_TOO_LARGE");
    expect(out.events).toMatchObject([responseEvent, { type: "data", data: "z" }]);
  });

  it("a chunk-size line over 4 KiB with a malformed byte beyond the limit", () => {
    for (const bad of ["\n", "\x01", "\r", " x"]) {
      const out = verdict(`${chunked}1;x=${a(5000)}${bad}${a(10)}\r\nz\r\n0\r\n\r\n`);
      expect(out.code, JSON.stringify(bad)).toBe("CHUNK_LINE_TOO_LONG");
      expect(out.events).toMatchObject([responseEvent]);
    }
  });

  it("a status line over 8 KiB with a control byte beyond the limit", () => {
    expect(verdict(`HTTP/1.1 200 ${a(9000)}\x00\r\n\r\n`).code).toBe("START_LINE_TOO_LONG");
  });
});

describe("a malformed byte before the limit wins", () => {
  it("in a head", () => {
    for (const [bad, code] of [
      ["\x01", "INVALID_HEADER_VALUE"],
      ["\r", "INVALID_HEADER_VALUE"],
    ] as const) {
      const wire = `HTTP/1.1 200 OK\r\nX-Big: a${bad}${a(102_400)}\r\n\r\n`;
      expect(verdict(wire).code, JSON.stringify(bad)).toBe(code);
    }
    expect(verdict(`HTTP/1.1 200 OK\r\nX Big: ${a(102_400)}\r\n\r\n`).code).toBe(
      "INVALID_HEADER_NAME",
    );
  });

  it("in a trailer section", () => {
    const out = verdict(`${chunked}0\r\nX-T: a\x7f${a(70_000)}\r\n\r\n`);
    expect(out.code).toBe("INVALID_HEADER_VALUE");
  });

  it("in a chunk-size line", () => {
    expect(verdict(`${chunked}1 x${a(5000)}\r\nz\r\n0\r\n\r\n`).code).toBe("INVALID_CHUNK_SIZE");
    expect(verdict(`${chunked}1;=${a(5000)}\r\nz\r\n0\r\n\r\n`).code).toBe(
      "INVALID_CHUNK_EXTENSION",
    );
  });

  it("in a status line", () => {
    expect(verdict(`HTTP/1.1 200 a\x01${a(9000)}\r\n\r\n`).code).toBe("INVALID_STATUS_LINE");
    expect(verdict(`HTTP/2.1 200 ${a(9000)}\r\n\r\n`).code).toBe("INVALID_VERSION");
  });

  it("when the peer closes in the middle of the line", () => {
    expect(verdict("HTTP/1.1 200 OK\r\nX: a\x01b").code).toBe("INVALID_HEADER_VALUE");
    expect(verdict(`${chunked}1;a="\x01`).code).toBe("INVALID_CHUNK_EXTENSION");
    expect(verdict("HTTP/1.1 200 OK\r\nX: ab").code).toBe("INCOMPLETE_MESSAGE");
  });
});

describe("lines exactly at their limit", () => {
  const options = { maxHeaderBytes: 64, maxStartLineBytes: 20, maxChunkLineBytes: 10 };

  it("a status line of exactly maxStartLineBytes is accepted, one more byte is not", () => {
    const line = (n: number) => `HTTP/1.1 200 ${a(n - 13)}\r\n`;
    expect(verdict(`${line(20)}Content-Length: 0\r\n\r\n`, { options }).code).toBeUndefined();
    expect(verdict(`${line(21)}Content-Length: 0\r\n\r\n`, { options }).code).toBe(
      "START_LINE_TOO_LONG",
    );
  });

  it("a chunk-size line of exactly maxChunkLineBytes is accepted, one more byte is not", () => {
    const body = (n: number) =>
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${a(n - 2)}\r\nz\r\n0\r\n\r\n`;
    expect(verdict(body(10), { options: { maxChunkLineBytes: 10 } }).code).toBeUndefined();
    expect(verdict(body(11), { options: { maxChunkLineBytes: 10 } }).code).toBe(
      "CHUNK_LINE_TOO_LONG",
    );
  });

  it("a head of exactly maxHeaderBytes is accepted, one more byte is not", () => {
    const head = (n: number) => {
      const start = "HTTP/1.1 204 OK\r\nX: ";
      return `${start}${a(n - start.length - 4)}\r\n\r\n`;
    };
    expect(head(64)).toHaveLength(64);
    expect(verdict(head(64), { options }).code).toBeUndefined();
    expect(verdict(head(65), { options }).code).toBe("HEADERS_TOO_LARGE");
    // A bare CR just past the limit: the limit came first. A bare CR that is
    // itself the first byte past the limit: the malformed byte wins the tie.
    const fields = head(64).slice(0, -2); // 62 bytes, up to the last field's CRLF
    expect(verdict(`${fields}Y:a\rx\r\n\r\n`, { options }).code).toBe("HEADERS_TOO_LARGE");
    expect(verdict(`${fields}Y:\rx\r\n\r\n`, { options }).code).toBe("INVALID_HEADER_VALUE");
    expect(verdict(`${fields}Y:\r\n\r\n`, { options }).code).toBe("HEADERS_TOO_LARGE");
  });
});

describe("any bytes near the limits", () => {
  // Small limits and an alphabet of the bytes that matter (line ends, separators,
  // control bytes, digits), so random heads, chunk lines and trailers hit every
  // limit and every malformation, in every order.
  const alphabet = ["a", "1", ":", " ", ";", "=", '"', "\r", "\n", "\r\n", "\x01", "\x80"];
  const piece = fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).map((p) => p.join(""));
  const options = {
    maxHeaderBytes: 48,
    maxStartLineBytes: 20,
    maxChunkLineBytes: 12,
    maxHeaderCount: 3,
  };

  it("reach one verdict for every split", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          "",
          "HTTP/1.1 200 ",
          "HTTP/1.1 103 Hints\r\nA: b\r\n\r\nHTTP/1.1 200 OK\r\n",
          chunked,
          `${chunked}1\r\nz\r\n0\r\n`,
        ),
        piece,
        piece,
        (prefix, one, two) => {
          verdict(`${prefix}${one}\r\n${two}`, { options });
        },
      ),
      { numRuns: 300, seed: 22 },
    );
  });
});

// Boundaries the README documents, and framing strictness, each checked with the
// input fed whole and byte by byte (the verdict must not depend on the split).
import { describe, expect, it } from "vitest";
import { bytesOf, drive, type Outcome } from "./drive.ts";

function both(text: string, opts: Parameters<typeof drive>[1] = {}): Outcome[] {
  const bytes = bytesOf(text);
  return [
    drive([bytes], opts),
    drive(
      Array.from(bytes, (b) => Uint8Array.of(b)),
      opts,
    ),
  ];
}
const codes = (text: string, opts: Parameters<typeof drive>[1] = {}) =>
  both(text, opts).map((o) => o.error?.code);

describe("status code boundaries (README: any three digits, 100-999)", () => {
  it("accepts 100 and 999, refuses two digits, 099 and four digits", () => {
    for (const out of both("HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n")) {
      expect(out.error).toBeUndefined();
      expect(out.events[0]).toMatchObject({ type: "response", status: 999 });
    }
    for (const out of both("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No\r\n\r\n")) {
      expect(out.error).toBeUndefined();
      expect(out.events[0]).toMatchObject({ type: "informational", status: 100 });
    }
    for (const line of ["HTTP/1.1 1000 OK", "HTTP/1.1 99 OK", "HTTP/1.1 099 OK"])
      expect(codes(`${line}\r\n\r\n`), line).toEqual([
        "INVALID_STATUS_CODE",
        "INVALID_STATUS_CODE",
      ]);
  });
});

describe("Content-Length boundaries (README: at most 15 digits)", () => {
  it("accepts 15 digits and refuses 16", () => {
    const fifteen = "999999999999999";
    for (const out of both(`HTTP/1.1 200 OK\r\nContent-Length: ${fifteen}\r\n\r\n`))
      expect(out.error).toBeUndefined();
    for (const value of [`${fifteen}9`, "0000000000000001"])
      expect(codes(`HTTP/1.1 200 OK\r\nContent-Length: ${value}\r\n\r\n`), value).toEqual([
        "INVALID_CONTENT_LENGTH",
        "INVALID_CONTENT_LENGTH",
      ]);
  });
});

describe("Transfer-Encoding strictness (RFC 9112 §7)", () => {
  it("refuses chunked with parameters or a stray semicolon", () => {
    for (const value of ["chunked;", "chunked ;x", "chunked; a=b", "gzip, chunked;"])
      expect(
        codes(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${value}\r\n\r\n0\r\n\r\n`),
        value,
      ).toEqual(["INVALID_TRANSFER_ENCODING", "INVALID_TRANSFER_ENCODING"]);
  });
});

describe("Content-Length beside Transfer-Encoding (RFC 9112 §6.3)", () => {
  it("refuses the response whichever field comes first", () => {
    for (const head of [
      "Content-Length: 2\r\nTransfer-Encoding: chunked",
      "Transfer-Encoding: chunked\r\nContent-Length: 2",
      "Transfer-Encoding: gzip\r\nContent-Length: 2",
    ])
      expect(codes(`HTTP/1.1 200 OK\r\n${head}\r\n\r\n2\r\nok\r\n0\r\n\r\n`), head).toEqual([
        "INVALID_TRANSFER_ENCODING",
        "INVALID_TRANSFER_ENCODING",
      ]);
  });
});

describe("obs-fold in framing fields (RFC 9112 §5.2)", () => {
  it("refuses a fold inside Content-Length or Transfer-Encoding", () => {
    for (const head of [
      "Content-Length:\r\n 2",
      "Content-Length: 2\r\n \r\n",
      "Transfer-Encoding: gzip,\r\n chunked",
      "transfer-encoding:\r\n\tchunked",
    ])
      expect(codes(`HTTP/1.1 200 OK\r\n${head}\r\n\r\n2\r\nok\r\n0\r\n\r\n`), head).toEqual([
        "INVALID_OBS_FOLD",
        "INVALID_OBS_FOLD",
      ]);
  });

  it("still unfolds other fields", () => {
    for (const out of both("HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok")) {
      expect(out.error).toBeUndefined();
      expect(out.events[0]).toMatchObject({
        headers: [
          ["X-A", "a b"],
          ["Content-Length", "2"],
        ],
      });
      expect(out.events[1]).toEqual({ type: "data", data: "ok" });
    }
  });
});

describe("interim responses (README: at most maxInformationalResponses, default 100)", () => {
  const interim = (n: number) => "HTTP/1.1 102 Processing\r\n\r\n".repeat(n);
  const final = "HTTP/1.1 204 No Content\r\n\r\n";

  it("accepts 100 interim heads before the final response and refuses the 101st", () => {
    for (const out of both(interim(100) + final)) {
      expect(out.error).toBeUndefined();
      expect(out.events).toHaveLength(102);
      expect(out.events[100]).toMatchObject({ type: "response", status: 204 });
    }
    expect(codes(interim(101) + final)).toEqual([
      "TOO_MANY_INFORMATIONAL_RESPONSES",
      "TOO_MANY_INFORMATIONAL_RESPONSES",
    ]);
  });

  it("follows the option and counts per request", () => {
    const options = { maxInformationalResponses: 2 };
    expect(codes(interim(3) + final, { options })).toEqual([
      "TOO_MANY_INFORMATIONAL_RESPONSES",
      "TOO_MANY_INFORMATIONAL_RESPONSES",
    ]);
    const out = drive([bytesOf(interim(2) + final)], { options });
    expect(out.error).toBeUndefined();
    out.conn.startNextCycle();
    out.conn.send({ type: "request", method: "GET", target: "/", headers: [["host", "a"]] });
    out.conn.send({ type: "end" });
    out.conn.receiveData(bytesOf(interim(2) + final));
    const statuses = [1, 2, 3].map(() => (out.conn.nextEvent() as { status: number }).status);
    expect(statuses).toEqual([102, 102, 204]);
  });
});

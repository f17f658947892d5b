// h11, Go net/http and http-parser response cases (vendored in test/fixtures),
// replayed whole, split in two everywhere and byte by byte.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ClientConnection,
  LocalProtocolError,
  ProtocolError,
  type RequestEvent,
} from "../../src/index.ts";
import { bytesOf, drive, GET, latin1, splits } from "./drive.ts";

const fixture = (path: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8"));

const enc = new TextEncoder();
const toBytes = (text: string) => bytesOf(text); // fixtures are latin1 transcriptions

interface H11Case {
  kind: string;
  name: string;
  input?: string;
  expect?: unknown;
  body_only?: boolean;
  content_length?: number;
  framing?: string;
  then_eof?: boolean;
  note?: string;
  events?: unknown;
  expect_bytes?: string;
  cases?: {
    headers?: [string, string][];
    content_length?: number;
    events?: Record<string, unknown>[];
    expect: unknown;
  }[];
}

/** h11 accepts these; RFC 9112 lets a recipient refuse them and llhttp's strict mode does, as do we. */
const H11_DIFFERENCES: Record<string, string> = {
  "LF-only head (lenient)":
    "bare LF line ends refused (RFC 9112 §2.2 MAY accept; llhttp strict refuses)",
  "mixed CRLF/LF head (lenient)":
    "bare LF line ends refused (RFC 9112 §2.2 MAY accept; llhttp strict refuses)",
  "bare LF then CRLF end of head (lenient)":
    "bare LF line ends refused (RFC 9112 §2.2 MAY accept; llhttp strict refuses)",
  "chunked: trailing whitespace after size tolerated":
    "RFC 9112 §7.1 allows whitespace only before ';' of a chunk extension; llhttp strict refuses",
};

const h11: H11Case[] = fixture("h11/cases.json");

function headFor(c: H11Case): string {
  if (c.framing === "eof") return "HTTP/1.1 200 OK\r\n\r\n";
  if (c.content_length !== undefined)
    return `HTTP/1.1 200 OK\r\nContent-Length: ${c.content_length}\r\n\r\n`;
  return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
}

describe("h11 cases", () => {
  for (const c of h11.filter((x) => x.kind === "read")) {
    it(c.name, () => {
      const head = c.body_only ? headFor(c) : "";
      const wantsUpgrade = (c.expect as { status?: number })?.status === 101;
      const request = wantsUpgrade
        ? GET([
            ["Upgrade", "websocket"],
            ["Connection", "Upgrade"],
          ])
        : GET();
      // A head-level error case without a note about early detection may need the EOF to show.
      const eof =
        c.then_eof ??
        (c.expect === "error" && !c.body_only && !c.note?.includes("before any CRLF"));
      for (const chunks of splits(toBytes(head + c.input!))) {
        const out = drive(chunks, { request, eof });
        if (H11_DIFFERENCES[c.name] !== undefined) {
          expect(out.error).toBeInstanceOf(ProtocolError);
          continue;
        }
        if (c.expect === "error") {
          expect(out.error, c.note).toBeInstanceOf(ProtocolError);
          continue;
        }
        expect(out.error, out.error?.message).toBeUndefined();
        const want = c.expect as Record<string, unknown>;
        const first = out.events[0]!;
        if (!c.body_only) {
          const type = want.informational ? "upgrade" : "response";
          expect(first.type).toBe(type);
          const headEvent = first as {
            status: number;
            reason: string;
            version: string;
            headers: unknown;
          };
          expect(headEvent.status).toBe(want.status);
          if (want.reason !== undefined) expect(headEvent.reason).toBe(want.reason);
          if (want.version !== undefined) expect(headEvent.version).toBe(want.version);
          expect(headEvent.headers).toEqual(want.headers);
          continue;
        }
        const body = out.events
          .filter((e) => e.type === "data")
          .map((e) => (e as { data: string }).data)
          .join("");
        expect(body).toBe(want.body);
        const end = out.events.find((e) => e.type === "end");
        if (want.complete === false) expect(end).toBeUndefined();
        else expect(end).toBeDefined();
        if (want.trailers !== undefined)
          expect((end as { trailers: unknown }).trailers).toEqual(want.trailers);
      }
    });
  }

  it("the chunk-size limit holds before any overflow (h11 caps at 20 hex digits)", () => {
    const out = drive([
      toBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20000000000000\r\n"),
    ]);
    expect(out.error?.code).toBe("CHUNK_SIZE_TOO_LARGE");
  });

  for (const c of h11.filter((x) => x.kind === "write")) {
    it(`write: ${c.name}`, () => {
      const conn = new ClientConnection();
      const events = Array.isArray(c.events)
        ? (c.events as Record<string, unknown>[])
        : [{ request: c.events }];
      const headOnly = events.length === 1 && events[0]!.request !== undefined;
      if (events[0]!.request === undefined) {
        // Writer-level case: put the connection in chunked body state first.
        conn.send({
          type: "request",
          method: "POST",
          target: "/",
          headers: [["Host", "x"]],
          contentLength: null,
        });
      }
      let head = "";
      let body = "";
      for (const e of events) {
        if (e.request !== undefined)
          head = latin1(conn.send({ type: "request", ...(e.request as object) } as RequestEvent));
        else if (e.data !== undefined)
          body += latin1(conn.send({ type: "data", data: enc.encode(e.data as string) }));
        else if (e.end)
          body += latin1(conn.send({ type: "end", trailers: e.trailers as [string, string][] }));
      }
      expect(headOnly ? head : body).toBe(c.expect_bytes);
    });
  }

  for (const group of h11.filter((x) => x.kind === "write-error")) {
    it(`write errors: ${group.name}`, () => {
      for (const sub of group.cases!) {
        const conn = new ClientConnection();
        conn.send({
          type: "request",
          method: "POST",
          target: "/",
          headers: [["Host", "x"]],
          contentLength: sub.content_length!,
        });
        expect(() => {
          for (const e of sub.events!) {
            if (e.data !== undefined)
              conn.send({ type: "data", data: enc.encode(e.data as string) });
            else conn.send({ type: "end", trailers: e.trailers as [string, string][] });
          }
        }).toThrow(LocalProtocolError);
      }
    });
  }

  for (const group of h11.filter((x) => x.kind === "header-validation")) {
    it(`header validation: ${group.name}`, () => {
      for (const sub of group.cases!) {
        const send = () =>
          new ClientConnection().send({
            type: "request",
            method: "GET",
            target: "/",
            headers: [["Host", "x"], ...sub.headers!],
          });
        if (typeof sub.expect === "string" && sub.expect.startsWith("error"))
          expect(send, JSON.stringify(sub)).toThrow(LocalProtocolError);
        else expect(send, JSON.stringify(sub)).not.toThrow();
      }
    });
  }
});

interface GoCase {
  name: string;
  input: string;
  expect: string;
}

/** Go's ReadResponse is lenient where RFC 9110/9112 let us refuse. */
const GO_DIFFERENCES: Record<string, string> = {
  "HTTP/1.1 000 OK": "status codes are 100-599 (RFC 9110 §15); below 100 is refused",
  "HTTP/1.1 001 OK": "status codes are 100-599 (RFC 9110 §15); below 100 is refused",
  "HTTP/1.2 200 OK": "accepted (a higher 1.x minor is read as 1.1, RFC 9112 §2.3) — same as Go",
  "HTTP/2.0 200 OK": "HTTP/2 is not HTTP/1.x message syntax; refused",
};

describe("Go net/http ReadResponse cases", () => {
  const goCases: GoCase[] = fixture("go-net-http/read-response-errors.json");
  for (const c of goCases) {
    it(c.name, () => {
      const firstLine = c.input.split("\r\n")[0]!;
      for (const chunks of splits(enc.encode(c.input))) {
        const out = drive(chunks, { eof: "if-incomplete", firstResponseOnly: true });
        const refusedByUs =
          firstLine === "HTTP/1.1 000 OK" ||
          firstLine === "HTTP/1.1 001 OK" ||
          firstLine === "HTTP/2.0 200 OK";
        if (GO_DIFFERENCES[firstLine] !== undefined && refusedByUs) {
          expect(out.error).toBeInstanceOf(ProtocolError);
        } else if (c.expect === "ok") {
          expect(out.error, `${out.error?.code} ${out.error?.message}`).toBeUndefined();
          expect(out.events[0]?.type).toBe("response");
        } else {
          expect(out.error, c.expect).toBeInstanceOf(ProtocolError);
        }
      }
    });
  }
});

interface HttpParserCase {
  name: string;
  raw: string;
  should_keep_alive: boolean;
  message_complete_on_eof: boolean;
  status_code: number;
  response_status: string;
  headers: [string, string][];
  body: string;
  upgrade?: string;
  http_major: number;
  http_minor: number;
}

/** Where the old http-parser's acceptance differs from RFC 9112 strictness (shared with llhttp strict mode). */
const HTTP_PARSER_DIFFERENCES: Record<string, string> = {
  "no carriage ret": "bare LF line ends refused, as llhttp strict does",
  "http version 0.9": "HTTP/0.9 has no status line",
  "200 trailing space on chunked body":
    "whitespace after a chunk size refused, as llhttp strict does",
  "field space": "whitespace inside a field name refused (RFC 9112 §5.1), as llhttp strict does",
};

describe("http-parser response table", () => {
  const table: HttpParserCase[] = fixture("http-parser/responses.json");
  for (const c of table) {
    it(c.name, () => {
      const request = c.upgrade
        ? GET([
            ["Connection", "upgrade"],
            ["Upgrade", "h2c"],
          ])
        : c.name.includes("HEAD")
          ? { ...GET(), method: "HEAD" }
          : GET();
      for (const chunks of splits(toBytes(c.raw))) {
        const out = drive(chunks, { request, eof: c.message_complete_on_eof });
        if (HTTP_PARSER_DIFFERENCES[c.name] !== undefined) {
          expect(out.error).toBeInstanceOf(ProtocolError);
          continue;
        }
        expect(out.error, `${out.error?.code} ${out.error?.message}`).toBeUndefined();
        const head = out.events[0] as {
          status: number;
          reason: string;
          headers: [string, string][];
          version: string;
        };
        expect(head.status).toBe(c.status_code);
        expect(head.reason).toBe(c.response_status);
        expect(head.version).toBe(`${c.http_major}.${c.http_minor}`);
        expect(head.headers.map(([n, v]) => [n, v])).toEqual(
          c.headers.map(([n, v]) => [n, v.trim()]),
        );
        if (!c.upgrade) {
          const body = out.events
            .filter((e) => e.type === "data")
            .map((e) => (e as { data: string }).data)
            .join("");
          expect(body).toBe(c.body);
          expect(out.events.at(-1)?.type).toBe("end");
          // http-parser honoured the non-standard Proxy-Connection; RFC 9112 knows only Connection.
          if (c.name !== "proxy connection") expect(out.conn.keepAlive).toBe(c.should_keep_alive);
        } else {
          expect(out.events[0]?.type).toBe("upgrade");
        }
      }
    });
  }
});

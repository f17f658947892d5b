import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../src/bytes.ts";
import {
  ClientConnection,
  type HeaderList,
  NEED_DATA,
  ProtocolError,
  type RequestEvent,
  ServerConnection,
} from "../../src/index.ts";
import { cutModulo } from "../splittings.ts";
import { drive, latin1 } from "./drive.ts";

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const fieldValue = fc.stringMatching(
  /^[\x21-\x7e\x80-\xff]([\x20-\x7e\x80-\xff\t]{0,20}[\x21-\x7e\x80-\xff])?$/,
);
const reserved = /^(content-length|transfer-encoding|connection|host|upgrade|expect|te|trailer)$/i;
const extraHeaders = fc
  .array(fc.tuple(token, fieldValue), { maxLength: 6 })
  .map((pairs) => pairs.filter(([name]) => !reserved.test(name))) as fc.Arbitrary<HeaderList>;
const bodyPieces = fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 5 });

const cut = cutModulo;

const concat = concatBytes;

/** A server response serialized by ServerConnection for a GET, with the framing it picks. */
const responseArb = fc
  .record({
    status: fc.constantFrom(200, 201, 204, 206, 301, 304, 404, 500, 599),
    reason: fc.stringMatching(/^[A-Za-z ]{0,12}$/).map((r) => r.trim()),
    headers: extraHeaders,
    pieces: bodyPieces,
    framing: fc.constantFrom("length", "chunked"),
    trailers: extraHeaders,
    interim: fc.array(fc.constantFrom(100, 102, 103), { maxLength: 2 }),
  })
  .map((r) => {
    const client = new ClientConnection();
    const server = new ServerConnection();
    server.receiveData(
      client.send({ type: "request", method: "GET", target: "/", headers: [["host", "x"]] }),
    );
    client.send({ type: "end" });
    server.nextEvent();
    server.nextEvent();
    const wire: Uint8Array[] = r.interim.map((status) =>
      server.send({ type: "informational", status, reason: "Info", headers: [] }),
    );
    const bodyless = r.status === 204 || r.status === 304;
    const length = r.pieces.reduce((n, p) => n + p.length, 0);
    wire.push(
      server.send({
        type: "response",
        status: r.status,
        reason: r.reason,
        headers: r.headers,
        contentLength: r.framing === "length" ? length : null,
      }),
    );
    if (!bodyless) for (const p of r.pieces) wire.push(server.send({ type: "data", data: p }));
    const chunked = !bodyless && r.framing === "chunked";
    wire.push(server.send({ type: "end", trailers: chunked ? r.trailers : undefined }));
    return {
      ...r,
      bytes: concat(wire),
      body: bodyless ? "" : latin1(concat(r.pieces)),
      chunked,
      bodyless,
    };
  });

describe("properties", () => {
  it("events never depend on how the bytes were split", () => {
    fc.assert(
      fc.property(responseArb, fc.array(fc.nat(), { maxLength: 12 }), (r, offsets) => {
        const whole = drive([r.bytes]);
        const pieces = drive(cut(r.bytes, offsets));
        expect(whole.error).toBeUndefined();
        expect(pieces.events).toEqual(whole.events);
      }),
      { numRuns: 300 },
    );
  });

  it("server serializer → client parser round-trips status, fields, body and trailers", () => {
    fc.assert(
      fc.property(responseArb, (r) => {
        const out = drive([r.bytes]);
        expect(out.error).toBeUndefined();
        const interim = out.events.filter((e) => e.type === "informational");
        expect(interim.map((e) => (e as { status: number }).status)).toEqual(r.interim);
        const head = out.events.find((e) => e.type === "response") as {
          status: number;
          reason: string;
          headers: HeaderList;
        };
        expect(head.status).toBe(r.status);
        expect(head.reason).toBe(r.reason);
        expect(head.headers.slice(0, r.headers.length)).toEqual(r.headers);
        const body = out.events
          .filter((e) => e.type === "data")
          .map((e) => (e as { data: string }).data)
          .join("");
        expect(body).toBe(r.body);
        const end = out.events.at(-1) as { type: string; trailers: HeaderList };
        expect(end.type).toBe("end");
        expect(end.trailers).toEqual(r.chunked ? r.trailers : []);
        expect(out.conn.reusable).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("client serializer → server parser round-trips requests", () => {
    const requestArb = fc.record({
      method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "X-CUSTOM"),
      target: fc.stringMatching(/^\/[A-Za-z0-9/?=&%._~-]{0,30}$/),
      headers: extraHeaders,
      pieces: bodyPieces,
      known: fc.boolean(),
    });
    fc.assert(
      fc.property(requestArb, fc.array(fc.nat(), { maxLength: 8 }), (r, offsets) => {
        const client = new ClientConnection();
        const length = r.pieces.reduce((n, p) => n + p.length, 0);
        const event: RequestEvent = {
          type: "request",
          method: r.method,
          target: r.target,
          headers: [["Host", "h"], ...r.headers],
          contentLength: r.known ? length : null,
        };
        const wire = [
          client.send(event),
          ...r.pieces.map((p) => client.send({ type: "data", data: p })),
          client.send({ type: "end" }),
        ];
        const server = new ServerConnection();
        const got: { head?: unknown; body: string; ended: boolean } = { body: "", ended: false };
        for (const chunk of cut(concat(wire), offsets)) {
          server.receiveData(chunk);
          for (let ev = server.nextEvent(); ev !== NEED_DATA; ev = server.nextEvent()) {
            if (ev.type === "request") got.head = ev;
            else if (ev.type === "data") got.body += latin1(ev.data);
            else if (ev.type === "end") {
              got.ended = true;
              break;
            }
          }
        }
        expect(got.head).toMatchObject({ method: r.method, target: r.target, version: "1.1" });
        expect(
          (got.head as { headers: HeaderList }).headers.slice(0, r.headers.length + 1),
        ).toEqual(event.headers);
        expect(got.body).toBe(latin1(concat(r.pieces)));
        expect(got.ended).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("random bytes produce events or a ProtocolError, never anything else", () => {
    const prefix = fc.constantFrom(
      "",
      "HTTP/1.1 200 OK\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\n",
    );
    const noise = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc
        .array(fc.constantFrom(...'HTTP/1.0 2\r\n:;=" \t0a-xzZ\x00\x80\xff'), { maxLength: 200 })
        .map((cs) => Uint8Array.from(cs, (c) => c.charCodeAt(0))),
    );
    fc.assert(
      fc.property(
        prefix,
        noise,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (p, bytes, offsets, eof) => {
          const all = concat([Uint8Array.from(p, (c) => c.charCodeAt(0)), bytes]);
          try {
            const out = drive(cut(all, offsets), { eof });
            if (out.error !== undefined) expect(out.error).toBeInstanceOf(ProtocolError);
          } catch (error) {
            throw new Error(`non-protocol exception: ${String(error)}`);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

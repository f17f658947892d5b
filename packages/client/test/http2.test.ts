// The `http2` session option against node:http2 servers on 127.0.0.1 (TLS,
// ALPN): requests and bodies, many streams on one connection, the server's
// stream limit, aborts, GOAWAY, REFUSED_STREAM, the fall back to HTTP/1.1,
// and the layers above the wire (redirects, cookies, decompression, fetch)
// unchanged. The harness checks after each test that no socket stayed open.
import { constants } from "node:http2";
import { gzipSync } from "node:zlib";
import type { Transport } from "@reqivo/transport";
import { createTransport } from "@reqivo/transport-node";
import { describe, expect, it } from "vitest";
import {
  AbortError,
  BodyTimeoutError,
  BodyWriter,
  createFetch,
  HeadersTimeoutError,
  Http2StreamError,
  InvalidRequestError,
  TransportError,
} from "../src/index.ts";
import { readBody, serve, session } from "./harness.ts";
import { http2Server } from "./http2-servers.ts";
import { certs, httpsServer } from "./tls-servers.ts";

describe("HTTP/2 (the http2 option)", () => {
  it("GETs over h2 (httpVersion 2) and POSTs a body the server reads whole", async () => {
    const server = await http2Server(async (req, res) => {
      const body = await readBody(req as never);
      res.setHeader("x-seen", `${req.httpVersion} ${req.method} ${body.length}`);
      res.end(req.method === "POST" ? body : `hello ${req.url}`);
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const get = await s.get(`${server.url}/a?b=1`);
    expect([get.status, get.httpVersion, await get.text()]).toEqual([200, "2", "hello /a?b=1"]);
    expect(get.headers.get("x-seen")).toBe("2.0 GET 0");
    const post = await s.post(`${server.url}/echo`, { body: "x".repeat(100_000) });
    expect(post.headers.get("x-seen")).toBe("2.0 POST 100000");
    expect((await post.text()).length).toBe(100_000);
    expect(server.sessions()).toBe(1);
  });

  it("streams a 2 MiB request body through the server's windows and reads a 2 MiB answer", async () => {
    const server = await http2Server(async (req, res) => {
      const body = await readBody(req as never);
      res.end(body);
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const piece = new Uint8Array(64 * 1024).map((_, i) => i % 251);
    async function* chunks() {
      for (let i = 0; i < 32; i++) yield piece;
    }
    const res = await s.post(`${server.url}/echo`, { body: chunks() });
    const bytes = await res.bytes();
    expect(bytes.length).toBe(32 * piece.length);
    expect(bytes.subarray(5 * piece.length, 6 * piece.length)).toEqual(piece);
  });

  it("is full duplex: the answer streams back while the request body is still being written", async () => {
    const server = await http2Server((req, res) => {
      res.writeHead(200);
      req.on("data", (piece: Buffer) => res.write(piece.toString().toUpperCase()));
      req.on("end", () => res.end("!"));
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const writer = new BodyWriter();
    const pending = s.post(`${server.url}/duplex`, { body: writer });
    await writer.write("ping ");
    const res = await pending;
    const pieces = res[Symbol.asyncIterator]();
    const decoder = new TextDecoder();
    // The first echo arrives before the request body is finished.
    expect(decoder.decode((await pieces.next()).value)).toBe("PING ");
    await writer.write("pong");
    expect(decoder.decode((await pieces.next()).value)).toBe("PONG");
    writer.close();
    expect(decoder.decode((await pieces.next()).value)).toBe("!");
    expect((await pieces.next()).done).toBe(true);
  });

  it("carries 100 concurrent requests on one connection", async () => {
    const server = await http2Server((req, res) => {
      setTimeout(() => res.end(`r ${req.url}`), 10);
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const all = await Promise.all(
      Array.from({ length: 100 }, (_, i) => s.get(`${server.url}/${i}`).then((r) => r.text())),
    );
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => `r /${i}`));
    expect(server.sessions()).toBe(1);
    expect(server.accepted).toBe(1);
    // Held 10 ms each, they overlapped on the one connection.
    expect(server.peakStreams()).toBeGreaterThan(1);
  });

  it("joins what 100 requests opened at once say into a few transport writes, in order", async () => {
    const server = await http2Server((req, res) => {
      setTimeout(() => res.end(`w ${req.url}`), 10);
    });
    const inner = createTransport();
    let writes = 0;
    // Counts the client's writes on the connection (HEADERS, WINDOW_UPDATEs, ACKs).
    const counting: Transport = {
      name: inner.name,
      async connect(options) {
        const conn = await inner.connect(options);
        const write = conn.write.bind(conn);
        conn.write = (bytes) => {
          writes++;
          return write(bytes);
        };
        return conn;
      },
    };
    const s = session({ transport: counting, tls: { ca: server.ca }, http2: true });
    await (await s.get(`${server.url}/warm`)).text(); // the preface and SETTINGS go first
    const before = writes;
    const all = await Promise.all(
      Array.from({ length: 100 }, (_, i) => s.get(`${server.url}/${i}`).then((r) => r.text())),
    );
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => `w /${i}`));
    // One write per HEADERS frame would be 100; a write under way collects the rest.
    expect(writes - before).toBeLessThan(20);
    expect(server.sessions()).toBe(1);
  });

  it("never opens more streams than the server's SETTINGS_MAX_CONCURRENT_STREAMS", async () => {
    const server = await http2Server(
      (req, res) => {
        setTimeout(() => res.end(`r ${req.url}`), 20);
      },
      { settings: { maxConcurrentStreams: 2 } },
    );
    const s = session({ tls: { ca: server.ca }, http2: true });
    const all = await Promise.all(
      Array.from({ length: 9 }, (_, i) => s.get(`${server.url}/${i}`).then((r) => r.text())),
    );
    expect(all).toEqual(Array.from({ length: 9 }, (_, i) => `r /${i}`));
    expect(server.peakStreams()).toBeLessThanOrEqual(2);
  });

  it("maxStreamsPerConnection spreads streams over more connections, within pool.connections", async () => {
    // Answers wait until all 40 arrived (or 2 s passed): only four connections of 10 carry them.
    const held: (() => void)[] = [];
    const releaseAll = () => {
      for (const answer of held.splice(0)) answer();
    };
    const deadline = setTimeout(releaseAll, 2000);
    const server = await http2Server((req, res) => {
      held.push(() => res.end(`m ${req.url}`));
      if (held.length === 40) releaseAll();
    });
    const s = session({
      tls: { ca: server.ca },
      http2: { maxStreamsPerConnection: 10 },
      pool: { connections: 4 },
    });
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) => s.get(`${server.url}/${i}`).then((r) => r.text())),
    );
    clearTimeout(deadline);
    expect(all).toEqual(Array.from({ length: 40 }, (_, i) => `m /${i}`));
    // 40 at once, 10 a connection, at most 4 connections: all four, 10 streams each.
    expect([server.sessions(), server.peakStreams()]).toEqual([4, 10]);
  });

  it("maxStreamsPerConnection with one connection: the rest wait for a stream there", async () => {
    const server = await http2Server((req, res) => {
      setTimeout(() => res.end(`o ${req.url}`), 20);
    });
    const s = session({
      tls: { ca: server.ca },
      http2: { maxStreamsPerConnection: 3 },
      pool: { connections: 1 },
    });
    const all = await Promise.all(
      Array.from({ length: 12 }, (_, i) => s.get(`${server.url}/${i}`).then((r) => r.text())),
    );
    expect(all).toEqual(Array.from({ length: 12 }, (_, i) => `o /${i}`));
    expect([server.sessions(), server.peakStreams()]).toEqual([1, 3]);
  });

  it("with one connection allowed, requests beyond the stream limit queue for a stream", async () => {
    const server = await http2Server(
      (req, res) => {
        setTimeout(() => res.end(`q ${req.url}`), 20);
      },
      { settings: { maxConcurrentStreams: 2 } },
    );
    const s = session({ tls: { ca: server.ca }, http2: true, pool: { connections: 1 } });
    const all = await Promise.all(
      Array.from({ length: 7 }, (_, i) => s.get(`${server.url}/${i}`).then((r) => r.text())),
    );
    expect(all).toEqual(Array.from({ length: 7 }, (_, i) => `q /${i}`));
    expect([server.sessions(), server.peakStreams()]).toEqual([1, 2]);
  });

  it("a request aborted while it waits for a stream leaves the connection to the others", async () => {
    let release: (() => void) | undefined;
    const server = await http2Server(
      (req, res) => {
        if (req.url === "/hold") {
          release = () => res.end("held");
          return;
        }
        res.end(`ok ${req.url}`);
      },
      { settings: { maxConcurrentStreams: 1 } },
    );
    const s = session({ tls: { ca: server.ca }, http2: true, pool: { connections: 1 } });
    // The server's SETTINGS are in before the test starts relying on its limit.
    expect(await (await s.get(`${server.url}/warm`)).text()).toBe("ok /warm");
    const held = s.get(`${server.url}/hold`);
    await expect.poll(() => release !== undefined).toBe(true);
    const controller = new AbortController();
    const queued = s.get(`${server.url}/queued`, { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(AbortError);
    release?.();
    expect(await (await held).text()).toBe("held");
    expect(await (await s.get(`${server.url}/after`)).text()).toBe("ok /after");
    expect(server.sessions()).toBe(1);
  });

  it("passes 1xx heads to onInformational and sends an expectContinue body at once", async () => {
    const server = await http2Server(async (req, res) => {
      res.writeEarlyHints({ link: "</style.css>; rel=preload" });
      const body = await readBody(req as never);
      res.end(`got ${body} expect=${req.headers.expect ?? "none"}`);
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const hints: [number, string | null][] = [];
    const res = await s.post(`${server.url}/`, {
      body: "data",
      expectContinue: true,
      onInformational: (status, headers) => hints.push([status, headers.get("link")]),
    });
    expect(await res.text()).toBe("got data expect=none");
    expect(hints).toEqual([[103, "</style.css>; rel=preload"]]);
  });

  it("an abort mid-body resets the stream only: the next request reuses the connection", async () => {
    let finish: (() => void) | undefined;
    const server = await http2Server((req, res) => {
      if (req.url === "/slow") {
        res.write("first piece");
        finish = () => res.end();
        return;
      }
      res.end("fast");
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const controller = new AbortController();
    const res = await s.get(`${server.url}/slow`, { signal: controller.signal });
    const reader = res.body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first piece");
    controller.abort();
    await expect(reader.read()).rejects.toBeInstanceOf(AbortError);
    // The server saw RST_STREAM CANCEL.
    await expect.poll(() => server.resets).toEqual([constants.NGHTTP2_CANCEL]);
    const next = await s.get(`${server.url}/fast`);
    expect([await next.text(), next.timings.reused]).toEqual(["fast", true]);
    expect(server.sessions()).toBe(1);
    finish?.();
  });

  it("cancelling a body resets its stream and keeps the connection", async () => {
    const server = await http2Server((req, res) => {
      if (req.url === "/big") {
        res.write(new Uint8Array(100_000));
        return; // never ends: only a reset frees it
      }
      res.end("after");
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const res = await s.get(`${server.url}/big`);
    res.cancel();
    await expect.poll(() => server.resets).toEqual([constants.NGHTTP2_CANCEL]);
    expect(await (await s.get(`${server.url}/`)).text()).toBe("after");
    expect(server.sessions()).toBe(1);
  });

  it("after a GOAWAY, new requests go to a new connection, and an unprocessed one is sent again", async () => {
    let refusedOnce = false;
    const server = await http2Server((req, res) => {
      const h2 = req.stream.session!;
      if (req.url === "/goaway-before" && !refusedOnce) {
        // Last stream id 0: this stream was not processed, the client may send it again.
        refusedOnce = true;
        h2.goaway(constants.NGHTTP2_NO_ERROR, 0);
        req.stream.close(constants.NGHTTP2_REFUSED_STREAM);
        h2.close();
        return;
      }
      if (req.url === "/goaway-after") {
        res.end("answered");
        h2.close(); // graceful: GOAWAY with this stream processed
        return;
      }
      res.end(`ok ${req.url}`);
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    expect(await (await s.get(`${server.url}/goaway-after`)).text()).toBe("answered");
    expect(await (await s.get(`${server.url}/next`)).text()).toBe("ok /next");
    expect(server.sessions()).toBe(2);
    // A POST above the GOAWAY's last stream id: not processed, so sent again on a new connection.
    const retried = await s.post(`${server.url}/goaway-before`, { body: "once" });
    expect([retried.status, await retried.text()]).toEqual([200, "ok /goaway-before"]);
    expect(server.sessions()).toBe(3);
  });

  it("a server that serves one stream per connection, then GOAWAY: six requests at once all served", async () => {
    // As nginx does at keepalive_requests: the overflow of each connection is
    // unprocessed again on the next one, so one replay is not enough.
    const served = new WeakSet<object>();
    const server = await http2Server((req, res) => {
      const h2 = req.stream.session!;
      if (served.has(h2)) {
        req.stream.close(constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      served.add(h2);
      res.end(`ok ${req.url}`);
      h2.goaway(constants.NGHTTP2_NO_ERROR, req.stream.id!);
      h2.close();
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const texts = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => (await s.get(`${server.url}/${i}`)).text()),
    );
    expect(texts).toEqual(Array.from({ length: 6 }, (_, i) => `ok /${i}`));
    expect(server.sessions()).toBe(6);
  });

  it("sends a request the server refused (REFUSED_STREAM) once more", async () => {
    let seen = 0;
    const server = await http2Server((req, res) => {
      seen++;
      if (seen === 1) {
        req.stream.close(constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      res.end(`served ${seen}`);
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const res = await s.post(`${server.url}/`, { body: "not idempotent" });
    expect([res.status, await res.text()]).toEqual([200, "served 2"]);
    expect(seen).toBe(2);
  });

  it("gives up after a second REFUSED_STREAM with Http2StreamError", async () => {
    const server = await http2Server((req) => {
      req.stream.close(constants.NGHTTP2_REFUSED_STREAM);
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const error = await s.get(`${server.url}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Http2StreamError);
    expect((error as Http2StreamError).code).toBe("HTTP2_REFUSED_STREAM");
    expect((error as Http2StreamError).errorCode).toBe(constants.NGHTTP2_REFUSED_STREAM);
    // The connection outlived both refusals: a later request still goes on it.
    expect(server.sessions()).toBe(1);
  });

  it("falls back to HTTP/1.1 when the server does not offer h2; on by default, off with http2: false", async () => {
    const { ca, server: pair } = await certs();
    const http1 = await httpsServer(pair, (req, res) => res.end(`h1 ${req.httpVersion}`));
    const s = session({ tls: { ca }, http2: true });
    const res = await s.get(`${http1.url}/`);
    expect([await res.text(), res.httpVersion]).toEqual(["h1 1.1", "1.1"]);

    const both = await http2Server((req, res) => res.end(`v ${req.httpVersion}`), {
      allowHTTP1: true,
    });
    const plain = session({ tls: { ca }, http2: false });
    const off = await plain.get(`${both.url}/`);
    expect([await off.text(), off.httpVersion]).toEqual(["v 1.1", "1.1"]);
    const byDefault = await session({ tls: { ca } }).get(`${both.url}/`);
    expect([await byDefault.text(), byDefault.httpVersion]).toEqual(["v 2.0", "2"]);
    const on = await s.get(`${both.url}/`);
    expect([await on.text(), on.httpVersion]).toEqual(["v 2.0", "2"]);
  });

  it("follows redirects, keeps cookies and decompresses over h2", async () => {
    const server = await http2Server((req, res) => {
      if (req.url === "/start") {
        res.writeHead(302, { location: "/login" });
        res.end();
      } else if (req.url === "/login") {
        res.writeHead(303, { location: "/home", "set-cookie": "sid=abc; Path=/" });
        res.end();
      } else {
        const body = gzipSync(`cookie=${req.headers.cookie} ae=${req.headers["accept-encoding"]}`);
        res.writeHead(200, { "content-encoding": "gzip" });
        res.end(body);
      }
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const res = await s.get(`${server.url}/start`);
    expect(await res.text()).toMatch(/^cookie=sid=abc ae=.*gzip/);
    expect(res.history.map((hop) => hop.status)).toEqual([302, 303]);
    expect([res.httpVersion, server.sessions()]).toEqual(["2", 1]);
  });

  it("fetch() works over h2", async () => {
    const server = await http2Server(async (req, res) => {
      const body = await readBody(req as never);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ method: req.method, body: body.toString() }));
    });
    const fetch = createFetch(session({ tls: { ca: server.ca }, http2: true }));
    const res = await fetch(`${server.url}/f`, { method: "PUT", body: "payload" });
    expect(await res.json()).toEqual({ method: "PUT", body: "payload" });
    expect(server.sessions()).toBe(1);
  });

  it("reads trailers after the body", async () => {
    const h2 = await http2Server((_req, res) => {
      res.writeHead(200);
      res.addTrailers({ "x-checksum": "c0ffee" });
      res.end("body");
    });
    const s = session({ tls: { ca: h2.ca }, http2: true });
    const res = await s.get(`${h2.url}/t`);
    expect(await res.text()).toBe("body");
    expect(res.trailers?.get("x-checksum")).toBe("c0ffee");
  });

  it("closing the session closes the connection", async () => {
    const server = await http2Server((_req, res) => res.end("x"));
    const s = session({ tls: { ca: server.ca }, http2: true });
    await (await s.get(`${server.url}/`)).text();
    expect(server.open()).toBe(1);
    await s.close();
    await expect.poll(() => server.open()).toBe(0);
  });

  it("closing the session says GOAWAY (NO_ERROR) before the connection closes", async () => {
    const goaways: number[] = [];
    const watched = new WeakSet<object>();
    const server = await http2Server((req, res) => {
      const h2session = (
        req as unknown as { stream: { session: import("node:http2").Http2Session } }
      ).stream.session;
      if (!watched.has(h2session)) {
        watched.add(h2session);
        h2session.on("goaway", (code: number) => goaways.push(code));
      }
      res.end("x");
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    // Several requests at once: the GOAWAY follows whatever was being written.
    await Promise.all(
      Array.from({ length: 5 }, () => s.get(`${server.url}/`).then((r) => r.text())),
    );
    await s.close();
    await expect.poll(() => goaways).toEqual([constants.NGHTTP2_NO_ERROR]);
    await expect.poll(() => server.open()).toBe(0);
  });

  it("a headers timeout resets only its stream; the connection serves the next request", async () => {
    const server = await http2Server((req, res) => {
      if (req.url === "/never") return; // no answer: the client's timeout ends it
      res.end("prompt");
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    expect(await (await s.get(`${server.url}/`)).text()).toBe("prompt");
    const error = await s
      .get(`${server.url}/never`, { timeout: { headers: 100 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeadersTimeoutError);
    await expect.poll(() => server.resets).toEqual([constants.NGHTTP2_CANCEL]);
    const next = await s.get(`${server.url}/`);
    expect([await next.text(), next.timings.reused, server.sessions()]).toEqual([
      "prompt",
      true,
      1,
    ]);
  });

  it("a body timeout fails the body read and resets the stream", async () => {
    const server = await http2Server((req, res) => {
      if (req.url === "/stall") {
        res.write("some");
        return;
      }
      res.end("fine");
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const res = await s.get(`${server.url}/stall`, { timeout: { body: 100 } });
    await expect(res.text()).rejects.toBeInstanceOf(BodyTimeoutError);
    await expect.poll(() => server.resets).toEqual([constants.NGHTTP2_CANCEL]);
    expect(await (await s.get(`${server.url}/`)).text()).toBe("fine");
    expect(server.sessions()).toBe(1);
  });

  it("a stream the server resets mid-body fails its read with Http2StreamError; others go on", async () => {
    const server = await http2Server((req, res) => {
      if (req.url === "/broken") {
        res.write("partial");
        setTimeout(() => req.stream.close(constants.NGHTTP2_INTERNAL_ERROR), 20);
        return;
      }
      res.end("whole");
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const res = await s.get(`${server.url}/broken`);
    const error = await res.text().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Http2StreamError);
    expect((error as Http2StreamError).errorCode).toBe(constants.NGHTTP2_INTERNAL_ERROR);
    expect(await (await s.get(`${server.url}/`)).text()).toBe("whole");
    expect(server.sessions()).toBe(1);
  });

  it("when the server drops the connection, streams in flight fail and the next request connects anew", async () => {
    const server = await http2Server((req, res) => {
      if (req.url === "/drop") {
        res.write("a little");
        setTimeout(() => req.stream.session?.destroy(), 20);
        return;
      }
      res.end("new");
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const res = await s.get(`${server.url}/drop`);
    await expect(res.text()).rejects.toBeInstanceOf(TransportError);
    expect(await (await s.get(`${server.url}/`)).text()).toBe("new");
    expect(server.sessions()).toBe(2);
  });

  it("HEAD and 204 answers end with their head and free the stream", async () => {
    const server = await http2Server((req, res) => {
      res.writeHead(req.method === "HEAD" ? 200 : 204, { "content-length": "10" });
      res.end();
    });
    const s = session({ tls: { ca: server.ca }, http2: true });
    const head = await s.head(`${server.url}/`);
    const empty = await s.delete(`${server.url}/`);
    expect([head.status, empty.status]).toEqual([200, 204]);
    expect(await empty.text()).toBe("");
  });

  it("speaks cleartext h2c to http: origins with priorKnowledge, and HTTP/1.1 there without it", async () => {
    const h2c = await http2Server((req, res) => res.end(`c ${req.httpVersion}`), {
      cleartext: true,
    });
    const s = session({ http2: { priorKnowledge: true } });
    const all = await Promise.all(
      Array.from({ length: 5 }, () => s.get(`${h2c.url}/`).then((r) => r.text())),
    );
    expect(all).toEqual(Array(5).fill("c 2.0"));
    expect(h2c.sessions()).toBe(1);

    const { ca, server: pair } = await certs();
    const http1 = await httpsServer(pair, (req, res) => res.end(`h1 ${req.httpVersion}`));
    const tlsOnly = session({ tls: { ca }, http2: true });
    const plain = await serve((req, res) => res.end(`plain ${req.httpVersion}`));
    // Without priorKnowledge an http: origin stays on HTTP/1.1.
    expect(await (await tlsOnly.get(`${plain.url}/`)).text()).toBe("plain 1.1");
    expect(await (await tlsOnly.get(`${http1.url}/`)).text()).toBe("h1 1.1");
  });

  it("refuses a bad http2 option before any request", () => {
    expect(() => session({ http2: { initialWindowSize: -1 } })).toThrow(InvalidRequestError);
    expect(() => session({ http2: { bogus: 1 } as never })).toThrow(InvalidRequestError);
    expect(() => session({ http2: { priorKnowledge: "yes" } as never })).toThrow(
      InvalidRequestError,
    );
    for (const maxStreamsPerConnection of [0, 1.5, -1, Number.NaN])
      expect(() => session({ http2: { maxStreamsPerConnection } })).toThrow(InvalidRequestError);
    for (const settingsTimeout of [0, -5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => session({ http2: { settingsTimeout } })).toThrow(InvalidRequestError);
  });
});

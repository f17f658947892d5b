// The fault suite: one hostile server script per case and what the client must
// do about it — fail with a typed error (its stable code), or recover. The
// runner (fault-runner.ts) adds the checks every case shares: the session
// still works afterwards, the pool is consistent, nothing is left open.
// Registered by test/faults.test.ts (vitest on Node), test/runtimes/faults.deno.ts
// (`deno test`) and test/runtimes/faults.bun.spec.ts (`bun test`).
import assert from "node:assert/strict";
import { deflateSync, gzipSync } from "node:zlib";
import { ProtocolError, type Response } from "@reqivo/client";
import { eventually, type FaultCase } from "./fault-runner.ts";
import { ok } from "./hostile.ts";
import { websocketFaultCases } from "./ws-fault-cases.ts";

const STALE = /^(CONNECTION_RESET|CONNECTION_CLOSED)$/;
/** A reset may reach the client as a reset, or (data already read, FIN first) as a short message. */
const CUT = /^(CONNECTION_RESET|CONNECTION_CLOSED|INCOMPLETE_MESSAGE)$/;

const HEAD_CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

function code(error: { code?: string }, pattern: RegExp | string): void {
  if (typeof pattern === "string") assert.equal(error.code, pattern, String(error));
  else assert.match(String(error.code), pattern, String(error));
}

async function bodyError(res: Response): Promise<{ code?: string }> {
  try {
    await res.text();
  } catch (error) {
    return error as { code?: string };
  }
  throw new assert.AssertionError({ message: "expected the body to fail" });
}

export const faultCases: FaultCase[] = [
  // ── resets and closes ────────────────────────────────────────────────
  {
    name: "reset before the head",
    async run(t) {
      const server = await t.server((c) => c.onRequest(() => c.reset()));
      code(await t.error(t.session().get(server.url)), STALE);
    },
  },
  {
    name: "reset inside the head",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write("HTTP/1.1 200 OK\r\nContent-Le");
          c.later(20, () => c.reset());
        }),
      );
      code(await t.error(t.session().get(server.url)), CUT);
    },
  },
  {
    name: "close (FIN) inside the head",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => c.end("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Partial")),
      );
      code(await t.error(t.session().get(server.url)), "INCOMPLETE_MESSAGE");
    },
  },
  {
    name: "close before any byte of a response on a fresh connection",
    async run(t) {
      const server = await t.server((c) => c.onRequest(() => c.end()));
      code(await t.error(t.session().get(server.url)), "CONNECTION_CLOSED");
    },
  },
  {
    name: "reset inside a Content-Length body",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome");
          c.later(20, () => c.reset());
        }),
      );
      const res = await t.session().get(server.url);
      code(await bodyError(res), CUT);
    },
  },
  {
    name: "close mid-chunk",
    async run(t) {
      const server = await t.server((c) => c.onRequest(() => c.end(`${HEAD_CHUNKED}a\r\n01234`)));
      const res = await t.session().get(server.url);
      code(await bodyError(res), "INCOMPLETE_MESSAGE");
    },
  },
  {
    name: "reset mid-chunk",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write(`${HEAD_CHUNKED}a\r\n01234`);
          c.later(20, () => c.reset());
        }),
      );
      const res = await t.session().get(server.url);
      code(await bodyError(res), CUT);
    },
  },
  {
    name: "reset right after a complete response: the next request gets a fresh connection",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write(ok("first"));
          c.later(10, () => c.reset());
        }),
      );
      const s = t.session();
      assert.equal(await (await s.get(server.url)).text(), "first");
    },
  },

  // ── stalls: each time limit with its own error ───────────────────────
  {
    name: "stall before the head: HeadersTimeoutError",
    async run(t) {
      const server = await t.server(() => undefined);
      const error = await t.error(t.session().get(server.url, { timeout: { headers: 100 } }));
      code(error, "HEADERS_TIMEOUT");
      assert.equal(error.name, "HeadersTimeoutError");
    },
  },
  {
    name: "stall inside the head: HeadersTimeoutError",
    async run(t) {
      const server = await t.server((c) => c.onRequest(() => c.write("HTTP/1.1 200 OK\r\nX-A: b")));
      code(
        await t.error(t.session().get(server.url, { timeout: { headers: 100 } })),
        "HEADERS_TIMEOUT",
      );
    },
  },
  {
    name: "stall inside the body: BodyTimeoutError",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")),
      );
      const res = await t.session().get(server.url, { timeout: { body: 100 } });
      const error = await bodyError(res);
      code(error, "BODY_TIMEOUT");
      assert.equal((error as Error).name, "BodyTimeoutError");
    },
  },
  {
    name: "stall with a total deadline: DeadlineExceededError",
    async run(t) {
      const server = await t.server(() => undefined);
      const error = await t.error(t.session().get(server.url, { timeout: { total: 100 } }));
      code(error, "DEADLINE_EXCEEDED");
      assert.equal(error.name, "DeadlineExceededError");
    },
  },
  {
    name: "server accepts TCP but never answers the TLS handshake: ConnectTimeoutError",
    skip: {
      deno: "Deno.connectTls cannot be cancelled mid-handshake (transport-deno's conformance lists tls.cancelHandshakeClosesSocket as unsupported): the error is right but the TCP socket stays open until the server hangs up",
    },
    async run(t) {
      const server = await t.server(() => undefined);
      const s = t.session();
      const error = await t.error(s.get(server.httpsUrl, { timeout: { connect: 150 } }));
      code(error, "CONNECT_TIMEOUT");
      assert.equal(error.name, "ConnectTimeoutError");
      assert.deepEqual(
        Object.entries(s.poolStats()).filter(([key]) => key.startsWith("https:")),
        [],
        "no https connection left in the pool",
      );
    },
  },
  {
    name: "a request queued behind a stalled one times out and leaves the queue",
    async run(t) {
      const server = await t.server((c) => c.onRequest(() => undefined));
      const s = t.session();
      const first = t.error(s.get(server.url, { timeout: { headers: 300 } }));
      const second = t.error(s.get(server.url, { timeout: { total: 100 } }));
      code(await second, "DEADLINE_EXCEEDED");
      assert.equal(Object.values(s.poolStats())[0]?.waiting ?? 0, 0);
      code(await first, "HEADERS_TIMEOUT");
    },
  },
  {
    name: "a slot freed by a failed request passes to the queued one without breaking the cap",
    async run(t) {
      let open = 0;
      let peak = 0;
      const server = await t.server((c) => {
        peak = Math.max(peak, ++open);
        c.socket.on("close", () => open--);
        c.onRequest((_h, n) => {
          if (c.index === 1) c.reset();
          else c.later(30, () => c.write(ok(`conn${c.index}.${n}`)));
        });
      });
      const s = t.session();
      const a = t.error(s.get(server.url));
      const b = s.get(server.url);
      code(await a, STALE);
      // B now owns the freed slot and is connecting; C must queue behind it, not open a second connection.
      const c = s.get(server.url);
      assert.equal(await (await b).text(), "conn2.0");
      assert.equal(await (await c).text(), "conn2.1");
      assert.equal(server.accepted, 2, "C reused B's connection");
      assert.ok(peak <= 1, `at most 1 connection open at once, saw ${peak}`);
    },
  },
  {
    name: "an endless stream of 103 Early Hints does not reset the headers timeout",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() =>
          c.drip(() => "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", 5, 10_000),
        ),
      );
      code(
        await t.error(t.session().get(server.url, { timeout: { headers: 150 } })),
        "HEADERS_TIMEOUT",
      );
    },
  },

  // ── drips ────────────────────────────────────────────────────────────
  {
    name: "a response dripped one byte per interval still arrives whole",
    async run(t) {
      const response = ok("dripped", "X-Slow: yes\r\n");
      const server = await t.server((c) =>
        c.onRequest(() => c.drip((i) => response[i]!, 1, response.length)),
      );
      const res = await t.session().get(server.url, { timeout: { headers: 10_000, body: 10_000 } });
      assert.equal(res.headers.get("x-slow"), "yes");
      assert.equal(await res.text(), "dripped");
    },
  },
  {
    name: "a head dripped forever hits the headers timeout (slowloris)",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write("HTTP/1.1 200 OK\r\nX-a: ");
          c.drip((i) => (i % 20 === 19 ? "\r\nX-b: " : "a"), 2, 100_000);
        }),
      );
      code(
        await t.error(t.session().get(server.url, { timeout: { headers: 150 } })),
        /^(HEADERS_TIMEOUT|HEADERS_TOO_LARGE|TOO_MANY_HEADERS)$/,
      );
    },
  },
  {
    name: "a body dripped forever hits the total deadline, never the body timeout",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write(HEAD_CHUNKED);
          c.drip(() => "1\r\nx\r\n", 5, 100_000);
        }),
      );
      const res = await t.session().get(server.url, { timeout: { total: 200, body: 5_000 } });
      code(await bodyError(res), "DEADLINE_EXCEEDED");
    },
  },

  // ── oversized and endless heads ──────────────────────────────────────
  {
    name: "an endless status line: START_LINE_TOO_LONG",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write("HTTP/1.1 200 ");
          c.drip(() => "A".repeat(1024), 0, 10_000);
        }),
      );
      code(await t.error(t.session().get(server.url)), "START_LINE_TOO_LONG");
    },
  },
  {
    name: "one oversized header: HEADERS_TOO_LARGE",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write("HTTP/1.1 200 OK\r\nX-Big: ");
          c.drip(() => "b".repeat(4096), 0, 10_000);
        }),
      );
      code(
        await t.error(t.session({ limits: { maxHeaderBytes: 16 * 1024 } }).get(server.url)),
        "HEADERS_TOO_LARGE",
      );
    },
  },
  {
    name: "endless headers: TOO_MANY_HEADERS",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write("HTTP/1.1 200 OK\r\n");
          c.drip((i) => `X-${i}: v\r\n`.repeat(50), 0, 100_000);
        }),
      );
      code(await t.error(t.session().get(server.url)), "TOO_MANY_HEADERS");
    },
  },
  {
    name: "endless trailers: the trailer section is bounded too",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write(`${HEAD_CHUNKED}2\r\nok\r\n0\r\n`);
          c.drip((i) => `T-${i}: ${"v".repeat(100)}\r\n`, 0, 100_000);
        }),
      );
      const res = await t.session().get(server.url);
      code(await bodyError(res), /^(HEADERS_TOO_LARGE|TOO_MANY_HEADERS)$/);
    },
  },
  {
    name: "endless chunk extensions: CHUNK_LINE_TOO_LONG",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write(`${HEAD_CHUNKED}5`);
          c.drip(() => ";a=b".repeat(256), 0, 100_000);
        }),
      );
      const res = await t.session().get(server.url);
      code(await bodyError(res), "CHUNK_LINE_TOO_LONG");
    },
  },
  {
    name: "a chunk size beyond 2^53: CHUNK_SIZE_TOO_LARGE",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => c.write(`${HEAD_CHUNKED}${"f".repeat(40)}\r\n`)),
      );
      const res = await t.session().get(server.url);
      code(await bodyError(res), /^(CHUNK_SIZE_TOO_LARGE|INVALID_CHUNK_SIZE)$/);
    },
  },

  // ── lies about the length ────────────────────────────────────────────
  {
    name: "Content-Length larger than the body, then close: INCOMPLETE_MESSAGE",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => c.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")),
      );
      const res = await t.session().get(server.url);
      code(await bodyError(res), "INCOMPLETE_MESSAGE");
    },
  },
  {
    name: "Content-Length smaller than the body: the extra bytes poison nothing",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest((_h, n) =>
          c.write(
            n === 0
              ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"
              : ok("real"),
          ),
        ),
      );
      const s = t.session();
      assert.equal(await (await s.get(server.url)).text(), "ok");
      const second = await (await s.get(server.url)).text();
      assert.notEqual(second, "evil");
      assert.equal(server.accepted, 2, "the connection with extra bytes was not reused");
    },
  },
  {
    name: "two different Content-Length values: INVALID_CONTENT_LENGTH",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() =>
          c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        ),
      );
      code(await t.error(t.session().get(server.url)), "INVALID_CONTENT_LENGTH");
    },
  },
  {
    name: "Content-Length and chunked together: never reused (smuggling)",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest((_h, n) =>
          c.write(
            n === 0
              ? "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
              : ok("second"),
          ),
        ),
      );
      const s = t.session();
      const first = await s.get(server.url).then(
        (res) => res.text(),
        (error: { code?: string }) => error,
      );
      // Refused outright (RFC 9112 §6.3 allows it; the smuggling-safe choice).
      assert.ok(first instanceof ProtocolError, String(first));
      code(first, "INVALID_TRANSFER_ENCODING");
    },
  },

  // ── keep-alive surprises ─────────────────────────────────────────────
  {
    name: "an unsolicited response on an idle keep-alive connection is never matched to the next request",
    async run(t) {
      let evilSent = false;
      const server = await t.server((c) =>
        c.onRequest((_h, n) => {
          c.write(ok(`real${c.index}.${n}`));
          if (c.index === 1) {
            c.later(30, () => {
              c.write(ok("evil"));
              evilSent = true;
            });
          }
        }),
      );
      const s = t.session();
      assert.equal(await (await s.get(server.url)).text(), "real1.0");
      // Bytes that arrive after the next request went out are indistinguishable from its
      // answer, so wait for them to be on the wire, then for the pool to drop the connection.
      await eventually(() => evilSent, "the unsolicited response was written");
      await eventually(
        () => Object.values(s.poolStats()).every((origin) => origin.idle === 0),
        "the poisoned idle connection was dropped",
      );
      const second = await (await s.get(server.url)).text();
      assert.equal(second, "real2.0");
    },
  },
  {
    name: "keep-alive close right after the response: the next request retries on a fresh connection",
    async run(t) {
      const server = await t.server((c) => c.onRequest(() => c.end(ok(`conn${c.index}`))));
      const s = t.session();
      assert.equal(await (await s.get(server.url)).text(), "conn1");
      assert.equal(await (await s.get(server.url)).text(), "conn2");
      assert.equal(await (await s.get(server.url)).text(), "conn3");
    },
  },
  {
    name: "a kept-alive connection closed (FIN) when the next request arrives: retried once",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest((_h, n) =>
          c.index === 1 && n === 1 ? c.end() : c.write(ok(`conn${c.index}`)),
        ),
      );
      const s = t.session();
      assert.equal(await (await s.get(server.url)).text(), "conn1");
      assert.equal(await (await s.get(server.url)).text(), "conn2");
    },
  },
  {
    name: "a kept-alive connection reset when the next request arrives: retried once",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest((_h, n) =>
          c.index === 1 && n === 1 ? c.reset() : c.write(ok(`conn${c.index}`)),
        ),
      );
      const s = t.session();
      assert.equal(await (await s.get(server.url)).text(), "conn1");
      assert.equal(await (await s.get(server.url)).text(), "conn2");
    },
  },
  {
    name: "a POST whose body was sent on a stale connection is not replayed",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest((_h, n) => (n === 1 ? c.end() : c.write(ok(`conn${c.index}`)))),
      );
      const s = t.session();
      assert.equal(await (await s.get(server.url)).text(), "conn1");
      code(await t.error(s.post(server.url, { body: "once" })), STALE);
      assert.equal(server.accepted, 1, "not sent a second time");
    },
  },
  {
    name: "Connection: close is honoured",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => c.write(ok(`conn${c.index}`, "Connection: close\r\n"))),
      );
      const s = t.session();
      assert.equal(await (await s.get(server.url)).text(), "conn1");
      assert.equal(await (await s.get(server.url)).text(), "conn2");
    },
  },

  // ── protocol switches ────────────────────────────────────────────────
  {
    name: "a 101 nobody asked for: UNEXPECTED_UPGRADE",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() =>
          c.write(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: evil\r\nConnection: upgrade\r\n\r\n",
          ),
        ),
      );
      code(await t.error(t.session().get(server.url)), "UNEXPECTED_UPGRADE");
    },
  },
  {
    name: "a 101 that never sends frames: the connection leaves the pool and is closed",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() =>
          c.write(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
          ),
        ),
      );
      const s = t.session();
      const res = await s.get(server.url, {
        headers: { connection: "Upgrade", upgrade: "websocket" },
        timeout: { headers: 2_000 },
      });
      assert.equal(res.status, 101);
      assert.equal(await res.text(), "");
      assert.equal(
        Object.values(s.poolStats()).reduce((n, o) => n + o.total, 0),
        0,
      );
    },
  },

  // ── decompression bombs ──────────────────────────────────────────────
  ...(["gzip", "deflate"] as const).map(
    (coding): FaultCase => ({
      name: `a ${coding} bomb (16 MiB of zeros in ~16 KiB) stops at decompress.maxSize`,
      async run(t) {
        const zeros = new Uint8Array(16 * 1024 * 1024);
        const bomb =
          coding === "gzip" ? gzipSync(zeros, { level: 9 }) : deflateSync(zeros, { level: 9 });
        const server = await t.server((c) =>
          c.onRequest(() => {
            c.write(
              `HTTP/1.1 200 OK\r\nContent-Encoding: ${coding}\r\nContent-Length: ${bomb.length}\r\n\r\n`,
            );
            c.write(bomb);
          }),
        );
        const res = await t.session().get(server.url, { decompress: { maxSize: 1024 * 1024 } });
        code(await bodyError(res), "DECOMPRESSED_TOO_LARGE");
      },
    }),
  ),
  {
    name: "stacked codings beyond decompress.maxEncodings: TOO_MANY_ENCODINGS",
    async run(t) {
      const body = gzipSync(gzipSync(gzipSync(new TextEncoder().encode("deep"))));
      const server = await t.server((c) =>
        c.onRequest(() => {
          c.write(
            `HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip, gzip\r\nContent-Length: ${body.length}\r\n\r\n`,
          );
          c.write(body);
        }),
      );
      const error = await t
        .session()
        .get(server.url)
        .then(bodyError, (e: { code?: string }) => e);
      code(error, "TOO_MANY_ENCODINGS");
    },
  },

  // ── garbage ──────────────────────────────────────────────────────────
  {
    name: "binary garbage instead of a response: a ProtocolError",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => c.write(Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 255))),
      );
      const error = await t.error(t.session().get(server.url));
      assert.ok(error instanceof ProtocolError, String(error));
    },
  },
  {
    name: "a NUL byte in a header value: INVALID_HEADER_VALUE",
    async run(t) {
      const server = await t.server((c) =>
        c.onRequest(() => c.write("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n")),
      );
      code(await t.error(t.session().get(server.url)), "INVALID_HEADER_VALUE");
    },
  },

  // ── WebSocket (ws-fault-cases.ts) ────────────────────────────────────
  ...websocketFaultCases,
];

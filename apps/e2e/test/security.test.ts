// Security regression tests, one `describe` per advisory class, each over real
// sockets against a hostile loopback server. Where the fault suite
// (src/fault-cases.ts, src/ws-fault-cases.ts) already has the case, it is run
// from here by name (same checks: typed error, pool consistent, nothing left
// open), so this file is the one place a reviewer reads to see every class covered.
// SECURITY.md lists the classes and points here.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ClientConnection } from "@reqivo/protocol";
import { createTransport } from "@reqivo/transport-node";
import { describe, it } from "vitest";
import { faultCases } from "../src/fault-cases.ts";
import { type CaseContext, type FaultCase, runFaultCase } from "../src/fault-runner.ts";
import { ok } from "../src/hostile.ts";
import { upgrade } from "../src/ws-hostile.ts";

/** Runs a case of the fault suite by its exact name. */
function fault(name: string): () => Promise<void> {
  const c = faultCases.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no fault case named ${JSON.stringify(name)}`);
  return () => runFaultCase(c, "node", createTransport());
}

/** Runs an ad-hoc case with the fault suite's checks. */
function hostileCase(run: FaultCase["run"]): () => Promise<void> {
  return () => runFaultCase({ name: "security", run }, "node", createTransport());
}

const INJECTED = /^x-injected:/im;

/** A server that records every request head and answers 200. */
async function recorder(
  t: CaseContext,
  answer: (n: number) => string = () => ok("fine"),
  host?: string,
) {
  const heads: string[] = [];
  const server = await t.server(
    (c) =>
      c.onRequest((head, n) => {
        heads.push(head);
        c.write(answer(n));
      }),
    host,
  );
  return { server, heads };
}

/** Refused as the caller's mistake: InvalidRequestError, or the protocol core's LocalProtocolError. */
function refusedByCaller(error: { code?: string; name?: string }, what: string): void {
  assert.ok(
    error.code === "INVALID_REQUEST" || error.name === "LocalProtocolError",
    `${what}: ${String(error)}`,
  );
}

/** Either refused before any byte was sent (InvalidRequestError), or sent with no injected line. */
async function refusedOrClean(
  t: CaseContext,
  heads: string[],
  attempt: Promise<unknown>,
): Promise<void> {
  const outcome = await attempt.then(
    () => undefined,
    (error: { code?: string; name?: string }) => error,
  );
  if (outcome !== undefined) refusedByCaller(outcome, "refused");
  for (const head of heads) assert.doesNotMatch(head, INJECTED, head);
  void t;
}

// ── CWE-93 / CWE-113: CRLF and header injection (cf. undici CVE-2023-23936, GHSA-3787-6prv-h9w3) ──
describe("CRLF / header injection through caller input (CWE-93, CWE-113)", () => {
  it(
    "method",
    hostileCase(async (t) => {
      const { server, heads } = await recorder(t);
      const s = t.session();
      for (const method of [
        "GET / HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET",
        "GE T",
        "GET\n",
        "GET\0",
      ]) {
        refusedByCaller(await t.error(s.request(server.url, { method })), method);
      }
      assert.equal(heads.length, 0, "nothing reached the server");
    }),
  );
  it(
    "request target (URL path, query)",
    hostileCase(async (t) => {
      const { server, heads } = await recorder(t);
      const s = t.session();
      for (const path of [
        "a\r\nX-Injected: 1",
        "a HTTP/1.1\r\nX-Injected: 1\r\n\r\n",
        "?q=%0d%0aX-Injected:%201",
        "a%0D%0AX-Injected: 1",
      ]) {
        await refusedOrClean(
          t,
          heads,
          s.get(`${server.url}${path}`).then((r) => r.text()),
        );
      }
      for (const head of heads) {
        const start = head.slice(0, head.indexOf("\r\n"));
        assert.match(start, /^GET \S+ HTTP\/1\.1$/, "one clean request line");
      }
    }),
  );
  it(
    "header names and values (request and session defaults)",
    hostileCase(async (t) => {
      const { server, heads } = await recorder(t);
      const s = t.session();
      const bad: [string, string][] = [
        ["x-a", "1\r\nX-Injected: 1"],
        ["x-a", "1\nX-Injected: 1"],
        ["x-a", "1\rX-Injected: 1"],
        ["x-a", "a\0b"],
        ["x-a\r\nX-Injected", "1"],
        ["x a", "1"],
        ["x:a", "1"],
        ["", "1"],
      ];
      for (const [name, value] of bad) {
        const error = await t.error(s.get(server.url, { headers: [[name, value]] }));
        refusedByCaller(error, JSON.stringify([name, value]));
      }
      let fromDefaults: unknown;
      try {
        const d = t.closingSession({ headers: { "x-a": "1\r\nX-Injected: 1" } });
        fromDefaults = await t.error(d.get(server.url));
        await d.close();
      } catch (error) {
        fromDefaults = error; // refused when the session is made
      }
      refusedByCaller(fromDefaults as { code?: string; name?: string }, "session default header");
      assert.equal(heads.length, 0, "nothing reached the server");
    }),
  );
  it("trailers (protocol core: refused before any byte)", () => {
    for (const trailer of [
      ["x-t", "1\r\nX-Injected: 1"],
      ["x-t\r\n", "1"],
      ["x t", "1"],
    ] as [string, string][]) {
      const conn = new ClientConnection();
      conn.send({
        type: "request",
        method: "POST",
        target: "/",
        headers: [
          ["host", "example.com"],
          ["transfer-encoding", "chunked"],
        ],
      });
      conn.send({ type: "data", data: new Uint8Array([1]) });
      assert.throws(() => conn.send({ type: "end", trailers: [trailer] }), JSON.stringify(trailer));
    }
  });
  it(
    "multipart field names, filenames and part types",
    hostileCase(async (t) => {
      const bodies: string[] = [];
      const server = await t.server((c) => {
        let raw = "";
        c.socket.on("data", (d: Buffer) => {
          raw += d.toString("latin1");
          const end = raw.lastIndexOf("--\r\n");
          if (end !== -1 && /--[^\r]+--\r\n$/.test(raw)) {
            bodies.push(raw);
            c.write(ok("fine", "Connection: close\r\n")); // the recovery request gets a fresh connection
            raw = "";
          }
        });
      });
      const form = new FormData();
      form.append('a"\r\nX-Injected: 1\r\n\r\nfield', "v");
      form.append(
        "file",
        new File(["x"], 'f"\r\nX-Injected: 1\r\n.txt', { type: "text/plain\r\nX-Injected: 1" }),
      );
      const s = t.session();
      await refusedOrClean(
        t,
        [],
        s.post(server.url, { body: form }).then((r) => r.text()),
      );
      assert.equal(bodies.length, 1);
      const body = bodies[0]!;
      assert.doesNotMatch(body, INJECTED, body);
      const boundary = /boundary=([^\r;]+)/.exec(body)?.[1] ?? "";
      assert.match(boundary, /[0-9a-f]{32}$/, "a boundary with 128 random bits");
      const second = new FormData();
      second.append("a", "b");
      await (await s.post(server.url, { body: second })).text();
      assert.notEqual(/boundary=([^\r;]+)/.exec(bodies[1] ?? "")?.[1], boundary, "fresh per body");
    }),
  );
  it(
    "WebSocket subprotocols and handshake headers",
    hostileCase(async (t) => {
      const heads: string[] = [];
      const server = await t.server((c) => upgrade(c, {}, (ws) => heads.push(ws.head)));
      const s = t.session();
      const url = `ws://127.0.0.1:${server.port}/`;
      for (const options of [
        { protocols: ["chat\r\nX-Injected: 1"] },
        { protocols: ["a b"] },
        { protocols: ["a,b"] },
        { headers: { "x-a": "1\r\nX-Injected: 1" } },
        { headers: { "x-a\r\nX-Injected": "1" } },
        { headers: { "sec-websocket-key": "AAAAAAAAAAAAAAAAAAAAAA==" } },
        { origin: "http://a\r\nX-Injected: 1" },
      ]) {
        const error = await t.error(s.websocket(url, options));
        assert.equal(error.code, "INVALID_REQUEST", `${JSON.stringify(options)}: ${error}`);
      }
      assert.equal(heads.length, 0, "no handshake reached the server");
      // Keys are fresh per handshake (cryptographic randomness).
      const a = await s.websocket(url);
      const b = await s.websocket(url);
      a.terminate();
      b.terminate();
      const keys = heads.map((h) => /sec-websocket-key:\s*(\S+)/i.exec(h)?.[1]);
      assert.equal(keys.length, 2);
      assert.notEqual(keys[0], keys[1]);
    }),
  );
  it(
    "cookie values set by a server are sent back without CR/LF",
    hostileCase(async (t) => {
      let answered = 0;
      const { server, heads } = await recorder(t, () =>
        answered++ === 0
          ? ok("set", "Set-Cookie: a=1\rX-Injected: 1\r\nSet-Cookie: b=2; Path=/\r\n")
          : ok("back", "Set-Cookie: c=3; Path=/\r\n"),
      );
      const s = t.session();
      const first = await s.get(server.url).then(
        (r) => r.text(),
        (e: { code?: string }) => e,
      );
      if (typeof first !== "string") {
        assert.equal(first.code, "INVALID_HEADER_VALUE", "a bare CR in a field is refused");
      }
      await (await s.get(server.url)).text();
      await (await s.get(server.url)).text();
      assert.match(heads.at(-1) ?? "", /\r\ncookie: [^\r\n]*c=3/i, "cookies do come back");
      for (const head of heads) {
        assert.doesNotMatch(head, INJECTED, head);
        const cookie = /\r\ncookie:([^\r\n]*)/i.exec(head)?.[1] ?? "";
        assert.doesNotMatch(cookie, /[\r\n]/);
      }
    }),
  );
});

// ── Response queue poisoning (cf. undici GHSA-9f24-jqhm-jfcw class; HTTP desync) ──
describe("response queue poisoning: unsolicited bytes on an idle keep-alive connection", () => {
  it(
    "an unsolicited response is never matched to the next request",
    fault(
      "an unsolicited response on an idle keep-alive connection is never matched to the next request",
    ),
  );
  it(
    "bytes after a Content-Length body poison nothing",
    fault("Content-Length smaller than the body: the extra bytes poison nothing"),
  );
});

// ── CWE-444: request smuggling / response framing ──
describe("request smuggling framing signals (CWE-444)", () => {
  it(
    "Content-Length together with Transfer-Encoding: chunked",
    fault("Content-Length and chunked together: never reused (smuggling)"),
  );
  it(
    "two differing Content-Length values",
    fault("two different Content-Length values: INVALID_CONTENT_LENGTH"),
  );
  it(
    "Transfer-Encoding with chunked not last: read to close, never reused",
    hostileCase(async (t) => {
      const server = await t.server((c) =>
        c.onRequest((_h, n) =>
          c.index === 1 && n === 0
            ? c.end(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil",
              )
            : c.write(ok(`conn${c.index}`)),
        ),
      );
      const s = t.session();
      const first = await s.get(server.url, { timeout: { total: 2_000 } }).then(
        (r) => r.text(),
        (e: Error) => e,
      );
      assert.ok(first === "ok" || first instanceof Error || first.includes("evil"), String(first));
      const second = await (await s.get(server.url)).text();
      assert.notEqual(second, "evil", "the smuggled response was not taken as the next answer");
      assert.equal(
        second,
        "conn2",
        `the first connection was not reused (first: ${String(first)})`,
      );
    }),
  );
  it("a chunk size beyond 2^53", fault("a chunk size beyond 2^53: CHUNK_SIZE_TOO_LARGE"));
});

// ── Credential leaks on redirects (cf. undici CVE-2022-31151, CVE-2024-24758, CVE-2024-30260; got CVE-2022-33987) ──
// Also: packages/client/test/redirects.test.ts "never carries credentials or conditions to another origin",
// auth.test.ts "never forwards credentials to another origin on redirects", cookies.test.ts (per-host jar).
describe("credentials, cookies and Host never cross origins on redirects", () => {
  const crossOrigin = (targetHost: string) =>
    hostileCase(async (t) => {
      const b = await recorder(t, undefined, targetHost);
      const target = `http://${targetHost}:${b.server.port}/landing`;
      const a = await recorder(t, (n) =>
        n === 0
          ? ok("cookie set", "Set-Cookie: sid=secret; Path=/\r\n")
          : `HTTP/1.1 302 Found\r\nLocation: ${target}\r\nContent-Length: 0\r\n\r\n`,
      );
      const s = t.session({ auth: { basic: { username: "user", password: "session-secret" } } });
      await (await s.get(a.server.url)).text();
      const res = await s.get(`${a.server.url}start`, {
        headers: {
          authorization: "Bearer caller-secret",
          "proxy-authorization": "Basic cHJveHk6c2VjcmV0",
          cookie: "caller=secret",
          host: "internal.example",
        },
      });
      assert.equal(await res.text(), "fine");
      assert.equal(b.heads.length, 1);
      const head = b.heads[0]!;
      assert.doesNotMatch(head, /\r\nauthorization:/i, "no Authorization at the new origin");
      assert.doesNotMatch(head, /\r\nproxy-authorization:/i, "no Proxy-Authorization");
      assert.doesNotMatch(head, /caller=secret/, "the caller's Cookie header stays behind");
      if (targetHost !== "127.0.0.1")
        assert.doesNotMatch(head, /sid=secret/, "the jar is per host");
      const hosts = [...head.matchAll(/\r\nhost:\s*([^\r]*)/gi)].map((m) => m[1]);
      assert.deepEqual(
        hosts,
        [`${targetHost}:${b.server.port}`],
        "the caller's Host header is dropped on a cross-origin redirect",
      );
      // The first origin did get what the caller sent.
      assert.match(a.heads[1] ?? "", /\r\nauthorization: Bearer caller-secret/i);
    });
  it("to another port of the same host (another origin)", crossOrigin("127.0.0.1"));
  it("to another host (127.0.0.2)", crossOrigin("127.0.0.2"));
});

// ── Decompression bombs (cf. undici CVE-2026-22036; zip-bomb class CWE-409) ──
describe("decompression bombs are bounded (CWE-409)", () => {
  it(
    "HTTP gzip bomb",
    fault("a gzip bomb (16 MiB of zeros in ~16 KiB) stops at decompress.maxSize"),
  );
  it(
    "HTTP deflate bomb",
    fault("a deflate bomb (16 MiB of zeros in ~16 KiB) stops at decompress.maxSize"),
  );
  it(
    "stacked Content-Encodings",
    fault("stacked codings beyond decompress.maxEncodings: TOO_MANY_ENCODINGS"),
  );
  it(
    "permessage-deflate bomb",
    fault("WebSocket: a permessage-deflate bomb (16 MiB of zeros): close 1009"),
  );
});

// ── WebSocket resource exhaustion (cf. ws CVE-2021-32640 / GHSA-6fc8-4gx4-v693, CVE-2024-37890 class) ──
describe("WebSocket frame lengths, extension parameters and floods", () => {
  it(
    "a 2^63 frame length",
    fault("WebSocket: a frame announcing 2^63 bytes: PROTOCOL_ERROR, close 1002"),
  );
  it(
    "a 2^63-1 frame length",
    fault("WebSocket: a frame announcing 2^63-1 bytes: PROTOCOL_ERROR, close 1009"),
  );
  it(
    "a frame over maxMessageSize",
    fault(
      "WebSocket: a frame over maxMessageSize: PROTOCOL_ERROR, close 1009, before the payload arrives",
    ),
  );
  it(
    "server_max_window_bits below 8",
    fault("WebSocket: a 101 with server_max_window_bits out of range (7): HANDSHAKE_FAILED"),
  );
  it(
    "server_max_window_bits above 15",
    fault("WebSocket: a 101 with server_max_window_bits out of range (16): HANDSHAKE_FAILED"),
  );
  it(
    "a ping flood",
    fault("WebSocket: a ping flood (20,000 pings) collapses into few pongs, latest answered"),
  );
  it(
    "a wrong Sec-WebSocket-Accept",
    fault("WebSocket: a 101 with a wrong Sec-WebSocket-Accept: HANDSHAKE_FAILED"),
  );
});

// ── Unbounded response heads (slowloris / memory exhaustion, CWE-400) ──
describe("response heads are bounded (CWE-400)", () => {
  it("endless headers", fault("endless headers: TOO_MANY_HEADERS"));
  it("one oversized header", fault("one oversized header: HEADERS_TOO_LARGE"));
  it("endless chunk extensions", fault("endless chunk extensions: CHUNK_LINE_TOO_LONG"));
  it("endless status line", fault("an endless status line: START_LINE_TOO_LONG"));
});

void Buffer;

// Client behaviour that needs no real socket: run by vitest on Node, `deno test`
// on Deno and `bun test` on Bun (see test/runtimes/), through MockTransport.
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import type { ConnectOptions, Transport } from "@reqivo/transport";
import {
  AbortError,
  createFetch,
  HeadersTimeoutError,
  HttpError,
  type MockRequest,
  MockTransport,
  ProxyError,
  ReqivoError,
  Session,
  TooManyRedirectsError,
} from "../src/index.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
const sha256 = async (text: string) =>
  hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
const cookieOf = (req: MockRequest) => req.headers.get("cookie") ?? "";

/** A MockTransport whose connect options are kept, to see where each connection went. */
function recordingTransport(mock: MockTransport): Transport & { opened: ConnectOptions[] } {
  const opened: ConnectOptions[] = [];
  return {
    name: "recording",
    opened,
    connect: (options) => {
      opened.push({ ...options });
      return mock.connect(options);
    },
  };
}

export const portableCases: Record<string, () => Promise<void>> = {
  async "GET and POST through one kept-alive connection"() {
    const transport = new MockTransport((req) => ({
      headers: { "content-type": "text/plain" },
      body: `${req.method} ${req.target} ${decode(req.body)}`,
    }));
    const session = new Session({ transport, baseUrl: "http://api.test" });
    try {
      assert.equal(await (await session.get("/a", { query: { x: 1 } })).text(), "GET /a?x=1 ");
      const posted = await session.post("/b", { json: { ok: true } });
      assert.equal(posted.headers.get("Content-Type"), "text/plain");
      assert.equal(await posted.text(), 'POST /b {"ok":true}');
      assert.deepEqual(
        transport.requests.map((r) => r.connection),
        [1, 1],
      );
      assert.equal(transport.requests[1]?.headers.get("content-type"), "application/json");
    } finally {
      await session.close();
    }
  },

  async "streams a chunked body piece by piece"() {
    const transport = new MockTransport(() => ({ body: ["one ", "two ", "three"] }));
    const session = new Session({ transport });
    try {
      const pieces: string[] = [];
      for await (const piece of await session.get("http://s.test/")) pieces.push(decode(piece));
      assert.equal(pieces.join(""), "one two three");
      assert.ok(pieces.length >= 1);
    } finally {
      await session.close();
    }
  },

  async "follows redirects and stops at the limit"() {
    const transport = new MockTransport((req) => {
      const n = Number(req.target.slice(1));
      return n < 5 ? { status: 302, headers: { location: `/${n + 1}` } } : { body: `landed ${n}` };
    });
    const session = new Session({ transport });
    try {
      const res = await session.get("http://r.test/0");
      assert.equal(await res.text(), "landed 5");
      assert.equal(res.history.length, 5);
      await assert.rejects(
        session.get("http://r.test/0", { redirect: { max: 2 } }),
        TooManyRedirectsError,
      );
    } finally {
      await session.close();
    }
  },

  async "raises typed errors with stable codes"() {
    const transport = new MockTransport((req) =>
      req.target === "/slow"
        ? new Promise(() => undefined)
        : req.target === "/garbage"
          ? { raw: "HTTP/1.1 abc\r\n\r\n" }
          : { status: 500, body: "boom" },
    );
    const session = new Session({ transport });
    try {
      const failed = await session
        .get("http://e.test/", { throwOnHttpError: true })
        .catch((e: unknown) => e);
      assert.ok(failed instanceof HttpError);
      assert.ok(failed instanceof ReqivoError);
      assert.equal(await failed.response.text(), "boom");
      await assert.rejects(
        session.get("http://e.test/slow", { timeout: { headers: 50 } }),
        HeadersTimeoutError,
      );
      const controller = new AbortController();
      const pending = session.get("http://e.test/slow", { signal: controller.signal });
      controller.abort("enough");
      const aborted = await pending.catch((e: unknown) => e);
      assert.ok(aborted instanceof AbortError);
      assert.equal(aborted.cause, "enough");
      const garbage = await session.get("http://e.test/garbage").catch((e: unknown) => e);
      assert.ok(garbage instanceof ReqivoError);
      assert.equal((garbage as ReqivoError).code, "INVALID_STATUS_CODE");
    } finally {
      await session.close();
    }
  },

  async "fetch() returns the runtime's Response"() {
    const transport = new MockTransport((req) => ({
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ m: req.method }),
    }));
    const session = new Session({ transport });
    try {
      const fetch = createFetch(session);
      const res = await fetch("http://f.test/x", { method: "DELETE" });
      assert.ok(res instanceof Response);
      assert.deepEqual(await res.json(), { m: "DELETE" });
    } finally {
      await session.close();
    }
  },

  async "cookie jar: Domain, public suffixes, Secure over https, SameSite across sites, JSON"() {
    const transport = new MockTransport((req) => {
      const headers: Record<string, string[]> = { "set-cookie": [] };
      const set = headers["set-cookie"]!;
      if (req.host === "a.example.com" && req.target === "/set") {
        set.push("shared=1; Domain=example.com", "host=1", "bad=1; Domain=com");
        set.push("sec=1; Secure", "__Host-h=1; Secure; Path=/", "strict=1; SameSite=Strict");
        set.push("lax=1; SameSite=Lax");
      }
      if (req.host === "other.test" && req.target === "/bounce")
        return { status: 302, headers: { location: "https://a.example.com/back" } };
      return { headers, body: cookieOf(req) };
    });
    const session = new Session({ transport });
    try {
      await (await session.get("https://a.example.com/set")).dump();
      assert.equal(
        await (await session.get("https://a.example.com/")).text(),
        "shared=1; host=1; sec=1; __Host-h=1; strict=1; lax=1",
      );
      assert.equal(
        await (await session.get("http://a.example.com/")).text(),
        "shared=1; host=1; strict=1; lax=1",
      );
      assert.equal(await (await session.get("http://b.example.com/")).text(), "shared=1");
      assert.equal(await (await session.get("http://com/")).text(), "");
      // Reached through another site's redirect: a cross-site navigation, so Strict cookies stay home.
      const back = await session.get("https://other.test/bounce");
      assert.equal(await back.text(), "shared=1; host=1; sec=1; __Host-h=1; lax=1");
      const restored = new Session({
        transport,
        cookies: JSON.parse(JSON.stringify(session.cookies?.toJSON())),
      });
      assert.deepEqual(await restored.cookies?.get("http://b.example.com/"), { shared: "1" });
      await restored.close();
    } finally {
      await session.close();
    }
  },

  async "auth: basic from the URL, a SHA-256 digest challenge answered with WebCrypto"() {
    const transport = new MockTransport(async (req) => {
      const auth = req.headers.get("authorization") ?? "";
      if (req.target === "/basic") return { body: auth };
      const params = Object.fromEntries(
        [...auth.matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)].map((m) => [m[1], m[2] ?? m[3]]),
      );
      const ha1 = await sha256("ada:realm:pw");
      const ha2 = await sha256(`${req.method}:${req.target}`);
      const ok =
        params.response ===
        (await sha256(`${ha1}:n0nce:${params.nc}:${params.cnonce}:auth:${ha2}`));
      return ok
        ? { body: `hello ${decode(req.body)}` }
        : {
            status: 401,
            headers: {
              "www-authenticate":
                'Digest realm="realm", nonce="n0nce", qop="auth", algorithm=SHA-256',
            },
          };
    });
    const session = new Session({ transport });
    try {
      const basic = await session.get("http://ada:pw@auth.test/basic");
      assert.equal(await basic.text(), `Basic ${btoa("ada:pw")}`);
      assert.equal(basic.url, "http://auth.test/basic");
      const res = await session.put("http://auth.test/digest", {
        body: "there",
        auth: { digest: { username: "ada", password: "pw" } },
      });
      assert.equal(await res.text(), "hello there");
      assert.equal(transport.requests.length, 3);
    } finally {
      await session.close();
    }
  },

  async "auth: a non-ASCII digest user name goes out as UTF-8 (quoted bytes, or username* after charset=UTF-8)"() {
    const utf8 = (latin1: string) =>
      new TextDecoder().decode(Uint8Array.from(latin1, (c) => c.charCodeAt(0)));
    const transport = new MockTransport(async (req) => {
      const auth = utf8(req.headers.get("authorization") ?? "");
      const charset = req.target === "/star" ? ", charset=UTF-8" : "";
      const params = Object.fromEntries(
        [...auth.matchAll(/(\w+\*?)=(?:"([^"]*)"|([^\s,]+))/g)].map((m) => [m[1], m[2] ?? m[3]]),
      );
      const username =
        params["username*"] === undefined
          ? params.username
          : decodeURIComponent(params["username*"].replace("UTF-8''", ""));
      const ha1 = await sha256(`${username}:realm:pw`);
      const ha2 = await sha256(`${req.method}:${req.target}`);
      const ok =
        username === "用户" &&
        params.response ===
          (await sha256(`${ha1}:n0nce:${params.nc}:${params.cnonce}:auth:${ha2}`));
      return ok
        ? { body: Object.keys(params).includes("username*") ? "star" : "quoted" }
        : {
            status: 401,
            headers: {
              "www-authenticate": `Digest realm="realm", nonce="n0nce", qop="auth", algorithm=SHA-256${charset}`,
            },
          };
    });
    const session = new Session({
      transport,
      auth: { digest: { username: "用户", password: "pw" } },
    });
    try {
      assert.equal(await (await session.get("http://auth.test/quoted")).text(), "quoted");
      assert.equal(await (await session.get("http://auth2.test/star")).text(), "star");
    } finally {
      await session.close();
    }
  },

  async "Unix-socket URLs, per-request TLS settings and the DNS table shape each connect"() {
    const mock = new MockTransport((req) => ({ body: `${req.headers.get("host")} ${req.target}` }));
    const transport = recordingTransport(mock);
    const pin = `sha256/${btoa(String.fromCharCode(...new Uint8Array(32).fill(1)))}`;
    const session = new Session({
      transport,
      tls: { pins: [pin] },
      dns: { lookup: { "api.test": ["127.0.0.9", "::9"] } },
    });
    try {
      const unix = await session.get("http+unix://%2Ftmp%2Fa%20b.sock/v1?x=1");
      assert.equal(await unix.text(), "localhost /v1?x=1");
      assert.equal(transport.opened[0]?.path, "/tmp/a b.sock");
      assert.equal(await (await session.get("unix:/tmp/c.sock:/got")).text(), "localhost /got");
      assert.equal(transport.opened[1]?.path, "/tmp/c.sock");
      // https: the session's pins, then another CA (a new connection), then the same again (reused);
      // h2 offered first by default.
      const alpnProtocols = ["h2", "http/1.1"];
      await (await session.get("https://api.test/")).dump();
      assert.deepEqual(transport.opened[2]?.tls, { pins: [pin], alpnProtocols });
      assert.deepEqual(await transport.opened[2]?.lookup?.("api.test", {}), [
        { address: "127.0.0.9", family: 4 },
        { address: "::9", family: 6 },
      ]);
      await (await session.get("https://api.test/", { tls: { ca: "PEM" } })).dump();
      const again = await session.get("https://api.test/", { tls: { ca: "PEM" } });
      await again.dump();
      assert.equal(again.timings.reused, true);
      assert.deepEqual(transport.opened[3]?.tls, { pins: [pin], ca: "PEM", alpnProtocols });
      assert.equal(transport.opened.length, 4);
      // Names outside the table are left to the transport.
      await (await session.get("http://other.test/")).dump();
      assert.equal(transport.opened[4]?.lookup, undefined);
    } finally {
      await session.close();
    }
  },

  async "HTTP proxy: absolute-form forwarding with Proxy-Authorization, a 407 to CONNECT is a ProxyError"() {
    const transport = new MockTransport((req) =>
      req.method === "CONNECT"
        ? { status: 407, headers: { "proxy-authenticate": 'Basic realm="mock"' } }
        : {
            body: [
              `${req.host}:${req.port}`,
              req.target,
              req.headers.get("host"),
              req.headers.get("proxy-authorization"),
            ].join(" "),
          },
    );
    const session = new Session({ transport, proxy: "http://ada:pw@proxy.test:3128" });
    try {
      const res = await session.get("http://api.test/items?x=1");
      assert.equal(
        await res.text(),
        `proxy.test:3128 http://api.test/items?x=1 api.test Basic ${btoa("ada:pw")}`,
      );
      const direct = await session.get("http://api.test/direct", { proxy: false });
      assert.equal(await direct.text(), "api.test:80 /direct api.test ");
      const error = await session.get("https://api.test/").catch((e: unknown) => e);
      assert.ok(error instanceof ProxyError);
      assert.equal(error.code, "PROXY_AUTH_REQUIRED");
      assert.equal(error.status, 407);
      assert.equal(error.headers?.get("proxy-authenticate"), 'Basic realm="mock"');
      assert.equal(transport.requests[2]?.target, "api.test:443");
      assert.equal(transport.requests[2]?.headers.get("host"), "api.test:443");
    } finally {
      await session.close();
    }
  },

  async "retries a 503 and decodes a gzip body"() {
    let calls = 0;
    const transport = new MockTransport((req) => {
      calls++;
      if (calls === 1) return { status: 503, headers: { "retry-after": "0" } };
      return {
        headers: { "content-encoding": "gzip", "x-ae": req.headers.get("accept-encoding") ?? "" },
        body: new Uint8Array(zlib.gzipSync("decoded")),
      };
    });
    const session = new Session({ transport, retry: 1 });
    try {
      const res = await session.get("http://retry.test/");
      assert.equal(await res.text(), "decoded");
      assert.equal(res.timings.retries, 1);
      assert.match(res.headers.get("x-ae") ?? "", /^gzip, deflate/);
      // zstd is advertised and decoded only where the runtime's zlib has it (not Node 20).
      const zstd = (zlib as { zstdCompressSync?: (data: string) => Uint8Array }).zstdCompressSync;
      const advertised = (res.headers.get("x-ae") ?? "").includes("zstd");
      assert.equal(advertised, zstd !== undefined);
      if (zstd !== undefined) {
        const zstdTransport = new MockTransport(() => ({
          headers: { "content-encoding": "zstd" },
          body: new Uint8Array(zstd("zstd decoded")),
        }));
        const zstdSession = new Session({ transport: zstdTransport });
        assert.equal(await (await zstdSession.get("http://z.test/")).text(), "zstd decoded");
        await zstdSession.close();
      }
    } finally {
      await session.close();
    }
  },
};

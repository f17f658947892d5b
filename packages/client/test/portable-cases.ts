// Client behaviour that needs no real socket: run by vitest on Node, `deno test`
// on Deno and `bun test` on Bun (see test/runtimes/), through MockTransport.
import assert from "node:assert/strict";
import {
  AbortError,
  createFetch,
  HeadersTimeoutError,
  HttpError,
  MockTransport,
  ReqivoError,
  Session,
  TooManyRedirectsError,
} from "../src/index.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

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
};

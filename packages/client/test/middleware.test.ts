import { createHash, createHmac } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compose, type Middleware, Response } from "../src/index.ts";
import { readBody, serve, session } from "./harness.ts";

// The three examples of apps/docs/guides/middleware.md, as written there.
const encoder = new TextEncoder();
const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");

function hmacSigner(keyId: string, secret: string): Middleware {
  const key = crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return (next) => async (request) => {
    const pieces: Uint8Array[] = [];
    if (request.body !== null) {
      if (!request.body.replayable) throw new Error("a streamed body cannot be signed");
      for await (const chunk of request.body.chunks()) pieces.push(chunk);
    }
    const body = new Uint8Array(pieces.reduce((length, piece) => length + piece.length, 0));
    let at = 0;
    for (const piece of pieces) {
      body.set(piece, at);
      at += piece.length;
    }
    const bodyHash = hex(await crypto.subtle.digest("SHA-256", body));
    const date = new Date().toUTCString();
    const path = `${request.url.pathname}${request.url.search}`;
    const signed = `${request.method}\n${path}\n${date}\n${bodyHash}`;
    const signature = hex(await crypto.subtle.sign("HMAC", await key, encoder.encode(signed)));
    return next({
      ...request,
      headers: [
        ...request.headers,
        ["x-date", date],
        ["x-content-sha256", bodyHash],
        ["authorization", `HMAC ${keyId}:${signature}`],
      ],
    });
  };
}

function logTimings(log: (line: string) => void): Middleware {
  return (next) => async (request) => {
    const started = performance.now();
    const took = () => `${(performance.now() - started).toFixed(1)} ms`;
    try {
      const response = await next(request);
      const connection = response.timings.reused ? "reused connection" : "new connection";
      log(`${request.method} ${request.url.href} ${response.status} in ${took()} (${connection})`);
      return response;
    } catch (error) {
      log(`${request.method} ${request.url.href} failed after ${took()}: ${String(error)}`);
      throw error;
    }
  };
}

interface Entry {
  expires: number;
  headers: [string, string][];
  body: Uint8Array;
}

function tinyCache(maxAge: number, maxEntries = 100): Middleware {
  const entries = new Map<string, Entry>();
  return (next) => async (request) => {
    if (request.method !== "GET") return next(request);
    const key = request.url.href;
    const hit = entries.get(key);
    if (hit !== undefined && hit.expires > Date.now())
      return Response.of(hit.body, { headers: hit.headers, url: key });
    const response = await next(request);
    if (response.status !== 200) return response;
    const entry = {
      expires: Date.now() + maxAge,
      headers: [...response.headers],
      body: await response.bytes(),
    };
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, entry);
    return Response.of(entry.body, { headers: entry.headers, url: response.url });
  };
}

/** A middleware that records the requests it sees under `name`. */
function recorder(name: string, seen: string[]): Middleware {
  return (next) => async (request) => {
    seen.push(`${name} ${request.method} ${request.url.pathname}`);
    const response = await next(request);
    seen.push(`${name} ${response.status}`);
    return response;
  };
}

describe("middleware", () => {
  it("session use runs outside request use, once per redirect hop, inside cookies and auth", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/start") {
        res.writeHead(302, { location: "/end", "set-cookie": "sid=1; Path=/" });
        return res.end();
      }
      res.end("done");
    });
    const seen: string[] = [];
    const headers: string[] = [];
    const peek: Middleware = (next) => (request) => {
      headers.push(
        request.headers
          .filter(([name]) => ["cookie", "authorization", "accept-encoding"].includes(name))
          .map(([name]) => name)
          .join(","),
      );
      return next(request);
    };
    const s = session({
      use: [recorder("session", seen)],
      auth: { bearer: "t0ken" },
    });
    const res = await s.get(`${server.url}/start`, { use: [recorder("request", seen), peek] });
    expect(await res.text()).toBe("done");
    expect(seen).toEqual([
      "session GET /start",
      "request GET /start",
      "request 302",
      "session 302",
      "session GET /end",
      "request GET /end",
      "request 200",
      "session 200",
    ]);
    // Credentials and the offered codings on both hops; the cookie the redirect set on the second.
    expect(headers).toEqual([
      "authorization,accept-encoding",
      "authorization,cookie,accept-encoding",
    ]);
  });

  it("sees each retry, and a middleware's own answer ends the call without the wire", async () => {
    let hits = 0;
    const server = await serve((_req, res) => {
      hits++;
      res.writeHead(hits === 1 ? 503 : 200, { "retry-after": "0" });
      res.end(`hit ${hits}`);
    });
    const seen: string[] = [];
    const s = session({ retry: { limit: 1 } });
    const res = await s.get(server.url, { use: [recorder("request", seen)] });
    expect(await res.text()).toBe("hit 2");
    expect(seen).toEqual(["request GET /", "request 503", "request GET /", "request 200"]);
    const stub: Middleware = () => async () => Response.of("stubbed", { status: 203 });
    const stubbed = await s.get(server.url, { use: [stub] });
    expect([stubbed.status, await stubbed.text(), hits]).toEqual([203, "stubbed", 2]);
  });

  it("compose nests the first middleware outermost", async () => {
    const seen: string[] = [];
    const handler = compose([recorder("a", seen), recorder("b", seen)], async () =>
      Response.of("", { status: 204 }),
    );
    await handler({ url: new URL("http://127.0.0.1/x"), method: "GET", headers: [], body: null });
    expect(seen).toEqual(["a GET /x", "b GET /x", "b 204", "a 204"]);
  });

  it("guide: the HMAC signer signs what is sent, body included", async () => {
    const secret = "s3cret";
    const server = await serve(async (req, res) => {
      const body = await readBody(req);
      const bodyHash = createHash("sha256").update(body).digest("hex");
      const signed = `${req.method}\n${req.url}\n${req.headers["x-date"]}\n${bodyHash}`;
      const expected = `HMAC key-1:${createHmac("sha256", secret).update(signed).digest("hex")}`;
      const ok =
        req.headers.authorization === expected && req.headers["x-content-sha256"] === bodyHash;
      res.writeHead(ok ? 200 : 401);
      res.end(ok ? "verified" : "bad signature");
    });
    const s = session({ use: [hmacSigner("key-1", secret)] });
    const res = await s.post(`${server.url}/orders?x=1`, { json: { item: 42 } });
    expect([res.status, await res.text()]).toEqual([200, "verified"]);
    const wrong = session({ use: [hmacSigner("key-1", "other")] });
    const refused = await wrong.post(`${server.url}/orders`, { body: "x" });
    expect([refused.status, await refused.text()]).toEqual([401, "bad signature"]);
    const streamed = (async function* () {
      yield encoder.encode("once");
    })();
    await expect(s.post(`${server.url}/orders`, { body: streamed })).rejects.toThrow(
      "a streamed body cannot be signed",
    );
  });

  it("guide: logging with timings writes one line per hop and per failure", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/old") {
        res.writeHead(301, { location: "/new" });
        return res.end();
      }
      res.end("ok");
    });
    const lines: string[] = [];
    const s = session({ use: [logTimings((line) => lines.push(line))] });
    await (await s.get(`${server.url}/old`)).text();
    await (await s.get(`${server.url}/new`)).text();
    await s.get("http://127.0.0.1:1/").catch(() => undefined);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/old 301 in \d+\.\d ms \(new connection\)$/,
    );
    expect(lines[1]).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/new 200 in \d+\.\d ms \(reused connection\)$/,
    );
    expect(lines[2]).toMatch(/\/new 200 in .* \(reused connection\)$/);
    expect(lines[3]).toMatch(/^GET http:\/\/127\.0\.0\.1:1\/ failed after \d+\.\d ms: /);
  });

  it("guide: the tiny cache answers a repeated GET from memory, decoded afresh", async () => {
    let hits = 0;
    const server = await serve((req, res) => {
      hits++;
      if (req.method !== "GET") return res.end("posted");
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" });
      res.end(gzipSync(`fresh ${req.url}`));
    });
    const s = session({ use: [tinyCache(60_000)] });
    const first = await s.get(`${server.url}/a`);
    const second = await s.get(`${server.url}/a`);
    expect([await first.text(), await second.text()]).toEqual(["fresh /a", "fresh /a"]);
    expect(second.headers.get("content-type")).toBe("text/plain");
    expect(hits).toBe(1);
    await (await s.post(`${server.url}/a`, { body: "x" })).text();
    await (await s.get(`${server.url}/b`)).text();
    expect(hits).toBe(3);
  });

  it("a middleware that watches the response it passes on sees it before decompression and redirects", async () => {
    // The built-in layers run their response steps inside the wire's own
    // `then` only without caller middleware (middleware/layer.ts onResponse):
    // with it, each keeps its own `then`, outside the caller's.
    const server = await serve((req, res) => {
      if (req.url === "/moved") {
        res.writeHead(302, { location: "/gz" });
        return res.end();
      }
      res.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" });
      res.end(gzipSync("unzipped"));
    });
    const seen: string[] = [];
    const watch: Middleware = (next) => (request) => {
      const pending = next(request);
      pending.then(
        (response) => seen.push(`${response.status} ${response.headers.get("content-encoding")}`),
        () => undefined,
      );
      return pending;
    };
    const s = session({ use: [watch] });
    const response = await s.get(`${server.url}/moved`);
    expect(await response.text()).toBe("unzipped");
    expect(seen).toEqual(["302 null", "200 gzip"]);
    // Without the watcher: the same outcome through the wire's steps.
    const plain = await session().get(`${server.url}/moved`);
    expect([plain.status, plain.url, await plain.text()]).toEqual([
      200,
      `${server.url}/gz`,
      "unzipped",
    ]);
  });
});

import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import {
  BodyWriter,
  HttpError,
  InvalidRequestError,
  ReqivoError,
  type RequestOptions,
  type Session,
  SessionClosedError,
} from "../src/index.ts";
import { SHARED_URLS_AT_MOST, SharedUrls } from "../src/resolve-url.ts";
import { raw, readBody, serve, session, untrack } from "./harness.ts";

/** An echo endpoint: reports what it received as JSON. */
const echo = async (req: IncomingMessage, res: import("node:http").ServerResponse) => {
  const body = await readBody(req);
  res.setHeader("content-type", "application/json");
  res.end(
    JSON.stringify({
      method: req.method,
      url: req.url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: body.toString("latin1"),
    }),
  );
};

describe("Session basics", () => {
  it("GETs a resource with status, case-insensitive headers, url and timings", async () => {
    const server = await serve((_req, res) => {
      res.setHeader("Content-Type", "text/plain");
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.end("hello");
    });
    const res = await session().get(`${server.url}/hello`);
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.statusText).toBe("OK");
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(res.url).toBe(`${server.url}/hello`);
    expect(res.redirected).toBe(false);
    expect(await res.text()).toBe("hello");
    expect(res.timings.firstByte).toBeGreaterThan(0);
    expect(res.timings.total).toBeGreaterThanOrEqual(res.timings.firstByte);
    expect(res.timings.reused).toBe(false);
  });

  it("reuses one keep-alive connection for sequential requests", async () => {
    const server = await serve((_req, res) => res.end("x"));
    const s = session();
    for (let i = 0; i < 5; i++) {
      const res = await s.get(server.url);
      expect(await res.text()).toBe("x");
      expect(res.timings.reused).toBe(i > 0);
    }
    expect(server.accepted).toBe(1);
  });

  it("resolves against baseUrl, adds query parameters and merges default headers", async () => {
    const server = await serve(echo);
    const s = session({
      baseUrl: `${server.url}/api/`,
      headers: { "x-default": "1", "x-both": "session" },
    });
    const res = await s.get("items", {
      query: { q: "a b", n: 2, tag: ["x", "y"] },
      headers: { "X-Both": "request" },
    });
    const seen = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe("/api/items?q=a+b&n=2&tag=x&tag=y");
    expect(seen.headers["x-default"]).toBe("1");
    expect(seen.headers["x-both"]).toBe("request");
    expect(seen.headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(seen.headers["user-agent"]).toMatch(/^reqivo/);
  });

  it("sends every body type with the right framing and content type", async () => {
    const server = await serve(echo);
    const s = session();
    const send = async (options: Parameters<Session["post"]>[1]) =>
      (await (await s.post(server.url, options)).json()) as {
        headers: Record<string, string>;
        body: string;
      };

    let seen = await send({ body: "héllo" });
    expect(seen.headers["content-length"]).toBe("6");
    expect(seen.headers["content-type"]).toBe("text/plain;charset=UTF-8");
    expect(Buffer.from(seen.body, "latin1").toString("utf8")).toBe("héllo");

    seen = await send({ json: { a: [1, 2] } });
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen.body)).toEqual({ a: [1, 2] });

    seen = await send({ body: new Uint8Array([0, 1, 255]) });
    expect(seen.headers["content-length"]).toBe("3");
    expect([...Buffer.from(seen.body, "latin1")]).toEqual([0, 1, 255]);

    seen = await send({ body: new Uint8Array([7, 8]).buffer });
    expect([...Buffer.from(seen.body, "latin1")]).toEqual([7, 8]);

    seen = await send({ body: new URLSearchParams({ a: "1", b: "x y" }) });
    expect(seen.headers["content-type"]).toBe("application/x-www-form-urlencoded;charset=UTF-8");
    expect(seen.body).toBe("a=1&b=x+y");

    seen = await send({ body: new Blob(["blob data"], { type: "text/x-blob" }) });
    expect(seen.headers["content-type"]).toBe("text/x-blob");
    expect(seen.body).toBe("blob data");

    const form = new FormData();
    form.append("field", "value");
    form.append("file", new Blob(["file contents"], { type: "text/plain" }), "a.txt");
    seen = await send({ body: form });
    const boundary = /boundary=(.+)$/.exec(seen.headers["content-type"]!)![1]!;
    expect(boundary).toMatch(/^----reqivo[0-9a-f]{32}$/);
    expect(seen.body).toContain(
      `--${boundary}\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n`,
    );
    expect(seen.body).toContain(
      'name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile contents\r\n',
    );
    expect(seen.body.endsWith(`--${boundary}--\r\n`)).toBe(true);
    expect(Number(seen.headers["content-length"])).toBe(seen.body.length);

    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed "));
        controller.enqueue(new TextEncoder().encode("body"));
        controller.close();
      },
    });
    seen = await send({ body: stream });
    expect(seen.headers["transfer-encoding"]).toBe("chunked");
    expect(seen.body).toBe("streamed body");

    async function* pieces() {
      yield "a";
      yield new Uint8Array([98]);
    }
    seen = await send({ body: pieces() });
    expect(seen.headers["transfer-encoding"]).toBe("chunked");
    expect(seen.body).toBe("ab");

    seen = await send({});
    expect(seen.headers["content-length"]).toBe("0");
  });

  it("refuses unusable input with typed errors and no socket", async () => {
    const s = session();
    await expect(s.get("not a url")).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(s.get("ftp://127.0.0.1/")).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(s.post("http://127.0.0.1:1/", { body: "x", json: {} })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(s.post("http://127.0.0.1:1/", { body: 42 as never })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(
      s.get("http://127.0.0.1:1/", { headers: { "x-bad": "a\r\nb" } }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/INVALID_HEADER_VALUE|CONNECTION_REFUSED/),
    });
  });

  it("reports connection refused as a ReqivoError with a stable code", async () => {
    const server = await serve((_req, res) => res.end());
    const port = server.port;
    await server.close();
    untrack(server);
    const error = await session()
      .get(`http://127.0.0.1:${port}/`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReqivoError);
    expect((error as ReqivoError).code).toBe("CONNECTION_REFUSED");
  });

  it("throws HttpError on 4xx/5xx only when asked", async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 503;
      res.end("down");
    });
    const s = session();
    const plain = await s.get(server.url);
    expect(plain.status).toBe(503);
    await plain.dump();
    const error = await s.get(server.url, { throwOnHttpError: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).response.status).toBe(503);
    expect(await (error as HttpError).response.text()).toBe("down");
  });

  it("releases the connection of a bodiless answer without reading it", async () => {
    const server = await serve((req, res) => {
      res.statusCode = req.url === "/204" ? 204 : 200;
      res.setHeader("content-length", "100");
      res.end(req.method === "HEAD" ? undefined : "x".repeat(100));
    });
    const s = session({ pool: { connections: 1 } });
    await s.head(server.url);
    await s.get(`${server.url}/204`);
    // With one connection allowed, these would wait forever had the first two kept theirs.
    const res = await s.get(server.url, { timeout: 2000 });
    expect(await res.text()).toHaveLength(100);
    expect(server.accepted).toBe(1);
  });

  it("closes sessions for good", async () => {
    const server = await serve((_req, res) => res.end("x"));
    const s = session();
    await (await s.get(server.url)).text();
    await s.close();
    await expect(s.get(server.url)).rejects.toBeInstanceOf(SessionClosedError);
  });
});

describe("bodies", () => {
  it("streams a response as a web ReadableStream and by async iteration", async () => {
    const server = await serve((_req, res) => {
      res.write("one,");
      setTimeout(() => res.end("two"), 20);
    });
    const s = session();
    const viaStream = await s.get(server.url);
    const reader = viaStream.body.getReader();
    let text = "";
    for (let r = await reader.read(); !r.done; r = await reader.read())
      text += new TextDecoder().decode(r.value);
    expect(text).toBe("one,two");

    const viaIteration = await s.get(server.url);
    const pieces: string[] = [];
    for await (const piece of viaIteration) pieces.push(new TextDecoder().decode(piece));
    expect(pieces.join("")).toBe("one,two");
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(viaIteration.bodyUsed).toBe(true);
    await expect(viaIteration.text()).rejects.toMatchObject({ code: "BODY_USED" });
  });

  it("delivers trailers after a chunked body", async () => {
    const server = await serve((_req, res) => {
      res.setHeader("trailer", "x-checksum");
      res.write("data");
      res.addTrailers({ "x-checksum": "abc" });
      res.end();
    });
    const res = await session().get(server.url);
    expect(res.trailers).toBeUndefined();
    expect(await res.text()).toBe("data");
    expect(res.trailers?.get("X-Checksum")).toBe("abc");
  });

  it("dump() keeps the connection for small rests, cancel() closes it", async () => {
    const server = await serve((_req, res) => res.end("x".repeat(1000)));
    const s = session();
    await (await s.get(server.url)).dump();
    await (await s.get(server.url)).dump();
    expect(server.accepted).toBe(1);
    const res = await s.get(server.url);
    res.cancel();
    await (await s.get(server.url)).text();
    expect(server.accepted).toBe(2);
  });

  it("breaking out of iteration early closes the connection instead of leaking it", async () => {
    const server = await serve((_req, res) => {
      res.write("a");
      setTimeout(() => res.end("b"), 50);
    });
    const s = session({ pool: { connections: 1 } });
    for await (const _ of await s.get(server.url)) break;
    const res = await s.get(server.url, { timeout: 2000 });
    expect(await res.text()).toBe("ab");
  });

  it("writes the request body while the response is read (full duplex)", async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.flushHeaders();
      req.on("data", (d: Buffer) => res.write(`ack:${d.toString()};`));
      req.on("end", () => res.end("done"));
    });
    const writer = new BodyWriter();
    const pending = session().post(server.url, { body: writer });
    await writer.write("one");
    const res = await pending;
    const iterator = res[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(new TextDecoder().decode(first.value)).toBe("ack:one;");
    await writer.write("two");
    const second = await iterator.next();
    expect(new TextDecoder().decode(second.value)).toBe("ack:two;");
    writer.close();
    let rest = "";
    for (let r = await iterator.next(); !r.done; r = await iterator.next())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toBe("done");
  });

  it("refuses a multipart file whose type carries CR/LF before any byte is sent", async () => {
    let requests = 0;
    const server = await serve((_req, res) => {
      requests += 1;
      res.end();
    });
    class TypeOverridingFile extends File {
      override get type(): string {
        return "text/plain\r\nX-Injected: 1";
      }
    }
    const form = new FormData();
    form.append("upload", new TypeOverridingFile(["x"], "a.txt"));
    const failure = await session()
      .post(server.url, { body: form })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(InvalidRequestError);
    expect(failure).toMatchObject({ code: "INVALID_REQUEST" });
    expect(server.accepted).toBe(0);
    expect(requests).toBe(0);
  });

  it("refuses a multipart file type with NUL or a byte outside visible ASCII", async () => {
    const server = await serve((_req, res) => res.end());
    const s = session();
    for (const type of ["text/plain\0", "text/pl\u00e4in", "text/plain\x7f"]) {
      class TypeOverridingFile extends File {
        override get type(): string {
          return type;
        }
      }
      const form = new FormData();
      form.append("upload", new TypeOverridingFile(["x"], "a.txt"));
      await expect(s.post(server.url, { body: form })).rejects.toBeInstanceOf(InvalidRequestError);
    }
    expect(server.accepted).toBe(0);
  });

  it("encodes multipart names and filenames with CR, LF and quotes as the HTML algorithm does", async () => {
    const server = await serve(echo);
    const form = new FormData();
    form.append('a\nb\rc\r\nd"e', "value");
    form.append('up\nload"', new File(["contents"], 'f\n\r"\r\n.txt', { type: "text/plain" }));
    const seen = (await (await session().post(server.url, { body: form })).json()) as {
      headers: Record<string, string>;
      body: string;
    };
    const boundary = /boundary=(.+)$/.exec(seen.headers["content-type"]!)![1]!;
    expect(seen.body).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="a%0D%0Ab%0D%0Ac%0D%0Ad%22e"\r\n\r\nvalue\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="up%0D%0Aload%22"; filename="f%0A%0D%22%0D%0A.txt"\r\n` +
        "Content-Type: text/plain\r\n\r\ncontents\r\n" +
        `--${boundary}--\r\n`,
    );
  });
});

describe("interim responses", () => {
  it("reports 103 Early Hints through onInformational", async () => {
    const server = await serve((_req, res) => {
      res.writeEarlyHints({ link: "</a.css>; rel=preload" });
      res.end("final");
    });
    const seen: [number, string | null][] = [];
    const res = await session().get(server.url, {
      onInformational: (status, headers) => seen.push([status, headers.get("link")]),
    });
    expect(seen).toEqual([[103, "</a.css>; rel=preload"]]);
    expect(await res.text()).toBe("final");
  });

  it("holds the body for Expect: 100-continue until the server says continue", async () => {
    const events: string[] = [];
    const server = await serve(async (req, res) => {
      events.push(`request expect=${req.headers.expect}`);
      res.end(`got ${(await readBody(req)).length}`);
    });
    const informational: number[] = [];
    const res = await session().put(server.url, {
      body: "x".repeat(100_000),
      expectContinue: 5000,
      onInformational: (status) => informational.push(status),
    });
    expect(await res.text()).toBe("got 100000");
    expect(events).toEqual(["request expect=100-continue"]);
    expect(informational).toEqual([100]);
  });

  it("does not send the body when the server answers Expect: 100-continue with a final status", async () => {
    let afterHead = 0;
    const server = await raw((socket) => {
      let head = "";
      socket.on("data", (d: Buffer) => {
        if (head.includes("\r\n\r\n")) {
          afterHead += d.length;
          return;
        }
        head += d.toString("latin1");
        if (head.includes("\r\n\r\n")) {
          afterHead += head.length - head.indexOf("\r\n\r\n") - 4;
          socket.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 7\r\n\r\ntoo big");
        }
      });
    });
    const res = await session().put(server.url, {
      body: "x".repeat(100_000),
      expectContinue: 2000,
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe("too big");
    await new Promise((r) => setTimeout(r, 50));
    expect(afterHead).toBe(0);
  });

  it("stops a streamed upload once an error answer says the connection closes (RFC 9112 §9.5)", async () => {
    const server = await raw((socket) => {
      let head = "";
      socket.on("data", (d: Buffer) => {
        if (head.includes("\r\n\r\n")) return;
        head += d.toString("latin1");
        if (head.includes("\r\n\r\n"))
          socket.write(
            "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 7\r\n\r\ntoo big",
          );
      });
    });
    let pulled = 0;
    async function* pieces() {
      for (let i = 0; i < 10_000; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        pulled++;
        yield new Uint8Array(1024);
      }
    }
    const res = await session().post(server.url, { body: pieces() });
    expect(res.status).toBe(413);
    // The body is not read yet: still, no further piece is taken.
    await new Promise((r) => setTimeout(r, 30));
    const seen = pulled;
    await new Promise((r) => setTimeout(r, 30));
    expect(pulled).toBe(seen);
    expect(pulled).toBeLessThan(10_000);
    expect(await res.text()).toBe("too big");
  });
});

describe("URLs shared between calls", () => {
  it("a URL a middleware or hook changed never reaches a later call to the same string", async () => {
    const server = await serve(echo);
    const s = session();
    const target = `${server.url}/p`;
    const seen = async (options: RequestOptions = {}) =>
      ((await (await s.get(target, options)).json()) as { url: string }).url;
    expect(await seen()).toBe("/p");
    const tagged = await seen({
      use: [
        (next) => (request) => {
          request.url.searchParams.set("x", "1");
          return next(request);
        },
      ],
    });
    expect(tagged).toBe("/p?x=1");
    expect(await seen()).toBe("/p");
    const hooked = await seen({
      hooks: {
        beforeRequest: [
          (request) => {
            request.url.pathname = "/q";
          },
        ],
      },
    });
    expect(hooked).toBe("/q");
    expect(await seen()).toBe("/p");
  });

  it("credentials in a URL string go with every call to it", async () => {
    const server = await serve(echo);
    const s = session();
    const target = `http://ada:s3cret@127.0.0.1:${server.port}/c`;
    for (let i = 0; i < 2; i++) {
      const { headers } = (await (await s.get(target)).json()) as {
        headers: Record<string, string>;
      };
      expect(headers.authorization).toBe(`Basic ${btoa("ada:s3cret")}`);
    }
  });

  it("keeps at most 64 URLs, and none with credentials", () => {
    const urls = new SharedUrls();
    for (let i = 0; i < 100; i++) {
      const input = `http://127.0.0.1:1/${i}`;
      urls.keep(input, new URL(input));
    }
    expect(urls.size).toBeLessThanOrEqual(SHARED_URLS_AT_MOST);
    expect(urls.get("http://127.0.0.1:1/99")?.pathname).toBe("/99");
    urls.keep("http://a:b@127.0.0.1:1/", new URL("http://a:b@127.0.0.1:1/"));
    expect(urls.get("http://a:b@127.0.0.1:1/")).toBeUndefined();
  });
});

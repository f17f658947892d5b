// How a call ends, whichever way its promise is made: Session.request's own
// `then`, or the wire's promise handed to the caller as it is (no caller
// middleware, layers only joining steps), where the wire marks the response
// final and runs the failure path itself (send.ts). Each case runs both ways.
import { describe, expect, it, vi } from "vitest";
import {
  AbortError,
  DecompressionError,
  InvalidRequestError,
  type Middleware,
  type ReqivoError,
  type RequestOptions,
} from "../src/index.ts";
import { raw, serve, session } from "./harness.ts";
import { onRequests } from "./servers.ts";

const passThrough: Middleware = (next) => (request) => next(request);
const WAYS: [string, RequestOptions][] = [
  ["the wire's promise", {}],
  ["with caller middleware", { use: [passThrough] }],
];

/** An onError hook that records what it saw and wraps it. */
function wrapping(seen: unknown[]) {
  return (error: unknown, context: { url?: URL; method: string }) => {
    seen.push(error);
    return new InvalidRequestError(`wrapped ${context.method} ${context.url?.pathname}`, {
      cause: error,
    });
  };
}

describe.each(WAYS)("call outcome (%s)", (_way, way) => {
  it("the response is final: the signal's listener goes once its body is read", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/from") {
        res.writeHead(302, { location: "/to" });
        res.end();
      } else res.end("done");
    });
    const s = session();
    // The first request may load the decompression codecs (a `then` of its own): not the case looked at.
    expect(await (await s.get(`${server.url}/to`, way)).text()).toBe("done");
    for (const path of ["/to", "/from"]) {
      const controller = new AbortController();
      const removed = vi.spyOn(controller.signal, "removeEventListener");
      const res = await s.get(`${server.url}${path}`, { ...way, signal: controller.signal });
      expect(await res.text()).toBe("done");
      expect(removed).toHaveBeenCalledWith("abort", expect.any(Function));
    }
  });

  it("onError hooks see a failure on a reused connection, and replace it", async () => {
    let count = 0;
    const server = await raw((socket) =>
      onRequests(socket, () =>
        socket.write(
          ++count === 1 ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" : "HTTP/1.1 abc\r\n\r\n",
        ),
      ),
    );
    const s = session();
    expect(await (await s.get(`${server.url}/first`, way)).text()).toBe("ok");
    const seen: unknown[] = [];
    const error = await s
      .get(`${server.url}/second`, { ...way, hooks: { onError: [wrapping(seen)] } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toBe("wrapped GET /second");
    expect(seen).toHaveLength(1);
    expect((seen[0] as ReqivoError).code).toBeTypeOf("string");
  });

  it("an abort wins over the connection error it caused, and onError sees the abort", async () => {
    const server = await raw(() => {}); // never answers
    const controller = new AbortController();
    const seen: unknown[] = [];
    const pending = session().get(server.url, {
      ...way,
      signal: controller.signal,
      hooks: { onError: [wrapping(seen)] },
    });
    setTimeout(() => controller.abort("gave up"), 30);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(AbortError);
    expect((seen[0] as AbortError).cause).toBe("gave up");
  });

  it("onError hooks see what a layer throws at the head (decompression)", async () => {
    const server = await serve((_req, res) => {
      res.setHeader("content-encoding", "gzip, gzip, gzip");
      res.end("x");
    });
    const seen: unknown[] = [];
    const error = await session()
      .get(`${server.url}/three`, { ...way, hooks: { onError: [wrapping(seen)] } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(seen[0]).toBeInstanceOf(DecompressionError);
    expect((seen[0] as DecompressionError).code).toBe("TOO_MANY_ENCODINGS");
  });

  it("onError hooks see a redirect's failure, with the hop that failed", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: "http://127.0.0.1:1/gone" });
      res.end();
    });
    const seen: unknown[] = [];
    const error = await session()
      .get(`${server.url}/from`, { ...way, hooks: { onError: [wrapping(seen)] } })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("wrapped GET /gone");
    expect((seen[0] as ReqivoError).code).toBe("CONNECTION_REFUSED");
  });

  it("onError hooks see a failure before the request's first write (a bad method)", async () => {
    const server = await serve((_req, res) => res.end("ok"));
    const s = session();
    expect(await (await s.get(server.url, way)).text()).toBe("ok");
    const seen: unknown[] = [];
    const error = await s
      .request(`${server.url}/bad`, {
        ...way,
        method: "BAD METHOD",
        hooks: { onError: [wrapping(seen)] },
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("wrapped BAD METHOD /bad");
    expect(seen).toHaveLength(1);
  });
});

// fetch() compatibility cases (issue 15) shared by the Node, Deno and Bun
// runs: each runtime brings its own transport; the servers are node:http and
// node:net on 127.0.0.1, which all three runtimes provide.
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Transport } from "@reqivo/transport";
import { createFetch, ReqivoError, Session, type SessionOptions } from "../../src/index.ts";
import { httpServer, type Running, rawServer } from "../servers.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A node:http server that records every request; `route` answers, or the request is echoed as JSON. */
async function recordingServer(
  route?: (req: IncomingMessage, res: ServerResponse, seen: Seen) => boolean,
): Promise<Running & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await httpServer(async (req, res) => {
    const parts: Buffer[] = [];
    try {
      for await (const part of req) parts.push(part as Buffer);
    } catch {
      // The client hung up before its request was whole (the abort cases
      // close early); Deno's node:http reports it as a rejection here, which
      // must not escape as an uncaught error of the test module.
      res.destroy();
      return;
    }
    const entry = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(parts).toString("latin1"),
    };
    seen.push(entry);
    if (route?.(req, res, entry)) return;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(entry));
  });
  return Object.assign(server, { seen });
}

/** 307 and 308 to /echo; /stall never answers; anything else is echoed. */
const redirecting = (req: IncomingMessage, res: ServerResponse) => {
  const code = /^\/(30[1278])$/.exec(req.url ?? "")?.[1];
  if (code !== undefined) {
    res.writeHead(Number(code), { location: "/echo" });
    res.end();
    return true;
  }
  return req.url === "/stall";
};

/** The rejection of `promise` (fails when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

/** Asserts a network-error rejection: TypeError("fetch failed") caused by a coded Reqivo error. */
function assertNetworkError(error: unknown, code?: string): void {
  assert.ok(error instanceof TypeError, `not a TypeError: ${String(error)}`);
  assert.equal(error.message, "fetch failed");
  assert.ok(error.cause instanceof ReqivoError, `cause: ${String(error.cause)}`);
  assert.equal(typeof error.cause.code, "string");
  if (code !== undefined) assert.equal(error.cause.code, code);
}

export function fetchCases(createTransport: () => Transport): Record<string, () => Promise<void>> {
  const servers: Running[] = [];
  const sessions: Session[] = [];
  /** A fetch on a fresh session; sessions and servers are closed by `cleanly`. */
  const newFetch = (options: Partial<SessionOptions> = {}) => {
    const session = new Session({ transport: createTransport(), ...options });
    sessions.push(session);
    return createFetch(session);
  };
  const track = <T extends Running>(server: T) => {
    servers.push(server);
    return server;
  };
  const cleanly = (run: () => Promise<void>) => async (): Promise<void> => {
    try {
      await run();
    } finally {
      for (const session of sessions.splice(0)) await session.close();
      for (const server of servers.splice(0)) await server.close();
    }
  };

  const cases: Record<string, () => Promise<void>> = {
    async "a Request's string, bytes, Blob, FormData and URLSearchParams bodies keep their length through 307 and 308"() {
      const server = track(await recordingServer(redirecting));
      const fetch = newFetch();
      const form = new FormData();
      form.append("a", "1");
      const bodies: [string, () => BodyInit][] = [
        ["string", () => "unicorn"],
        ["bytes", () => new TextEncoder().encode("unicorn")],
        ["Blob", () => new Blob(["unicorn"])],
        ["FormData", () => form],
        ["URLSearchParams", () => new URLSearchParams({ a: "1" })],
      ];
      for (const status of [307, 308]) {
        for (const [kind, body] of bodies) {
          server.seen.length = 0;
          const request = new Request(`${server.url}/${status}`, { method: "POST", body: body() });
          const res = await fetch(request);
          assert.equal(res.status, 200, kind);
          assert.equal(res.redirected, true);
          assert.equal(server.seen.length, 2, kind);
          for (const hop of server.seen) {
            assert.equal(hop.method, "POST", kind);
            assert.equal(hop.headers["transfer-encoding"], undefined, `${kind} went chunked`);
            assert.equal(hop.headers["content-length"], String(hop.body.length), kind);
            assert.equal(hop.body, server.seen[0]?.body, `${kind} changed on the redirect`);
          }
          if (kind === "string") assert.equal(server.seen[1]?.body, "unicorn");
          await res.body?.cancel();
        }
      }
    },

    async "a caller's own stream as the init body goes chunked and is not sent again on a 307"() {
      const server = track(await recordingServer(redirecting));
      const fetch = newFetch();
      const stream = () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("streamed"));
            controller.close();
          },
        });
      const res = await fetch(`${server.url}/echo`, {
        method: "POST",
        body: stream(),
        duplex: "half",
      });
      const echoed = (await res.json()) as Seen;
      assert.equal(echoed.headers["transfer-encoding"], "chunked");
      assert.equal(echoed.body, "streamed");
      const error = await rejection(
        fetch(`${server.url}/307`, { method: "POST", body: stream(), duplex: "half" }),
      );
      assertNetworkError(error, "REDIRECT");
    },

    async "a Request's stream body is sent with its length when short, chunked past the 8 MiB bound"() {
      const server = track(
        await recordingServer((_req, res, seen) => {
          res.end(String(seen.body.length));
          return true;
        }),
      );
      const fetch = newFetch();
      const piece = new Uint8Array(64 * 1024).fill(97);
      const streamOf = (pieces: number) => {
        let left = pieces;
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            if (left-- > 0) controller.enqueue(piece);
            else controller.close();
          },
        });
      };
      const init = { method: "POST", duplex: "half" } as RequestInit;
      const short = await fetch(new Request(server.url, { ...init, body: streamOf(3) }));
      assert.equal(await short.text(), String(3 * piece.length));
      assert.equal(server.seen[0]?.headers["content-length"], String(3 * piece.length));
      const pieces = (8 * 1024 * 1024) / piece.length + 16;
      const long = await fetch(new Request(server.url, { ...init, body: streamOf(pieces) }));
      assert.equal(await long.text(), String(pieces * piece.length));
      assert.equal(server.seen[1]?.headers["transfer-encoding"], "chunked");
    },

    async "an abort rejects with the signal's own reason, also while the body is read"() {
      const server = track(
        await recordingServer((req, res) => {
          if (req.url !== "/drip") return redirecting(req, res);
          res.writeHead(200, { "content-type": "text/plain" });
          res.write("first");
          return true;
        }),
      );
      const fetch = newFetch();
      const custom = { why: "mine" };
      const controller = new AbortController();
      const pending = fetch(`${server.url}/stall`, { signal: controller.signal });
      for (let i = 0; i < 200 && server.seen.length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort(custom);
      assert.equal(await rejection(pending), custom);

      const timedOut = await rejection(
        fetch(`${server.url}/stall`, { signal: AbortSignal.timeout(30) }),
      );
      assert.ok(timedOut instanceof DOMException, String(timedOut));
      assert.equal(timedOut.name, "TimeoutError");

      const before = server.seen.length;
      const already = new AbortController();
      already.abort(custom);
      assert.equal(
        await rejection(fetch(`${server.url}/echo`, { signal: already.signal })),
        custom,
      );
      assert.equal(server.seen.length, before, "an aborted signal sent a request");

      const midBody = new AbortController();
      const res = await fetch(`${server.url}/drip`, { signal: midBody.signal });
      const reader = res.body!.getReader();
      const first = await reader.read();
      assert.equal(new TextDecoder().decode(first.value), "first");
      midBody.abort(custom);
      assert.equal(await rejection(reader.read()), custom);

      const viaRequest = new AbortController();
      const request = new Request(`${server.url}/stall`, { signal: viaRequest.signal });
      const pendingRequest = fetch(request);
      viaRequest.abort(custom);
      // The Request's signal follows the controller's: its reason is the custom one.
      assert.equal(await rejection(pendingRequest), custom);
    },

    async "refused, reset, malformed, TLS and DNS failures are TypeError('fetch failed') with a coded cause"() {
      const closed = await rawServer(() => undefined);
      const refusedUrl = closed.url;
      await closed.close();
      const fetch = newFetch();
      assertNetworkError(await rejection(fetch(refusedUrl)), "CONNECTION_REFUSED");

      const reset = track(
        await rawServer((socket: Socket) => socket.on("data", () => socket.resetAndDestroy())),
      );
      assertNetworkError(await rejection(fetch(reset.url)));

      const malformed = track(
        await rawServer((socket: Socket) =>
          socket.on("data", () => socket.end("this is not HTTP\r\n\r\n")),
        ),
      );
      assertNetworkError(await rejection(fetch(malformed.url)));

      const notTls = track(
        await rawServer((socket: Socket) =>
          socket.on("data", () => socket.end("HTTP/1.1 200 OK\r\n\r\n")),
        ),
      );
      assertNetworkError(await rejection(fetch(`https://127.0.0.1:${notTls.port}/`)));

      const noDns = newFetch({
        dns: {
          lookup: async () => {
            throw new Error("no such host");
          },
        },
      });
      assertNetworkError(await rejection(noDns("http://nowhere.reqivo.test/")), "DNS_FAILURE");
      assertNetworkError(await rejection(fetch("ftp://127.0.0.1/")));
    },

    async "a body cut off while it is read errors with TypeError('terminated') and a coded cause"() {
      const cut = track(
        await rawServer((socket: Socket) =>
          socket.on("data", () => {
            socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nfive!");
            setTimeout(() => socket.destroy(), 20);
          }),
        ),
      );
      const fetch = newFetch();
      const res = await fetch(cut.url);
      const error = await rejection(res.text());
      assert.ok(error instanceof TypeError, String(error));
      assert.equal(error.message, "terminated");
      assert.ok(error.cause instanceof ReqivoError, String(error.cause));
    },

    async "a declared Content-Length that does not match the body is refused before any byte is sent"() {
      const server = track(await recordingServer());
      const fetch = newFetch();
      const error = await rejection(
        fetch(`${server.url}/`, {
          method: "POST",
          headers: { "content-length": "0" },
          body: "sup",
        }),
      );
      assertNetworkError(error, "CONTENT_LENGTH_MISMATCH");
      const noBody = await rejection(
        fetch(`${server.url}/`, { method: "PUT", headers: { "content-length": "5" } }),
      );
      assertNetworkError(noBody, "CONTENT_LENGTH_MISMATCH");
      assert.equal(server.accepted, 0, "a connection was opened");
      const res = await fetch(`${server.url}/`, {
        method: "POST",
        headers: { "content-length": "3" },
        body: "sup",
      });
      assert.equal(((await res.json()) as Seen).body, "sup");
    },

    async "init members a wrapper keeps for itself change nothing"() {
      const server = track(
        await recordingServer((req, res) => {
          if (req.url !== "/late") return false;
          setTimeout(() => res.end("late"), 60);
          return true;
        }),
      );
      const fetch = newFetch();
      const wrapperInit = {
        timeout: 1,
        retry: 3,
        baseURL: "http://elsewhere.invalid",
        responseType: "json",
        onRequest: () => assert.fail("called"),
      };
      const late = await fetch(`${server.url}/late`, wrapperInit as RequestInit);
      assert.equal(await late.text(), "late");
      const zero = await fetch(`${server.url}/late`, { timeout: 0 } as RequestInit);
      assert.equal(await zero.text(), "late");
      assert.equal(server.seen.length, 2);
    },

    async "Accept: */* is added when absent; the caller's Accept and the cache-mode headers"() {
      const server = track(await recordingServer());
      const fetch = newFetch();
      const plain = (await (await fetch(`${server.url}/`)).json()) as Seen;
      assert.equal(plain.headers.accept, "*/*");
      assert.ok(plain.headers["user-agent"]);
      const own = (await (
        await fetch(`${server.url}/`, { headers: { Accept: "text/plain" } })
      ).json()) as Seen;
      assert.equal(own.headers.accept, "text/plain");
      const noStore = (await (await fetch(`${server.url}/`, { cache: "no-store" })).json()) as Seen;
      assert.equal(noStore.headers.pragma, "no-cache");
      assert.equal(noStore.headers["cache-control"], "no-cache");
      const noCache = (await (await fetch(`${server.url}/`, { cache: "no-cache" })).json()) as Seen;
      assert.equal(noCache.headers["cache-control"], "max-age=0");
    },

    async "redirect modes, url, redirected and type, also on a clone, and a Request's own headers and redirect"() {
      const server = track(await recordingServer(redirecting));
      const fetch = newFetch();
      const followed = await fetch(`${server.url}/302#frag`);
      assert.equal(followed.url, `${server.url}/echo`);
      assert.equal(followed.redirected, true);
      assert.equal(followed.type, "basic");
      const copy = followed.clone();
      assert.equal(copy.url, `${server.url}/echo`);
      assert.equal(copy.redirected, true);
      assert.equal(copy.type, "basic");
      assert.deepEqual(await copy.json(), await followed.json());

      const manual = await fetch(`${server.url}/301`, { redirect: "manual" });
      assert.equal(manual.status, 301);
      assert.equal(manual.headers.get("location"), "/echo");
      assert.equal(manual.redirected, false);
      await manual.body?.cancel();

      assertNetworkError(await rejection(fetch(`${server.url}/302`, { redirect: "error" })));
      const request = new Request(`${server.url}/302`, {
        redirect: "manual",
        headers: { "x-from": "request" },
      });
      const viaRequest = await fetch(request);
      assert.equal(viaRequest.status, 302);
      assert.equal(server.seen.at(-1)?.headers["x-from"], "request");
      await viaRequest.body?.cancel();
      await assert.rejects(
        fetch(`${server.url}/`, { redirect: "sideways" as RequestRedirect }),
        TypeError,
      );
    },

    async "integrity: the body is checked against the strongest listed hash"() {
      const server = track(
        await recordingServer((_req, res) => {
          res.end("alert('Hello, world.');");
          return true;
        }),
      );
      const fetch = newFetch();
      const url = `${server.url}/`;
      // The SRI specification's own example digest of this body.
      const good = "sha384-H8BRh8j48O9oYatfu5AZzq6A9RINhZO5H16dQZngK7T62em8MUt1FLm52t+eX6xO";
      const ok = await fetch(url, { integrity: `sha256-unknownButWeaker ${good}` });
      assert.equal(await ok.text(), "alert('Hello, world.');");
      const bad = await rejection(fetch(url, { integrity: "sha512-AAAA sha256-BBBB" }));
      assertNetworkError(bad, "INTEGRITY_MISMATCH");
      const unknownOnly = await fetch(url, { integrity: "md5-whatever" });
      assert.equal(unknownOnly.status, 200);
      await unknownOnly.body?.cancel();
    },

    async "a status the Response constructor refuses and unsupported modes are TypeErrors"() {
      const weird = track(
        await rawServer((socket: Socket) =>
          socket.on("data", () => socket.end("HTTP/1.1 600 Odd\r\ncontent-length: 0\r\n\r\n")),
        ),
      );
      const fetch = newFetch();
      assertNetworkError(await rejection(fetch(weird.url)), "UNSUPPORTED_STATUS");
      const server = track(await recordingServer());
      const url = `${server.url}/`;
      await assert.rejects(fetch(url, { mode: "navigate" }), TypeError);
      await assert.rejects(fetch(url, { credentials: "omit" }), TypeError);
      await assert.rejects(fetch(url, { method: "CONNECT" }), TypeError);
      await assert.rejects(fetch(url, { window: {} as unknown as null }), TypeError);
      assert.equal(server.seen.length, 0);
      const omitting = newFetch({ cookies: false });
      const res = await omitting(url, { credentials: "omit", mode: "cors", keepalive: true });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    },
  };
  return Object.fromEntries(Object.entries(cases).map(([name, run]) => [name, cleanly(run)]));
}

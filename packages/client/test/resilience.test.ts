// The client against servers that misbehave: stale keep-alive connections,
// unsolicited bytes, stalls, lies and resets; plus the pool's limits and the
// request's time limits and cancellation.
import { describe, expect, it } from "vitest";
import {
  AbortError,
  BodyTimeoutError,
  DeadlineExceededError,
  HeadersTimeoutError,
  ProtocolError,
  TimeoutError,
} from "../src/index.ts";
import { raw, session, track } from "./harness.ts";
import { eventually, httpServer, onRequests } from "./servers.ts";

const ok = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

describe("stale and poisoned connections", () => {
  it("retries once on a fresh connection when the server closed the idle one", async () => {
    // Answers one request per connection, then closes without saying so.
    const server = await raw((socket) => {
      onRequests(socket, () => {
        socket.end(ok("fresh"));
      });
    });
    const s = session();
    expect(await (await s.get(server.url)).text()).toBe("fresh");
    // The idle connection may or may not have been noticed as closed yet: either way the request succeeds.
    expect(await (await s.get(server.url)).text()).toBe("fresh");
    expect(await (await s.get(server.url)).text()).toBe("fresh");
    expect(server.accepted).toBe(3);
  });

  it("retries a stale connection that was not noticed while idle", async () => {
    // Keeps the connection open after the first answer, then resets it as the second request arrives.
    const server = await raw((socket, index) => {
      onRequests(socket, (_head, n) => {
        if (index === 1 && n === 1) socket.resetAndDestroy();
        else socket.write(ok(`conn${index}`));
      });
    });
    const s = session();
    expect(await (await s.get(server.url)).text()).toBe("conn1");
    expect(await (await s.get(server.url)).text()).toBe("conn2");
  });

  it("never matches an unsolicited response to the next request", async () => {
    const server = await raw((socket, index) => {
      onRequests(socket, () => {
        // A second, unasked-for response right behind the first.
        socket.write(ok(`real${index}`) + ok("evil"));
      });
    });
    const s = session();
    expect(await (await s.get(server.url)).text()).toBe("real1");
    const second = await (await s.get(server.url)).text();
    expect(second).not.toBe("evil");
    expect(second).toBe("real2");
  });
});

describe("hostile responses", () => {
  it("fails with a ProtocolError on garbage and closes the connection", async () => {
    const server = await raw((socket) =>
      onRequests(socket, () => socket.write("HTTP/1.1 2OO OK\r\n\r\n")),
    );
    const error = await session()
      .get(server.url)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe("INVALID_STATUS_CODE");
  });

  it("reports a body shorter than its Content-Length", async () => {
    const server = await raw((socket) =>
      onRequests(socket, () =>
        socket.end("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"),
      ),
    );
    const res = await session().get(server.url);
    await expect(res.text()).rejects.toMatchObject({ code: "INCOMPLETE_MESSAGE" });
  });

  it("reports a peer reset in the middle of the body", async () => {
    const server = await raw((socket) =>
      onRequests(socket, () => {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome");
        setTimeout(() => socket.resetAndDestroy(), 20);
      }),
    );
    const res = await session().get(server.url);
    await expect(res.text()).rejects.toMatchObject({
      code: expect.stringMatching(/CONNECTION_RESET|INCOMPLETE_MESSAGE/),
    });
  });

  it("refuses an endless head at the header limit", async () => {
    const server = await raw((socket) =>
      onRequests(socket, () => {
        socket.write("HTTP/1.1 200 OK\r\n");
        socket.write(`X-Big: ${"a".repeat(100_000)}`);
      }),
    );
    const error = await session({ limits: { maxHeaderBytes: 16 * 1024 } })
      .get(server.url)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "HEADERS_TOO_LARGE" });
  });
});

describe("time limits and cancellation", () => {
  it("raises HeadersTimeoutError when no head comes", async () => {
    const server = await raw(() => undefined);
    const started = Date.now();
    const error = await session()
      .get(server.url, { timeout: { headers: 100 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeadersTimeoutError);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("raises BodyTimeoutError when the body stalls", async () => {
    const server = await raw((socket) =>
      onRequests(socket, () => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")),
    );
    const res = await session().get(server.url, { timeout: { body: 100 } });
    await expect(res.text()).rejects.toBeInstanceOf(BodyTimeoutError);
  });

  it("lets a slow but steady body through the body timeout", async () => {
    const server = await raw((socket) =>
      onRequests(socket, () => {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
        let sent = 0;
        const drip = setInterval(() => {
          socket.write("x");
          if (++sent === 12) clearInterval(drip);
        }, 50);
      }),
    );
    // The whole body takes ~600 ms, twice the limit; no gap comes near it (a loaded machine
    // may stretch a 50 ms gap, hardly sixfold).
    const res = await session().get(server.url, { timeout: { body: 300 } });
    expect(await res.text()).toBe("x".repeat(12));
  });

  it("raises DeadlineExceededError when the whole request takes too long", async () => {
    const server = await raw((socket) =>
      onRequests(socket, () => {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        const drip = setInterval(() => socket.write("x"), 60);
        socket.on("close", () => clearInterval(drip));
      }),
    );
    // The body alone needs 300 ms. On a loaded machine the deadline may pass before the
    // head is read: the request then fails in get() instead of text(), with the same error.
    const outcome = await session()
      .get(server.url, { timeout: { total: 150, body: 1000 } })
      .then((res) => res.text())
      .then(
        (text) => text,
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(DeadlineExceededError);
  });

  it("aborts by signal with the reason as cause, closing only that request's connection", async () => {
    const server = await httpServer((req, res) => {
      if (req.url === "/slow") return; // never answers
      res.end("fast");
    });
    track(server);
    const s = session();
    await (await s.get(`${server.url}/fast`)).text();
    const controller = new AbortController();
    const pending = s.get(`${server.url}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort("user gave up"), 30);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe("user gave up");
    // Other requests carry on.
    expect(await (await s.get(`${server.url}/fast`)).text()).toBe("fast");
    const aborted = new AbortController();
    aborted.abort("before start");
    await expect(s.get(server.url, { signal: aborted.signal })).rejects.toMatchObject({
      code: "ABORTED",
      cause: "before start",
    });
  });

  it("aborts while the body is being read", async () => {
    const server = await raw((socket) =>
      onRequests(socket, () => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")),
    );
    const controller = new AbortController();
    const res = await session().get(server.url, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 30);
    await expect(res.text()).rejects.toBeInstanceOf(AbortError);
  });
});

describe("pool", () => {
  it("caps connections per origin and queues the rest in order", async () => {
    let inFlight = 0;
    let peak = 0;
    const server = await httpServer((_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end("ok");
      }, 20);
    });
    track(server);
    const s = session({ pool: { connections: 2 } });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const res = await s.get(`${server.url}/${i}`);
        await res.text();
        order.push(i);
      }),
    );
    expect(peak).toBe(2);
    expect(server.accepted).toBe(2);
    expect(order).toHaveLength(8);
    expect(
      s.poolStats()[`http:127.0.0.1:${server.port}`] ?? Object.values(s.poolStats())[0],
    ).toMatchObject({ total: 2, idle: 2 });
  });

  it("a request waiting for a connection ends at its deadline and leaves the queue", async () => {
    // The one connection's first answer is held until the waiting request has given up.
    let answer: () => void = () => undefined;
    const server = await raw((socket) =>
      onRequests(socket, (_head, n) => {
        if (n === 0) answer = () => socket.write(ok("first"));
        else socket.write(ok(`then ${n}`));
      }),
    );
    const s = session({ pool: { connections: 1 } });
    const first = s.get(server.url);
    await eventually(() => server.accepted === 1);
    const waited = await s.get(server.url, { timeout: { total: 100 } }).catch((e: unknown) => e);
    expect(waited).toBeInstanceOf(DeadlineExceededError);
    expect(Object.values(s.poolStats())[0]).toMatchObject({ total: 1, waiting: 0 });
    answer();
    expect(await (await first).text()).toBe("first");
    // The slot was not lost: the one connection serves the next request.
    expect(await (await s.get(server.url)).text()).toBe("then 1");
    expect(server.accepted).toBe(1);
  });

  it("reuses the most recently used idle connection first (LIFO)", async () => {
    const server = await raw((socket, index) =>
      onRequests(socket, () => socket.write(ok(String(index)))),
    );
    const s = session();
    // Two connections at once, the second finishing last.
    const [a, b] = await Promise.all([s.get(server.url), s.get(server.url)]);
    const first = await a!.text();
    const second = await b!.text();
    expect(new Set([first, second])).toEqual(new Set(["1", "2"]));
    // The last one released is reused.
    expect(await (await s.get(server.url)).text()).toBe(second);
  });

  it("closes each idle connection at its own idle timeout", async () => {
    // Connection 1 answers at once, connection 2 a second later: it goes idle a second later.
    const server = await raw((socket, index) =>
      onRequests(socket, () => {
        if (index === 1) socket.write(ok("1"));
        else setTimeout(() => socket.write(ok("2")), 1_000);
      }),
    );
    const s = session({ pool: { idleTimeout: 1_500 } });
    const started = Date.now();
    const bodies = await Promise.all(
      [s.get(server.url), s.get(server.url)].map(async (r) => (await r).text()),
    );
    expect(bodies.sort()).toEqual(["1", "2"]);
    expect(server.open()).toBe(2);
    // The first closes about 1.5 s after it went idle, while the second (idle since ~1 s) stays.
    await eventually(() => server.open() < 2, 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(server.open()).toBe(1);
    await eventually(() => server.open() === 0, 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_400);
  });

  it("drops idle connections after the idle timeout, honouring Keep-Alive: timeout", async () => {
    const server = await raw((socket, index) =>
      onRequests(socket, () => socket.write(ok(String(index), "Keep-Alive: timeout=1\r\n"))),
    );
    const s = session({ pool: { idleTimeout: 60_000 } });
    await (await s.get(server.url)).text();
    // timeout=1 s minus the 1 s margin: dropped at once.
    await eventually(() => server.open() === 0);
    expect(await (await s.get(server.url)).text()).toBe("2");
  });

  it("reads Keep-Alive: timeout again when it changes on the same connection", async () => {
    // Request n on the one connection: a long hint, then none, then one of 1 s.
    const hints = ["Keep-Alive: timeout=300\r\n", "", "Keep-Alive: timeout=1\r\n"];
    const server = await raw((socket) =>
      onRequests(socket, (_head, n) => socket.write(ok(String(n), hints[n] ?? ""))),
    );
    const s = session({ pool: { idleTimeout: 60_000 } });
    for (const body of ["0", "1"]) expect(await (await s.get(server.url)).text()).toBe(body);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.open()).toBe(1);
    expect(await (await s.get(server.url)).text()).toBe("2");
    // timeout=1 s minus the 1 s margin: dropped at once, though the earlier values said otherwise.
    await eventually(() => server.open() === 0);
  });
});

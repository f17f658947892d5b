import { describe, expect, it } from "vitest";
import { AbortError, type HookRetry } from "../src/index.ts";
import { retryAfterMs } from "../src/retry.ts";
import { serve, session } from "./harness.ts";
import { rawServer } from "./servers.ts";

const fast = { base: 10, max: 20, jitter: 0 };

describe("retries", () => {
  it("retries retryable statuses with backoff, visible in hooks and timings", async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      calls++;
      res.statusCode = calls < 3 ? 503 : 200;
      res.end(`call ${calls}`);
    });
    const seen: Pick<HookRetry, "attempt" | "delay">[] = [];
    const s = session({
      retry: { limit: 3, backoff: { base: 40, max: 1000, jitter: 0 } },
      hooks: { beforeRetry: [({ attempt, delay }) => void seen.push({ attempt, delay })] },
    });
    const started = performance.now();
    const res = await s.get(server.url);
    expect(await res.text()).toBe("call 3");
    expect(res.timings.retries).toBe(2);
    expect(seen).toEqual([
      { attempt: 1, delay: 40 },
      { attempt: 2, delay: 80 },
    ]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(server.accepted).toBe(1); // drained retried responses keep the connection
  });

  it("stops at the limit and returns the last response; POST only when allowed", async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      calls++;
      res.statusCode = 500;
      res.end();
    });
    const s = session({ retry: { limit: 2, backoff: fast } });
    const res = await s.get(server.url);
    expect(res.status).toBe(500);
    expect(res.timings.retries).toBe(2);
    expect(calls).toBe(3);
    calls = 0;
    await (await s.post(server.url, { body: "x" })).dump();
    expect(calls).toBe(1);
    calls = 0;
    await (
      await s.post(server.url, { body: "x", retry: { limit: 1, methods: ["POST"], backoff: fast } })
    ).dump();
    expect(calls).toBe(2);
    calls = 0;
    const stream = (async function* () {
      yield "once";
    })();
    await (await s.put(server.url, { body: stream })).dump();
    expect(calls).toBe(1); // a streamed body cannot be sent again
  });

  it("honours Retry-After in seconds and as an HTTP-date, up to maxRetryAfter", async () => {
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1000);
    expect(retryAfterMs("soon")).toBeUndefined();
    // Only SP and HTAB are whitespace on the wire: an NBSP before the digits is not a delay in seconds.
    expect(retryAfterMs(" \t2 ")).toBe(2000);
    expect(retryAfterMs("\u00a02")).not.toBe(2000);
    let calls = 0;
    const server = await serve((req, res) => {
      calls++;
      if (calls === 1) {
        res.statusCode = 429;
        res.setHeader(
          "retry-after",
          req.url === "/date" ? new Date(Date.now() + 1000).toUTCString() : "1",
        );
      }
      if (req.url === "/far") {
        res.statusCode = 503;
        res.setHeader("retry-after", "3600");
      }
      res.end();
    });
    const delays: number[] = [];
    const s = session({
      retry: { limit: 1 },
      hooks: { beforeRetry: [(r) => void delays.push(r.delay)] },
    });
    const started = performance.now();
    expect((await s.get(`${server.url}/seconds`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    calls = 0;
    expect((await s.get(`${server.url}/date`)).status).toBe(200);
    expect(delays[0]).toBe(1000);
    expect(delays[1]).toBeGreaterThanOrEqual(0);
    expect(delays[1]).toBeLessThanOrEqual(1000);
    calls = 10;
    const far = await s.get(`${server.url}/far`);
    expect(far.status).toBe(503); // 1 h is over the cap: no wait, the response as it is
    expect(far.timings.retries).toBe(0);
  });

  it("retries connection errors, and an abort during the backoff cancels at once", async () => {
    const server = await rawServer((socket, index) => {
      if (index <= 2) {
        socket.destroy();
        return;
      }
      socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
    });
    const s = session({ retry: { limit: 3, backoff: fast } });
    const res = await s.get(server.url);
    expect(await res.text()).toBe("ok");
    expect(res.timings.retries).toBe(2);
    await server.close();

    const slow = await serve((_req, res) => {
      res.statusCode = 503;
      res.setHeader("retry-after", "30");
      res.end();
    });
    const controller = new AbortController();
    const pending = s.get(slow.url, { signal: controller.signal, retry: { limit: 1 } });
    setTimeout(() => controller.abort("stop"), 100);
    const started = performance.now();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("keeps every attempt and wait inside timeout.total", async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const s = session({ retry: { limit: 100, backoff: { base: 50, max: 50, jitter: 0 } } });
    const started = performance.now();
    const outcome = await s.get(server.url, { timeout: 400 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(900);
    // Either the last 503 (the next wait would pass the deadline) or the deadline itself.
    if (outcome instanceof Error)
      expect((outcome as { code?: string }).code).toBe("DEADLINE_EXCEEDED");
    else expect((outcome as { status: number }).status).toBe(503);
  });
});

import { describe, expect, test } from "vitest";
import { AbortedError, ConnectTimeoutError } from "../src/index.ts";
import {
  createClosedPromise,
  guardConnect,
  isIpAddress,
  ReadQueue,
  resolveConnectOptions,
} from "../src/kit.ts";

describe("resolveConnectOptions", () => {
  test("defaults: noDelay on, keep-alive off, rejectUnauthorized on, SNI from host", () => {
    const resolved = resolveConnectOptions({ host: "example.com", port: 443, tls: true });
    expect(resolved.kind).toBe("tls");
    expect(resolved.noDelay).toBe(true);
    expect(resolved.keepAliveDelay).toBeNull();
    expect(resolved.tls?.rejectUnauthorized).toBe(true);
    expect(resolved.tls?.servername).toBe("example.com");
    expect(resolved.address).toBe("example.com:443");
  });

  test("no SNI for an IP address; brackets are dropped", () => {
    expect(
      resolveConnectOptions({ host: "127.0.0.1", port: 1, tls: true }).tls?.servername,
    ).toBeNull();
    const v6 = resolveConnectOptions({ host: "[::1]", port: 1, tls: {} });
    expect(v6.host).toBe("::1");
    expect(v6.tls?.servername).toBeNull();
  });

  test("unix path", () => {
    const resolved = resolveConnectOptions({ path: "/tmp/x.sock", keepAlive: 1000 });
    expect(resolved).toMatchObject({
      kind: "unix",
      host: null,
      port: null,
      address: "/tmp/x.sock",
    });
  });

  test.each([
    [{}],
    [{ host: "a", port: 70000 }],
    [{ host: "a", port: 1.5 }],
    [{ host: "a", port: 1, connectTimeout: -1 }],
    [{ host: "a", port: 1, tls: { key: "k" } }],
    [{ host: "a", port: 1, tls: { alpnProtocols: [""] } }],
    [{ host: "a", port: 1, tls: { alpnProtocols: ["h 2"] } }],
    [{ host: "a", port: 1, tls: { alpnProtocols: ["x".repeat(256)] } }],
  ])("rejects %j", (options) => {
    expect(() => resolveConnectOptions(options)).toThrow(TypeError);
  });

  test("ALPN: no offer by default; an offer is copied, so later edits cannot change a session key", () => {
    expect(resolveConnectOptions({ host: "a", port: 1, tls: true }).tls?.alpnProtocols).toEqual([]);
    const offer = ["h2", "x".repeat(255)];
    const resolved = resolveConnectOptions({ host: "a", port: 1, tls: { alpnProtocols: offer } });
    offer.pop();
    expect(resolved.tls?.alpnProtocols).toEqual(["h2", "x".repeat(255)]);
    const tooMany = Array.from({ length: 258 }, () => "x".repeat(254));
    expect(() =>
      resolveConnectOptions({ host: "a", port: 1, tls: { alpnProtocols: tooMany } }),
    ).toThrow(/at most 65535 bytes/);
  });

  test("isIpAddress", () => {
    expect(isIpAddress("10.0.0.1")).toBe(true);
    expect(isIpAddress("fe80::1")).toBe(true);
    expect(isIpAddress("example.com")).toBe(false);
  });
});

describe("ReadQueue", () => {
  test("pauses past the high-water mark and resumes below half of it", async () => {
    const calls: string[] = [];
    const queue = new ReadQueue({
      highWaterMark: 4,
      pause: () => calls.push("pause"),
      resume: () => calls.push("resume"),
    });
    queue.push(new Uint8Array(2));
    queue.push(new Uint8Array(2));
    expect(calls).toEqual(["pause"]);
    await queue.read();
    expect(calls).toEqual(["pause"]);
    await queue.read();
    expect(calls).toEqual(["pause", "resume"]);
  });

  test("a waiting read gets the next chunk; end gives null", async () => {
    const queue = new ReadQueue({ highWaterMark: 10, pause() {}, resume() {} });
    const pending = queue.read();
    queue.push(new Uint8Array([7]));
    expect(await pending).toEqual(new Uint8Array([7]));
    queue.end();
    expect(await queue.read()).toBeNull();
  });

  test("fail delivers buffered chunks first unless told to discard them", async () => {
    const queue = new ReadQueue({ highWaterMark: 10, pause() {}, resume() {} });
    queue.push(new Uint8Array([1]));
    queue.fail(new Error("reset"));
    expect(await queue.read()).toEqual(new Uint8Array([1]));
    await expect(queue.read()).rejects.toThrow("reset");
    const local = new ReadQueue({ highWaterMark: 10, pause() {}, resume() {} });
    local.push(new Uint8Array([1]));
    local.fail(new Error("closed"), true);
    await expect(local.read()).rejects.toThrow("closed");
  });

  test("readNow returns what is buffered, else calls back from push, end or fail, in turn with read", async () => {
    const queue = new ReadQueue({ highWaterMark: 10, pause() {}, resume() {} });
    const got: unknown[] = [];
    const onChunk = (chunk: Uint8Array | null) => got.push(chunk);
    const onError = (error: unknown) => got.push((error as Error).message);
    queue.push(new Uint8Array([1]));
    expect(queue.readNow(onChunk, onError)).toEqual(new Uint8Array([1]));
    expect(queue.readNow(onChunk, onError)).toBeUndefined();
    const second = queue.read();
    queue.push(new Uint8Array([2])); // the first waiter (readNow) gets it, synchronously
    expect(got).toEqual([new Uint8Array([2])]);
    queue.push(new Uint8Array([3]));
    expect(await second).toEqual(new Uint8Array([3]));
    expect(queue.readNow(onChunk, onError)).toBeUndefined();
    queue.end();
    expect(got).toEqual([new Uint8Array([2]), null]);
    expect(queue.readNow(onChunk, onError)).toBeNull();

    const failing = new ReadQueue({ highWaterMark: 10, pause() {}, resume() {} });
    expect(failing.readNow(onChunk, onError)).toBeUndefined();
    failing.fail(new Error("reset"));
    expect(got.at(-1)).toBe("reset");
    expect(() => failing.readNow(onChunk, onError)).toThrow("reset");
  });
});

describe("guardConnect", () => {
  const timers = { setTimeout, clearTimeout: (h: unknown) => clearTimeout(h as never) };

  test("times out, cancels the attempt and discards a late connection", async () => {
    let cancelled: Error | null = null;
    const discarded: string[] = [];
    let arrive: (value: string) => void = () => {};
    const attempt = new Promise<string>((resolve) => {
      arrive = resolve;
    });
    const guarded = guardConnect(attempt, {
      signal: null,
      connectTimeout: 20,
      timers,
      cancel: (error) => {
        cancelled = error;
      },
      discard: (late) => discarded.push(late),
    });
    await expect(guarded).rejects.toBeInstanceOf(ConnectTimeoutError);
    expect(cancelled).toBeInstanceOf(ConnectTimeoutError);
    arrive("late");
    await Promise.resolve();
    expect(discarded).toEqual(["late"]);
  });

  test("an abort rejects with the reason as cause", async () => {
    const controller = new AbortController();
    const guarded = guardConnect(new Promise<string>(() => {}), {
      signal: controller.signal,
      connectTimeout: null,
      timers,
      cancel() {},
      discard() {},
    });
    const reason = new Error("stop");
    controller.abort(reason);
    const error = await guarded.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toBe(reason);
  });

  test("closed promise: a rejection nobody awaits is not unhandled", async () => {
    const closed = createClosedPromise();
    closed.reject(new Error("x"));
    await expect(closed.promise).rejects.toThrow("x");
  });
});

describe("resolveConnectOptions: lookup, happy eyeballs, tunnel, pins", () => {
  const pin = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  test("defaults: no lookup hook, 250 ms attempt delay, no tunnel, no pins", () => {
    const resolved = resolveConnectOptions({ host: "a.test", port: 443, tls: true });
    expect(resolved.lookup).toBeNull();
    expect(resolved.happyEyeballsDelay).toBe(250);
    expect(resolved.tunnel).toBeNull();
    expect(resolved.tls?.pins).toEqual([]);
  });

  test("pins lose their sha256/ prefix", () => {
    const tls = resolveConnectOptions({
      host: "a",
      port: 1,
      tls: { pins: [`sha256/${pin}`, pin] },
    }).tls;
    expect(tls?.pins).toEqual([pin, pin]);
  });

  test.each([
    [{ host: "a", port: 1, happyEyeballsDelay: -1 }],
    [{ host: "a", port: 1, tls: { pins: ["sha256/short"] } }],
    [{ host: "a", port: 1, tunnel: {} as never }],
    [{ path: "/x.sock", tls: true, tunnel: {} as never }],
  ])("rejects %j", (options) => {
    expect(() => resolveConnectOptions(options)).toThrow(TypeError);
  });
});

import { describe, expect, test } from "vitest";
import { AbortedError, ConnectTimeoutError, DnsError, type LookupFunction } from "../src/index.ts";
import { lookupAddresses } from "../src/kit.ts";

const timers = {
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const answering =
  (answer: unknown): LookupFunction =>
  async () =>
    answer as never;

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe("lookupAddresses", () => {
  test("returns the answer with family taken from each address and ttl kept", async () => {
    const lookup = answering([
      { address: "::1", family: 4, ttl: 30 },
      { address: "127.0.0.1", family: 6, ttl: -1 },
      { address: "fe80::1%eth0", family: 6 },
    ]);
    expect(await lookupAddresses(lookup, "a.test", null, timers)).toEqual([
      { address: "::1", family: 6, ttl: 30 },
      { address: "127.0.0.1", family: 4 },
      { address: "fe80::1%eth0", family: 6 },
    ]);
  });

  test("passes the signal to the function", async () => {
    const controller = new AbortController();
    let seen: unknown;
    const lookup: LookupFunction = async (_hostname, { signal }) => {
      seen = signal;
      return [{ address: "127.0.0.1", family: 4 }];
    };
    await lookupAddresses(lookup, "a.test", controller.signal, timers);
    expect(seen).toBe(controller.signal);
  });

  test.each([
    ["an empty list", []],
    ["not a list", undefined],
    ["a name", [{ address: "localhost", family: 4 }]],
    ["brackets", [{ address: "[::1]", family: 6 }]],
    ["an IPv4 address out of range", [{ address: "256.1.1.1", family: 4 }]],
    ["no address", [{ family: 4 }]],
    ["a number", [7]],
  ])("DnsError for %s", async (_what, answer) => {
    const error = await failure(lookupAddresses(answering(answer), "a.test", null, timers));
    expect(error).toBeInstanceOf(DnsError);
    expect((error as DnsError).hostname).toBe("a.test");
  });

  test("a failing function gives DnsError with its error as cause, even a synchronous throw", async () => {
    const down = new Error("resolver down");
    const rejecting: LookupFunction = async () => {
      throw down;
    };
    const throwing: LookupFunction = () => {
      throw down;
    };
    for (const lookup of [rejecting, throwing]) {
      const error = await failure(lookupAddresses(lookup, "a.test", null, timers));
      expect(error).toBeInstanceOf(DnsError);
      expect((error as DnsError).cause).toBe(down);
    }
  });

  test("a TransportError from the function passes through", async () => {
    const timeout = new ConnectTimeoutError(5);
    const lookup: LookupFunction = async () => {
      throw timeout;
    };
    expect(await failure(lookupAddresses(lookup, "a.test", null, timers))).toBe(timeout);
  });

  test("an abort rejects at once, even when the function ignores the signal", async () => {
    const controller = new AbortController();
    const why = new Error("stop");
    const never: LookupFunction = () => new Promise(() => {});
    const pending = failure(lookupAddresses(never, "a.test", controller.signal, timers));
    controller.abort(why);
    const error = await pending;
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toBe(why);
  });
});

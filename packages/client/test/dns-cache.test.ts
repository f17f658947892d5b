// The DNS cache on its own (no sockets): TTLs, failures, coalescing, the size
// bound and aborts. Expiry runs on a fake clock, so a loaded machine cannot
// stretch "within the TTL"; the other waits are real but tiny and bounded.
import { DnsError, type LookupAddress } from "@reqivo/transport";
import { describe, expect, it } from "vitest";
import { DnsCache } from "../src/connection/dns/cache.ts";

const LOOPBACK: LookupAddress[] = [{ address: "127.0.0.1", family: 4 }];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A clock that moves only when told. */
function fakeClock() {
  let time = 1_000_000;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

function counting(
  answer: (name: string) => Promise<readonly LookupAddress[]> | readonly LookupAddress[],
) {
  const calls: string[] = [];
  return {
    calls,
    lookup: async (name: string) => {
      calls.push(name);
      return answer(name);
    },
  };
}

describe("DnsCache", () => {
  it("answers from the cache within the TTL, asks again after it", async () => {
    const hook = counting(() => LOOPBACK);
    const clock = fakeClock();
    const cache = new DnsCache(hook.lookup, { ttl: 40 }, clock.now);
    for (let i = 0; i < 5; i++) expect(await cache.lookup("A.test", {})).toEqual(LOOPBACK);
    clock.advance(39);
    await cache.lookup("a.test", {});
    expect(hook.calls).toEqual(["A.test"]);
    clock.advance(2);
    await cache.lookup("a.test", {});
    expect(hook.calls).toHaveLength(2);
  });

  it("keeps an answer for the resolver's own TTL, capped by maxTtl; TTL 0 is not cached", async () => {
    const ttls: Record<string, number> = { zero: 0, long: 3600 };
    const hook = counting((name) => [{ address: "::1", family: 6, ttl: ttls[name] }]);
    const clock = fakeClock();
    const cache = new DnsCache(hook.lookup, { ttl: 60_000, maxTtl: 30 }, clock.now);
    await cache.lookup("zero", {});
    await cache.lookup("zero", {});
    expect(hook.calls).toEqual(["zero", "zero"]);
    await cache.lookup("long", {});
    await cache.lookup("long", {});
    expect(hook.calls).toHaveLength(3);
    clock.advance(31); // past maxTtl, though the resolver said an hour
    await cache.lookup("long", {});
    expect(hook.calls).toHaveLength(4);
  });

  it("turns failures into DnsError and does not keep them, unless errorTtl says so", async () => {
    let fail = true;
    const hook = counting(() => {
      if (fail) throw new Error("SERVFAIL");
      return LOOPBACK;
    });
    const cache = new DnsCache(hook.lookup);
    const error = await cache.lookup("x.test", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DnsError);
    expect((error as DnsError).hostname).toBe("x.test");
    expect(((error as DnsError).cause as Error).message).toBe("SERVFAIL");
    fail = false;
    expect(await cache.lookup("x.test", {})).toEqual(LOOPBACK);

    fail = true;
    const remembering = new DnsCache(hook.lookup, { errorTtl: 60_000 });
    await expect(remembering.lookup("y.test", {})).rejects.toBeInstanceOf(DnsError);
    fail = false;
    await expect(remembering.lookup("y.test", {})).rejects.toBeInstanceOf(DnsError);
    expect(hook.calls.filter((name) => name === "y.test")).toHaveLength(1);
  });

  it("an empty or malformed answer is a DnsError", async () => {
    await expect(new DnsCache(async () => []).lookup("e.test", {})).rejects.toBeInstanceOf(
      DnsError,
    );
    const malformed = new DnsCache(async () => [{ address: "1.2.3.4" }] as never);
    await expect(malformed.lookup("m.test", {})).rejects.toBeInstanceOf(DnsError);
  });

  it("coalesces concurrent lookups of one name into one call", async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hook = counting(async () => {
      await gate;
      return LOOPBACK;
    });
    const cache = new DnsCache(hook.lookup);
    const all = Promise.all([1, 2, 3].map(() => cache.lookup("c.test", {})));
    await sleep(5);
    release?.();
    expect(await all).toEqual([LOOPBACK, LOOPBACK, LOOPBACK]);
    expect(hook.calls).toEqual(["c.test"]);
  });

  it("one caller's abort ends only its own wait; when all give up, the next caller starts afresh", async () => {
    const releases: (() => void)[] = [];
    const hook = counting(async () => {
      await new Promise<void>((resolve) => releases.push(resolve));
      return LOOPBACK;
    });
    const cache = new DnsCache(hook.lookup);
    const quitter = new AbortController();
    const stayer = cache.lookup("s.test", {});
    const quitting = cache.lookup("s.test", { signal: quitter.signal });
    quitter.abort(new Error("gave up"));
    await expect(quitting).rejects.toThrow("gave up");
    releases[0]?.();
    expect(await stayer).toEqual(LOOPBACK);
    expect(hook.calls).toHaveLength(1);

    const only = new AbortController();
    const abandoned = cache.lookup("t.test", { signal: only.signal });
    only.abort(new Error("gone"));
    await expect(abandoned).rejects.toThrow("gone");
    const fresh = cache.lookup("t.test", {});
    expect(hook.calls.filter((name) => name === "t.test")).toHaveLength(2);
    for (const release of releases) release();
    expect(await fresh).toEqual(LOOPBACK);
  });

  it("holds at most maxEntries names, dropping the least recently used", async () => {
    const hook = counting(() => LOOPBACK);
    const cache = new DnsCache(hook.lookup, { maxEntries: 2 });
    await cache.lookup("a", {});
    await cache.lookup("b", {});
    await cache.lookup("a", {}); // a is now the most recently used
    await cache.lookup("c", {}); // evicts b
    expect(cache.size).toBe(2);
    await cache.lookup("a", {});
    await cache.lookup("b", {});
    expect(hook.calls).toEqual(["a", "b", "c", "b"]);
  });

  it("refuses settings out of range", () => {
    const hook = async () => LOOPBACK;
    for (const bad of [{ ttl: -1 }, { maxEntries: 0 }, { maxEntries: 1.5 }]) {
      expect(() => new DnsCache(hook, bad)).toThrow(
        expect.objectContaining({ name: "InvalidRequestError", code: "INVALID_REQUEST" }),
      );
    }
  });
});

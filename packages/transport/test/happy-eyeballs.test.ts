// Happy eyeballs with fake attempts (promises the test settles) and a fake
// clock: no sockets, no real timers, every step decided by the test.
import { describe, expect, test } from "vitest";
import {
  AbortedError,
  ConnectionRefusedError,
  ConnectTimeoutError,
  DnsError,
  type LookupAddress,
  TransportError,
} from "../src/index.ts";
import { happyEyeballs, orderAddresses, type Timers } from "../src/kit.ts";

/** A manual clock: timers fire only when the test advances it. */
class FakeClock implements Timers {
  now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward, firing due timers in order, with microtasks flushed between them. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (let guard = 0; guard < 1_000; guard++) {
      await flush();
      const due = [...this.#timers.entries()]
        .filter(([, timer]) => timer.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

interface FakeSocket {
  readonly address: string;
  closed: boolean;
}

/** Records attempts; each one's outcome is settled by the test. */
class FakeDialer {
  readonly started: string[] = [];
  readonly cancelled: string[] = [];
  readonly discarded: string[] = [];
  readonly #settle = new Map<string, { ok(): void; fail(error: unknown): void }>();

  readonly attempt = ({ address }: LookupAddress) => {
    this.started.push(address);
    const result = new Promise<FakeSocket>((resolve, reject) => {
      this.#settle.set(address, {
        ok: () => resolve({ address, closed: false }),
        fail: reject,
      });
    });
    return { result, cancel: () => this.cancelled.push(address) };
  };

  readonly discard = (late: FakeSocket) => {
    late.closed = true;
    this.discarded.push(late.address);
  };

  succeed(address: string): void {
    this.#settle.get(address)!.ok();
  }

  refuse(address: string): void {
    this.#settle.get(address)!.fail(new ConnectionRefusedError(`${address}:443`));
  }

  unreachable(address: string): void {
    this.#settle.get(address)!.fail(new TransportError("NETWORK_ERROR", `${address} unreachable`));
  }
}

const v6a = { address: "2001:db8::1", family: 6 } as const;
const v6b = { address: "2001:db8::2", family: 6 } as const;
const v4a = { address: "192.0.2.1", family: 4 } as const;
const v4b = { address: "192.0.2.2", family: 4 } as const;

function race(
  dialer: FakeDialer,
  clock: FakeClock,
  addresses: readonly LookupAddress[],
  extra: { signal?: AbortSignal; connectTimeout?: number; reportedTimeout?: number } = {},
) {
  const outcome = happyEyeballs({
    host: "example.test",
    addresses,
    attempt: dialer.attempt,
    discard: dialer.discard,
    delay: 250,
    timers: clock,
    ...extra,
  });
  // Observed at once so that a rejection before the test awaits is not "unhandled".
  const settled = outcome.then(
    (socket) => ({ socket, error: null }),
    (error: unknown) => ({ socket: null, error }),
  );
  return settled;
}

describe("orderAddresses", () => {
  test("interleaves families starting with the resolver's first family", () => {
    const ordered = orderAddresses([v4a, v4b, v6a, v6b]).map((a) => a.address);
    expect(ordered).toEqual([v4a.address, v6a.address, v4b.address, v6b.address]);
  });

  test("keeps the leftover of the larger family at the end, drops duplicates", () => {
    const ordered = orderAddresses([v6a, v6b, v6a, v4a]).map((a) => a.address);
    expect(ordered).toEqual([v6a.address, v4a.address, v6b.address]);
  });

  test("an empty answer stays empty", () => {
    expect(orderAddresses([])).toEqual([]);
  });
});

describe("happyEyeballs", () => {
  test("one address that connects: no timer left behind", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = race(dialer, clock, [v4a]);
    await flush();
    expect(dialer.started).toEqual([v4a.address]);
    expect(clock.pending).toBe(0);
    dialer.succeed(v4a.address);
    expect((await outcome).socket?.address).toBe(v4a.address);
    expect(clock.pending).toBe(0);
  });

  test("a hanging first attempt: the second starts after the delay and wins; the first is cancelled", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = race(dialer, clock, [v6a, v4a]);
    await clock.advance(249);
    expect(dialer.started).toEqual([v6a.address]);
    await clock.advance(1);
    expect(dialer.started).toEqual([v6a.address, v4a.address]);
    dialer.succeed(v4a.address);
    expect((await outcome).socket?.address).toBe(v4a.address);
    expect(dialer.cancelled).toEqual([v6a.address]);
    expect(clock.pending).toBe(0);
  });

  test("a loser that connects after the win is discarded", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = race(dialer, clock, [v6a, v4a]);
    await clock.advance(250);
    dialer.succeed(v4a.address);
    await outcome;
    dialer.succeed(v6a.address);
    await flush();
    expect(dialer.discarded).toEqual([v6a.address]);
  });

  test("a failure starts the next attempt at once, without waiting for the delay", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = race(dialer, clock, [v6a, v4a, v6b]);
    await flush();
    dialer.refuse(v6a.address);
    await flush();
    expect(dialer.started).toEqual([v6a.address, v4a.address]);
    expect(clock.now).toBe(0);
    // The delay restarts from the new attempt.
    await clock.advance(249);
    expect(dialer.started).toHaveLength(2);
    await clock.advance(1);
    expect(dialer.started).toEqual([v6a.address, v4a.address, v6b.address]);
    dialer.succeed(v6b.address);
    expect((await outcome).socket?.address).toBe(v6b.address);
    expect(dialer.cancelled).toEqual([v4a.address]);
  });

  test("earlier attempts keep running while later ones start (an earlier one may still win)", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = race(dialer, clock, [v6a, v4a, v6b]);
    await clock.advance(500);
    expect(dialer.started).toHaveLength(3);
    dialer.succeed(v6a.address);
    expect((await outcome).socket?.address).toBe(v6a.address);
    expect(dialer.cancelled.sort()).toEqual([v4a.address, v6b.address].sort());
  });

  test("every attempt fails: rejects with the most specific error, after the last one", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = race(dialer, clock, [v6a, v4a]);
    await flush();
    dialer.unreachable(v6a.address);
    await flush();
    expect((await Promise.race([outcome, flush().then(() => "pending")])) === "pending").toBe(true);
    dialer.refuse(v4a.address);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect((error as ConnectionRefusedError).address).toBe(`${v4a.address}:443`);
    expect(clock.pending).toBe(0);
  });

  test("every attempt fails generically: rejects with the first failure", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = race(dialer, clock, [v6a, v4a]);
    await flush();
    dialer.unreachable(v6a.address);
    await flush();
    dialer.unreachable(v4a.address);
    const { error } = await outcome;
    expect((error as TransportError).code).toBe("NETWORK_ERROR");
    expect((error as Error).message).toContain(v6a.address);
  });

  test("an attempt that throws synchronously counts as failed; the next starts at once", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = happyEyeballs({
      host: "example.test",
      addresses: [v6a, v4a],
      attempt: (address) => {
        if (address.family === 6) throw new TransportError("NETWORK_ERROR", "no IPv6 here");
        return dialer.attempt(address);
      },
      discard: dialer.discard,
      delay: 250,
      timers: clock,
    });
    await flush();
    expect(dialer.started).toEqual([v4a.address]);
    dialer.succeed(v4a.address);
    expect((await outcome).address).toBe(v4a.address);
  });

  test("an empty address list rejects with DnsError", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const { error } = await race(dialer, clock, []);
    expect(error).toBeInstanceOf(DnsError);
    expect((error as DnsError).hostname).toBe("example.test");
    expect(dialer.started).toEqual([]);
  });

  test("abort cancels every pending attempt and rejects with the reason", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const controller = new AbortController();
    const outcome = race(dialer, clock, [v6a, v4a, v6b], { signal: controller.signal });
    await clock.advance(250);
    const why = new Error("user left");
    controller.abort(why);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toBe(why);
    expect(dialer.cancelled.sort()).toEqual([v6a.address, v4a.address].sort());
    expect(clock.pending).toBe(0);
    await clock.advance(1_000);
    expect(dialer.started).toHaveLength(2);
  });

  test("a signal aborted before the race starts nothing", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const controller = new AbortController();
    controller.abort();
    const { error } = await race(dialer, clock, [v4a], { signal: controller.signal });
    expect(error).toBeInstanceOf(AbortedError);
    expect(dialer.started).toEqual([]);
  });

  test("the overall timeout cancels everything and names the configured timeout", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = race(dialer, clock, [v6a, v4a], {
      connectTimeout: 400,
      reportedTimeout: 5_000,
    });
    await clock.advance(399);
    expect(dialer.started).toHaveLength(2);
    await clock.advance(1);
    const { error } = await outcome;
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect((error as ConnectTimeoutError).timeoutMs).toBe(5_000);
    expect(dialer.cancelled.sort()).toEqual([v6a.address, v4a.address].sort());
    expect(clock.pending).toBe(0);
    dialer.succeed(v4a.address);
    await flush();
    expect(dialer.discarded).toEqual([v4a.address]);
  });

  test("delay 0 starts all attempts in turn without waiting", async () => {
    const dialer = new FakeDialer();
    const clock = new FakeClock();
    const outcome = happyEyeballs({
      host: "example.test",
      addresses: [v6a, v4a, v6b, v4b],
      attempt: dialer.attempt,
      discard: dialer.discard,
      delay: 0,
      timers: clock,
    });
    await clock.advance(0);
    expect(dialer.started).toEqual([v6a.address, v4a.address, v6b.address, v4b.address]);
    dialer.succeed(v4b.address);
    expect((await outcome).address).toBe(v4b.address);
    expect(dialer.cancelled).toHaveLength(3);
  });
});

// The pool's connection interface is ready for connections that carry several
// exchanges at once (HTTP/2): a connection reports its capacity, and the pool
// lends it out again while it has room. HTTP/1.1 connections have a capacity of one.
import type { Connection } from "@reqivo/transport";
import { describe, expect, it } from "vitest";
import { Pool } from "../src/connection/pool.ts";
import { AbortError, SessionClosedError } from "../src/errors.ts";

/** A connection that never answers: enough for the pool's bookkeeping. */
function quietConnection(): Connection {
  let ended: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    ended = resolve;
  });
  return {
    info: {
      kind: "tcp",
      alpnProtocol: null,
      tlsVersion: null,
      remoteAddress: "127.0.0.1",
      remotePort: 1,
      localAddress: "127.0.0.1",
      localPort: 2,
      path: null,
      tlsSessionReused: null,
    },
    closed,
    read: () => new Promise<Uint8Array | null>(() => undefined),
    write: async () => undefined,
    closeWrite: async () => undefined,
    close: () => ended(),
    abort: () => ended(),
  } as unknown as Connection;
}

function pool(): { pool: Pool; opened: () => number } {
  let opened = 0;
  const transport = {
    name: "quiet",
    connect: async () => {
      opened++;
      return quietConnection();
    },
  };
  return { pool: new Pool(transport as never, { connections: 4 }), opened: () => opened };
}

describe("pool capacity", () => {
  it("lends an HTTP/1.1 connection (capacity 1) to one exchange at a time", async () => {
    const { pool: p, opened } = pool();
    const open = () => p.transport.connect({ host: "a", port: 1 });
    const first = await p.acquire("a", open);
    const second = await p.acquire("a", open);
    expect([first.capacity, first.active, second.active, opened()]).toEqual([1, 1, 1, 2]);
    p.release(first);
    expect(first.active).toBe(0);
    expect(await p.acquire("a", open)).toBe(first);
    await p.close();
  });

  it("lends a connection with capacity 2 to two exchanges at once, then keeps it idle", async () => {
    const { pool: p, opened } = pool();
    const open = () => p.transport.connect({ host: "a", port: 1 });
    const connection = await p.acquire("a", open);
    // What a multiplexing protocol would do once negotiated.
    connection.capacity = 2;
    p.release(connection);
    const one = await p.acquire("a", open);
    const two = await p.acquire("a", open);
    expect([one, two]).toEqual([connection, connection]);
    expect([connection.active, opened(), p.stats().a]).toEqual([
      2,
      1,
      { total: 1, idle: 0, waiting: 0 },
    ]);
    p.release(connection);
    expect([connection.active, p.stats().a?.idle]).toEqual([1, 1]);
    p.release(connection);
    expect([connection.active, p.stats().a?.idle]).toEqual([0, 1]);
    await p.close();
  });

  it("a draining connection (HTTP/2 GOAWAY) is lent no more and closes when its last exchange ends", async () => {
    const { pool: p, opened } = pool();
    const open = () => p.transport.connect({ host: "a", port: 1 });
    const connection = await p.acquire("a", open);
    connection.capacity = 3;
    p.release(connection);
    await p.acquire("a", open);
    const second = await p.acquire("a", open);
    expect([second, connection.active]).toEqual([connection, 2]);
    connection.draining = true;
    // Not offered any more: a new request opens another connection.
    const other = await p.acquire("a", open);
    expect([other === connection, opened()]).toEqual([false, 2]);
    p.release(connection);
    expect([connection.active, connection.discarded]).toEqual([1, false]);
    p.release(connection);
    expect([connection.discarded, p.stats().a?.total]).toEqual([true, 1]);
    // Discarding again (another stream ending with the connection) frees no second slot.
    p.discard(connection);
    expect(p.stats().a?.total).toBe(1);
    p.release(other);
    await p.close();
  });
});

/** A pool of one connection per origin; connect number n fails when `failing(n)` says so. */
function singlePool(failing: (n: number) => boolean = () => false): {
  pool: Pool;
  opened: () => number;
} {
  let opened = 0;
  const transport = {
    name: "quiet",
    connect: async () => {
      opened++;
      if (failing(opened)) throw new Error(`connect ${opened} refused`);
      return quietConnection();
    },
  };
  return { pool: new Pool(transport as never, { connections: 1 }), opened: () => opened };
}

describe("pool queue", () => {
  it("serves waiters in the order they came, each with the connection released", async () => {
    const { pool: p, opened } = singlePool();
    const open = () => p.transport.connect({ host: "a", port: 1 });
    const connection = await p.acquire("a", open);
    const served: number[] = [];
    const waits = [0, 1, 2].map((n) =>
      p.acquire("a", open).then((got) => {
        served.push(n);
        return got;
      }),
    );
    expect(p.stats().a?.waiting).toBe(3);
    for (const wait of waits) {
      p.release(connection);
      expect(await wait).toBe(connection);
    }
    expect([served, opened(), p.stats().a]).toEqual([
      [0, 1, 2],
      1,
      { total: 1, idle: 0, waiting: 0 },
    ]);
    p.release(connection);
    expect(p.stats().a).toEqual({ total: 1, idle: 1, waiting: 0 });
    await p.close();
  });

  it("keeps the order over a long queue, with waiters leaving from the middle", async () => {
    const { pool: p } = singlePool();
    const open = () => p.transport.connect({ host: "a", port: 1 });
    const connection = await p.acquire("a", open);
    const served: number[] = [];
    const controllers: AbortController[] = [];
    const waits = Array.from({ length: 3000 }, (_, n) => {
      const controller = new AbortController();
      controllers.push(controller);
      return p.acquire("a", open, false, controller.signal).then(
        () => void served.push(n),
        () => undefined,
      );
    });
    // Every third one gives up, some before and some after the queue's front passed 1024.
    const leaving = (n: number) => n % 3 === 1;
    for (let n = 0; n < 1500; n++) if (leaving(n)) controllers[n]?.abort();
    for (let n = 0; n < 3000; n++) {
      if (leaving(n)) {
        if (n >= 1500) controllers[n]?.abort();
        continue;
      }
      p.release(connection);
      await waits[n];
    }
    const expected = Array.from({ length: 3000 }, (_, n) => n).filter((n) => !leaving(n));
    expect(served).toEqual(expected);
    expect(p.stats().a).toEqual({ total: 1, idle: 0, waiting: 0 });
    await Promise.all(waits);
    await p.close();
  });

  it("an aborted waiter leaves the queue: the connection goes to the next one, no slot leaks", async () => {
    const { pool: p, opened } = singlePool();
    const open = () => p.transport.connect({ host: "a", port: 1 });
    const connection = await p.acquire("a", open);
    const controller = new AbortController();
    const aborted = p.acquire("a", open, false, controller.signal).catch((e: unknown) => e);
    const next = p.acquire("a", open);
    controller.abort(new Error("stop"));
    const error = await aborted;
    expect([error instanceof AbortError, (error as AbortError).cause]).toEqual([
      true,
      new Error("stop"),
    ]);
    expect(p.stats().a?.waiting).toBe(1);
    p.release(connection);
    expect(await next).toBe(connection);
    // The connection closes: its slot goes to a new connect, not to the aborted waiter.
    p.discard(connection);
    // Nothing open, nothing waiting: the origin is forgotten.
    expect(p.stats().a).toBeUndefined();
    const fresh = await p.acquire("a", open);
    expect([fresh === connection, opened(), p.stats().a?.total]).toEqual([false, 2, 1]);
    await p.close();
  });

  it("a waiter whose signal already aborted never joins the queue", async () => {
    const { pool: p } = singlePool();
    const open = () => p.transport.connect({ host: "a", port: 1 });
    const connection = await p.acquire("a", open);
    const error = await p.acquire("a", open, false, AbortSignal.abort()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(p.stats().a?.waiting).toBe(0);
    p.release(connection);
    expect(p.stats().a?.idle).toBe(1);
    await p.close();
  });

  it("a failed connect fails only the request that opened it; the next waiter connects anew", async () => {
    const { pool: p, opened } = singlePool((n) => n === 1);
    const open = () => p.transport.connect({ host: "a", port: 1 });
    const first = p.acquire("a", open).catch((e: unknown) => e);
    const second = p.acquire("a", open);
    const third = p.acquire("a", open);
    expect(p.stats().a).toEqual({ total: 1, idle: 0, waiting: 2 });
    const error = await first;
    // The second waited while the first's connect ran: the freed slot is its own connect.
    const connection = await second;
    expect([(error as Error).message, opened(), p.stats().a]).toEqual([
      "connect 1 refused",
      2,
      { total: 1, idle: 0, waiting: 1 },
    ]);
    p.release(connection);
    expect(await third).toBe(connection);
    await p.close();
  });

  it("closing the pool fails every waiter with SessionClosedError", async () => {
    const { pool: p } = singlePool();
    const open = () => p.transport.connect({ host: "a", port: 1 });
    await p.acquire("a", open);
    const waits = [p.acquire("a", open), p.acquire("a", open)].map((w) =>
      w.catch((e: unknown) => e),
    );
    await p.close();
    for (const error of await Promise.all(waits)) expect(error).toBeInstanceOf(SessionClosedError);
    expect(await p.acquire("a", open).catch((e: unknown) => e)).toBeInstanceOf(SessionClosedError);
  });
});

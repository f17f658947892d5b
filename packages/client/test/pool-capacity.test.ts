// The pool's connection interface is ready for connections that carry several
// exchanges at once (HTTP/2): a connection reports its capacity, and the pool
// lends it out again while it has room. HTTP/1.1 connections have a capacity of one.
import type { Connection } from "@reqivo/transport";
import { describe, expect, it } from "vitest";
import { Pool } from "../src/connection/pool.ts";

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

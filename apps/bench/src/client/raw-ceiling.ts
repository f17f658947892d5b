// The raw ceiling inside Deno or Bun (used by runtime-child.ts): plain sockets
// from Deno.connect / Bun.connect, each writing a pre-built GET and counting
// response bytes until the known response size arrived, keep-alive, no
// parsing. The size is learnt once by a probe (the only parsing done), as in
// rawCeiling() of contenders.ts for Node. The Deno and Bun APIs are declared
// locally (no @types/bun, no Deno types in this package).

interface DenoConn {
  write(p: Uint8Array): Promise<number>;
  read(p: Uint8Array): Promise<number | null>;
  setNoDelay(noDelay?: boolean): void;
  close(): void;
}
interface DenoApi {
  connect(options: { hostname: string; port: number }): Promise<DenoConn>;
}
/** The part of a Bun socket the raw ceilings use (relay-worker.ts too). */
export interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  setNoDelay?(noDelay?: boolean): boolean;
}
/** The part of Bun's API the raw ceilings use (relay-worker.ts too). */
export interface BunApi {
  connect(options: {
    hostname: string;
    port: number;
    socket: {
      data(socket: BunSocket, data: Uint8Array): void;
      drain(socket: BunSocket): void;
      close(socket: BunSocket): void;
      error(socket: BunSocket, error: Error): void;
    };
  }): Promise<BunSocket>;
}
const globals = globalThis as unknown as { Deno?: DenoApi; Bun?: BunApi };

/** Called with each response chunk; returns true once the response is complete. */
type OnChunk = (chunk: Uint8Array) => boolean;

/** One keep-alive connection: writes a request, feeds the answer to `onChunk` until it is done. */
interface RawConn {
  exchange(request: Uint8Array, onChunk: OnChunk): Promise<void>;
  close(): void;
}

const MAX_READS = 1_000_000;

async function denoConn(deno: DenoApi, port: number): Promise<RawConn> {
  const conn = await deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const buf = new Uint8Array(256 * 1024);
  return {
    async exchange(request, onChunk) {
      let off = 0;
      for (let i = 0; off < request.length && i < MAX_READS; i++) {
        off += await conn.write(off === 0 ? request : request.subarray(off));
      }
      for (let i = 0; i < MAX_READS; i++) {
        const n = await conn.read(buf);
        if (n === null) throw new Error("raw ceiling: connection closed");
        if (onChunk(buf.subarray(0, n))) return;
      }
      throw new Error("raw ceiling: response never completed");
    },
    close: () => conn.close(),
  };
}

async function bunConn(bun: BunApi, port: number): Promise<RawConn> {
  let onChunk: OnChunk | null = null;
  let settle: { resolve(): void; reject(e: Error): void } | null = null;
  let unsent: Uint8Array | null = null;
  const fail = (e: Error) => {
    const s = settle;
    settle = null;
    onChunk = null;
    s?.reject(e);
  };
  const flush = (socket: BunSocket) => {
    if (unsent === null) return;
    const n = socket.write(unsent);
    if (n < 0) return fail(new Error("raw ceiling: socket closed"));
    unsent = n < unsent.length ? unsent.subarray(n) : null;
  };
  const socket = await bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_socket, data) {
        if (onChunk === null) return fail(new Error("raw ceiling: unexpected bytes"));
        let done: boolean;
        try {
          done = onChunk(data);
        } catch (e) {
          return fail(e as Error);
        }
        if (done) {
          const s = settle;
          settle = null;
          onChunk = null;
          s?.resolve();
        }
      },
      drain: flush,
      close: () => fail(new Error("raw ceiling: connection closed")),
      error: (_socket, error) => fail(error),
    },
  });
  socket.setNoDelay?.(true);
  return {
    exchange(request, chunkHandler) {
      return new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
        onChunk = chunkHandler;
        unsent = request;
        flush(socket);
      });
    },
    close: () => socket.end(),
  };
}

/** A plain socket of this runtime (Deno.connect or Bun.connect) to 127.0.0.1:`port`. */
function openRaw(port: number): Promise<RawConn> {
  const { Deno: deno, Bun: bun } = globals;
  if (deno !== undefined) return denoConn(deno, port);
  if (bun !== undefined) return bunConn(bun, port);
  throw new Error("raw ceiling: neither Deno nor Bun");
}

/**
 * Connections handed out one at a time to the in-flight workers of a raw
 * ceiling: a worker takes a free one, or waits for the next released (as
 * Reqivo's capped pool makes a request wait). `take()` costs no promise when
 * one is free.
 *
 * @example
 * const free = new FreeConnections([a, b]);
 * const conn = free.take() ?? (await free.next());
 * free.release(conn);
 */
export class FreeConnections<T> {
  readonly #free: T[];
  readonly #waiting: ((item: T) => void)[] = [];

  constructor(items: T[]) {
    this.#free = items;
  }

  /** A free connection, or undefined when all are taken (then await `next()`). */
  take(): T | undefined {
    return this.#free.pop();
  }

  /** The next connection released. */
  next(): Promise<T> {
    return new Promise<T>((resolve) => this.#waiting.push(resolve));
  }

  /** Gives `item` to the longest waiting worker, or back to the free ones. */
  release(item: T): void {
    const waiter = this.#waiting.shift();
    if (waiter === undefined) this.#free.push(item);
    else waiter(item);
  }
}

/** The pre-built keep-alive GET of the raw ceilings. */
export function rawRequest(port: number, path: string): Uint8Array {
  return new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`);
}

/**
 * Sends `request` once on a connection of its own and learns the size of the
 * answer (the only parsing the raw ceilings do): `size` whole, `body` without
 * the head.
 *
 * @example
 * const { size, body } = await probeResponse(8080, rawRequest(8080, "/64k"));
 */
export async function probeResponse(
  port: number,
  request: Uint8Array,
): Promise<{ size: number; body: number }> {
  const probeConn = await openRaw(port);
  const chunks: Uint8Array[] = [];
  let total = -1;
  let headLength = -1;
  await probeConn.exchange(request, (chunk) => {
    chunks.push(chunk.slice());
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    const text = new TextDecoder("latin1").decode(all);
    const headEnd = text.indexOf("\r\n\r\n");
    if (headEnd === -1) return false;
    if (!text.startsWith("HTTP/1.1 200 ")) throw new Error("raw probe: not 200");
    const match = /content-length: *(\d+)/i.exec(text.slice(0, headEnd));
    if (match === null) throw new Error("raw probe: no content-length");
    headLength = headEnd + 4;
    total = headLength + Number(match[1]);
    return all.length >= total;
  });
  probeConn.close();
  return { size: total, body: total - headLength };
}

/**
 * A raw ceiling as a contender of runtime-child.ts: `connections` sockets
 * shared by the child's in-flight workers (a worker waits for a free socket,
 * as Reqivo's capped pool makes it wait). `one()` resolves with the body size
 * counted (response bytes minus the head), so the child's size check applies.
 */
export async function rawCeilingRunner(
  port: number,
  path: string,
  connections: number,
): Promise<{ name: string; one(): Promise<number>; close(): Promise<void> }> {
  const request = rawRequest(port, path);
  const { size, body } = await probeResponse(port, request);
  const open = () => openRaw(port);

  const all = await Promise.all(Array.from({ length: connections }, open));
  const free = new FreeConnections([...all]);
  return {
    name: "raw ceiling",
    async one() {
      const conn = free.take() ?? (await free.next());
      let pending = size;
      try {
        await conn.exchange(request, (chunk) => {
          pending -= chunk.length;
          if (pending < 0) throw new Error("raw ceiling: more bytes than one response");
          return pending === 0;
        });
      } finally {
        free.release(conn);
      }
      return body;
    },
    async close() {
      for (const conn of all) conn.close();
    },
  };
}

/**
 * One transport connection with its protocol state, as the pool holds it.
 * HTTP/1.1: while idle it keeps one read outstanding, so a server that
 * closes the connection (or sends bytes nobody asked for) is noticed at once
 * instead of on the next request. HTTP/2 (`h2` set): the link's reader loop
 * reads all the time, and the connection carries up to the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS exchanges at once.
 */
import {
  ClientConnection,
  type ClientReceiveEvent,
  type HttpLimits,
  type NEED_DATA,
} from "@reqivo/protocol";
import { type Connection, WRITTEN } from "@reqivo/transport";
import type { Http2Link } from "./http2/link.ts";

/** Above this many streams at once, a second connection is cheaper than more waiting on one. */
const MAX_HTTP2_CAPACITY = 1000;

function ignore(): void {}

/**
 * Takes the chunk of a connection's outstanding read (see
 * {@link PooledConnection.readNow}). The methods must not throw.
 *
 * @example
 * ```ts
 * const consumer: ChunkConsumer = { onChunk: (chunk) => {}, onReadError: (error) => {} };
 * ```
 */
export interface ChunkConsumer {
  /** The chunk read, or `null` once the peer closed its side. */
  onChunk(chunk: Uint8Array | null): void;
  /** Why the read failed. */
  onReadError(error: unknown): void;
  /**
   * Why a {@link PooledConnection.write} failed, for the consumer at that
   * time. Optional: without it the connection is aborted.
   */
  onWriteError?(error: unknown): void;
}

export class PooledConnection {
  readonly protocol: ClientConnection;
  readonly transport: Connection;
  readonly originKey: string;
  /** Milliseconds the connect (TCP and TLS) took. */
  readonly connectTime: number;
  /** Requests started on this connection. */
  requests = 0;
  /**
   * Exchanges this connection can carry at once: one for HTTP/1.1. A
   * multiplexing protocol (HTTP/2) raises it once negotiated; the pool lends
   * the connection out again while {@link active} is below it.
   */
  capacity = 1;
  /** Exchanges lent out on it and not yet given back. */
  active = 0;
  /** Set when the connection must not carry another request. */
  broken = false;
  /**
   * Set when the connection takes no new exchange but its open ones may
   * finish (an HTTP/2 GOAWAY): the pool closes it when the last one ends.
   */
  draining = false;
  /** Set once the pool closed it and freed its slot. */
  discarded = false;
  /** The HTTP/2 link when `h2` was negotiated; `undefined` for HTTP/1.1. */
  h2: Http2Link | undefined;
  /** Idle lifetime the server announced with `Keep-Alive: timeout=N`, in ms. */
  keepAliveHint: number | undefined;
  /** The Keep-Alive field value {@link keepAliveHint} was read from (`null`: none). */
  keepAliveHeader: string | null = null;
  /** When the connection, while idle, is to be closed (`performance.now()` time). */
  idleDeadline = 0;
  /** The pool's idle timer, kept across idle spells (pool.ts `#armIdleTimer`). */
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** When {@link idleTimer} fires (`performance.now()` time). */
  idleTimerAt = 0;
  /** Whether a transport read is outstanding (its chunk goes to {@link #consumer}). */
  #reading = false;
  /** Who takes the outstanding read's chunk: the idle watch, an exchange, a body read. */
  #consumer: ChunkConsumer;
  /** Set by {@link shareReads}: small body pieces are views of shared read buffers, to be copied. */
  sharesReads = false;

  constructor(
    transport: Connection,
    originKey: string,
    limits: Partial<HttpLimits>,
    connectTime: number,
  ) {
    this.transport = transport;
    this.originKey = originKey;
    this.protocol = new ClientConnection(limits);
    this.connectTime = connectTime;
    this.#consumer = this.#idleWatch;
  }

  /** The next response event already buffered, or `NEED_DATA` (then {@link read} and feed the protocol). */
  nextEventSync(): ClientReceiveEvent | typeof NEED_DATA {
    return this.protocol.nextEvent();
  }

  /**
   * The next chunk from the transport (the outstanding read's, if there is
   * one), for the caller to feed into {@link protocol}.
   */
  read(): Promise<Uint8Array | null> {
    if (!this.#reading) return this.transport.read();
    return new Promise((resolve, reject) => {
      this.#consumer = { onChunk: resolve, onReadError: reject };
    });
  }

  /**
   * HTTP/1.1: the next chunk without a promise. Returns it when the transport
   * has it buffered (`null`: the peer closed); else returns `undefined` and
   * hands it to `consumer.onChunk` once it arrives, or the read's failure to
   * `consumer.onReadError` (always a microtask later: the failure may come
   * from inside the caller's own abort). Throws when the connection failed
   * and nothing is buffered. One transport read is outstanding at a time:
   * a read the idle watch left outstanding is taken over, so its chunk goes
   * to the new consumer. Uses the transport's `readNow` where it has one
   * (no promise, no microtask hop per read), else `read()`'s promise.
   *
   * @example
   * ```ts
   * const chunk = connection.readNow(consumer);
   * if (chunk !== undefined) connection.protocol.receiveData(chunk); // was buffered
   * ```
   */
  readNow(consumer: ChunkConsumer): Uint8Array | null | undefined {
    this.#consumer = consumer;
    if (this.#reading) return undefined;
    const transport = this.transport;
    if (transport.readNow === undefined) {
      this.#reading = true;
      transport.read().then(this.#onChunk, this.#onRejected);
      return undefined;
    }
    const chunk = transport.readNow(this.#onChunk, this.#onFailed);
    if (chunk === undefined) this.#reading = true;
    return chunk;
  }

  /**
   * Writes `bytes` without the caller awaiting it: a failure goes to the
   * read consumer of that time ({@link ChunkConsumer.onWriteError}: the
   * exchange waiting for its head), or else aborts the connection, so that
   * whoever reads it next learns of it. The handler is the connection's, not
   * one per write (with the exchange's promise made without an executor
   * closure, settlers.ts: GET 16 B, bytes allocated per request 8,747 →
   * 8,497 on sockets, `client.bench.ts --allocations=50000`; 7,083 → 6,803
   * in memory, `READ_NOW=1 ALLOCATIONS=1 scripts/client-cycle.mjs 20000`).
   *
   * @example
   * ```ts
   * connection.write(head); // then connection.readNow(exchange)
   * ```
   */
  write(bytes: Uint8Array): void {
    const written = this.transport.write(bytes);
    // Taken at once (the transport's shared resolved promise): nothing to hear
    // of, no `then` (GET 16 B, 54,629 → 54,436 instructions and ~8,172 →
    // ~8,080 bytes per request; GET 64 KiB 103,041 → 102,757; same commands).
    if (written !== WRITTEN) written.then(undefined, this.#onWriteRejected);
  }

  readonly #onWriteRejected = (error: unknown): void => {
    const consumer = this.#consumer;
    if (consumer.onWriteError !== undefined) consumer.onWriteError(error);
    else this.abort(error);
  };

  // Made once per connection, not per read.
  readonly #onChunk = (chunk: Uint8Array | null): void => {
    this.#reading = false;
    this.#consumer.onChunk(chunk);
  };
  readonly #onRejected = (error: unknown): void => {
    this.#reading = false;
    this.#consumer.onReadError(error);
  };
  readonly #onFailed = (error: unknown): void => {
    this.#reading = false;
    const consumer = this.#consumer;
    queueMicrotask(() => consumer.onReadError(error));
  };

  /**
   * HTTP/1.1 only: asks the transport for its reads without a copy per small
   * read (`Connection.shareReads`). Everything read here is consumed by the
   * parser at once except body pieces, which ConnectionBody copies when small
   * ({@link sharesReads}). GET 16 B over 50 keep-alive connections: 58,999
   * → 56,312 user-space instructions per request, no fresh ArrayBuffer per
   * read (apps/bench/results/2026-12-07-h1-dispatch.md, round 1).
   */
  shareReads(): void {
    const transport = this.transport;
    if (transport.shareReads === undefined) return;
    transport.shareReads();
    this.sharesReads = true;
  }

  /**
   * Reads from the transport straight into `target` when it can (Deno's
   * transport) and no idle-watch read is outstanding; `undefined` when the
   * caller must go through {@link read} instead.
   */
  readInto(target: Uint8Array): Promise<number | null> | undefined {
    if (this.#reading || this.transport.readInto === undefined) return undefined;
    return this.transport.readInto(target);
  }

  /**
   * What the pool does when the peer closes (or talks) while the connection
   * is idle: set once by the pool, not passed to each {@link watchWhileIdle}
   * (with the single `settle` below: ~8,820 → ~8,620 bytes per keep-alive GET,
   * apps/bench `ALLOCATIONS=1 scripts/client-cycle.mjs 20000`).
   */
  onIdleEnd: () => void = ignore;

  /**
   * Starts the idle watch: {@link onIdleEnd} runs if the peer closes or talks
   * while we are idle. It is the connection's read consumer until a request
   * takes the read over (see {@link readNow}): no promise and no `then` per
   * idle spell where the transport has `readNow`.
   */
  watchWhileIdle(): void {
    let chunk: Uint8Array | null | undefined;
    try {
      chunk = this.readNow(this.#idleWatch);
    } catch {
      chunk = null;
    }
    // Already at hand (bytes nobody asked for, or the end): news, but for the
    // pool a microtask later, not from inside its own release.
    if (chunk !== undefined && (chunk === null || chunk.length > 0)) {
      this.broken = true;
      queueMicrotask(this.onIdleEnd);
    } else if (chunk !== undefined) this.watchWhileIdle(); // an empty read is no news
  }

  readonly #idleWatch: ChunkConsumer = {
    onChunk: (chunk) => {
      if (chunk !== null && chunk.length === 0) {
        this.watchWhileIdle();
        return;
      }
      this.broken = true;
      this.onIdleEnd();
    },
    onReadError: () => {
      this.broken = true;
      this.onIdleEnd();
    },
  };

  /**
   * Carries HTTP/2 from now on (ALPN said `h2`): exchanges go through `link`,
   * up to the server's stream limit or `maxStreams` (the session's
   * `http2.maxStreamsPerConnection`), whichever is lower, at once.
   */
  useHttp2(link: Http2Link, maxStreams = MAX_HTTP2_CAPACITY): void {
    this.h2 = link;
    const most = Math.min(maxStreams, MAX_HTTP2_CAPACITY);
    this.capacity = Math.min(link.maxStreams, most);
    link.onCapacity = (streams) => {
      this.capacity = Math.max(1, Math.min(streams, most));
    };
  }

  /** The request using this HTTP/1.1 connection ended early: the connection goes. */
  abort(reason: unknown): void {
    // The parser may still hold a complete response: the connection must not go back to the pool.
    this.broken = true;
    this.transport.abort(reason);
  }

  close(): void {
    this.broken = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (this.h2 !== undefined) this.h2.close();
    else this.transport.close();
  }
}

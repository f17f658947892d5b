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
import type { Connection } from "@reqivo/transport";
import type { Http2Link } from "./http2/link.ts";

/** Above this many streams at once, a second connection is cheaper than more waiting on one. */
const MAX_HTTP2_CAPACITY = 1000;

function ignore(): void {}

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
  #pendingRead: Promise<Uint8Array | null> | undefined;
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
  }

  /** The next response event already buffered, or `NEED_DATA` (then {@link read} and feed the protocol). */
  nextEventSync(): ClientReceiveEvent | typeof NEED_DATA {
    return this.protocol.nextEvent();
  }

  /**
   * The next chunk from the transport (the idle watch's read first, if one is
   * outstanding), for the caller to feed into {@link protocol}.
   */
  read(): Promise<Uint8Array | null> {
    const pending = this.#pendingRead;
    if (pending !== undefined) {
      this.#pendingRead = undefined;
      return pending;
    }
    return this.transport.read();
  }

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
    if (this.#pendingRead !== undefined || this.transport.readInto === undefined) return undefined;
    return this.transport.readInto(target);
  }

  /**
   * What the pool does when the peer closes (or talks) while the connection
   * is idle: set once by the pool, not passed to each {@link watchWhileIdle}
   * (with the single `settle` below: ~8,820 → ~8,620 bytes per keep-alive GET,
   * apps/bench `ALLOCATIONS=1 scripts/client-cycle.mjs 20000`).
   */
  onIdleEnd: () => void = ignore;

  /** Starts the idle watch: {@link onIdleEnd} runs if the peer closes or talks while we are idle. */
  watchWhileIdle(): void {
    const read = this.transport.read();
    this.#pendingRead = read;
    // One function for both outcomes: a chunk, or the reason the read failed.
    const settle = (chunk: unknown) => {
      if (this.#pendingRead !== read) return; // a request took the read over
      if (chunk instanceof Uint8Array && chunk.length === 0) {
        this.watchWhileIdle(); // an empty read is no news
        return;
      }
      this.broken = true;
      this.onIdleEnd();
    };
    read.then(settle, settle);
  }

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

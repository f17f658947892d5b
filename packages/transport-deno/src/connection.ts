// The contract's Connection over a Deno.Conn. Deno's API is already pull-based
// (conn.read into a buffer), so backpressure comes for free: nothing is read
// from the socket until the caller asks.
import {
  AbortedError,
  type Connection,
  ConnectionClosedError,
  type ConnectionInfo,
  createClosedPromise,
  type ResolvedConnectOptions,
  type TransportError,
} from "@reqivo/transport";
import { closeQuietly } from "./connect-scope.ts";
import type { DenoConn, DenoNetAddr, DenoUnixAddr } from "./deno-types.ts";
import { mapDenoError } from "./map-error.ts";
import type { OpenedConn } from "./open.ts";

/**
 * Reads fill a slab: each read is offered the slab's free tail, and what it
 * got is handed out as a view, so one allocation (and one zero-fill) serves
 * several reads and a large read costs no copy. The part handed out is never
 * read into again (callers keep views into chunks); only the free tail is.
 * 128 KiB: a fresh slab takes a full 64 KiB read with room for the next one,
 * and a connection idling on a pending read holds one slab (64 KiB before).
 * The first read after a write (a reply) retires a tail smaller than the
 * previous reply's viewed bytes, and when two such replies would not fit in
 * SLAB_SIZE its fresh slab is sized to one plus MIN_READ: a keep-alive
 * connection getting the same ~64 KiB response again and again then reads
 * each in one piece (no copy in the body reader; a tail just short of it
 * split it in two) and zero-fills ~80 KiB per response, not 128 KiB per two
 * plus a 64 KiB copy. The price: a kept chunk (over COPY_AT_MOST) keeps its
 * whole slab alive, at most four times its size. A trade of memory for
 * speed, measured on the GET 64 KiB bench against Deno's fetch (before the
 * reply sizing): copying reads up to 16 KiB gave 1.5× (but a kept view could
 * pin 8× its size), up to 32 KiB 1.3×, up to 64 KiB 1.2×.
 */
const SLAB_SIZE = 128 * 1024;
/** A tail smaller than this is retired for a fresh slab: tiny reads would split large responses. */
const MIN_READ = 16 * 1024;
/**
 * Reads up to this size are copied out and their slab region read into again:
 * a chunk the caller keeps then pins no slab (a kept view never holds more
 * than four times its size alive), and TLS (whose reads are one record, at most
 * 16 KiB) uses the slab as a reusable scratch buffer.
 */
const COPY_AT_MOST = SLAB_SIZE / 4;

/**
 * A connected Deno socket behind the contract; what `createTransport().connect()` resolves to.
 *
 * @example
 * ```ts
 * import { createTransport, type DenoConnection } from "@reqivo/transport-deno";
 * const conn = (await createTransport().connect({ host: "127.0.0.1", port: 8080 })) as DenoConnection;
 * conn.close();
 * ```
 */
export class DenoConnection implements Connection {
  readonly info: ConnectionInfo;
  readonly #conn: DenoConn;
  readonly #target: ResolvedConnectOptions;
  readonly #closed = createClosedPromise();
  #failure: TransportError | null = null;
  #readEnded = false;
  #writeEnded = false;
  #done = false;
  /**
   * Reads and writes are each chained so concurrent calls keep their order.
   * The counters say how many are asked for and not yet settled: when none
   * is, a call goes to the socket at once instead of waiting a turn on the
   * chain (the common case, and two promises fewer per call).
   */
  #readTail: Promise<unknown> = Promise.resolve();
  #readsQueued = 0;
  #writeTail: Promise<unknown> = Promise.resolve();
  #writesQueued = 0;
  #writeEnd: Promise<void> | null = null;
  /** The slab reads fill, and where its free tail starts; see SLAB_SIZE. */
  #slab: Uint8Array | null = null;
  #slabOffset = 0;
  /**
   * Bytes handed out as views since the last write (this reply so far); the
   * first read after a write sizes its slab by it, see SLAB_SIZE. Reads with
   * no write in between (a stream) fill slabs whole.
   */
  #replyViewed = 0;
  #wroteSinceRead = false;

  constructor(opened: OpenedConn, target: ResolvedConnectOptions) {
    this.#conn = opened.conn;
    this.#target = target;
    this.info = describe(opened, target);
    target.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  read(): Promise<Uint8Array | null> {
    this.#readsQueued++;
    // Both handlers of the chained call take the turn, so a failed read
    // neither breaks the order nor goes unhandled (its caller has it too).
    const next =
      this.#readsQueued === 1
        ? this.#readOnce()
        : this.#readTail.then(this.#readTurn, this.#readTurn);
    this.#readTail = next;
    return next;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#writeEnd !== null) {
      return Promise.reject(new ConnectionClosedError("write after closeWrite()"));
    }
    if (bytes.byteLength === 0) return Promise.resolve();
    this.#writesQueued++;
    this.#wroteSinceRead = true;
    let next: Promise<void>;
    if (this.#writesQueued === 1) next = this.#writeAll(bytes);
    else {
      const turn = () => this.#writeAll(bytes);
      next = this.#writeTail.then(turn, turn);
    }
    this.#writeTail = next;
    return next;
  }

  closeWrite(): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#writeEnd === null) {
      const shutDown = async (): Promise<void> => {
        if (this.#failure !== null) throw this.#failure;
        try {
          await this.#conn.closeWrite();
        } catch (error) {
          throw this.#ioError(error);
        }
        this.#writeEnded = true;
        this.#finishIfDone();
      };
      // After every earlier write, whether it succeeded or failed.
      this.#writeEnd = this.#writeTail.then(shutDown, shutDown);
    }
    return this.#writeEnd;
  }

  close(): void {
    this.#fail(new ConnectionClosedError());
  }

  abort(reason?: unknown): void {
    this.#fail(new AbortedError({ cause: reason }));
  }

  /** Lets Deno exit while this connection is open, a pending read included (`conn.unref()`). */
  unref(): void {
    if (!this.#done && this.#failure === null) this.#conn.unref();
  }

  /** Undoes {@link unref}: the connection keeps Deno alive again (`conn.ref()`). */
  ref(): void {
    if (!this.#done && this.#failure === null) this.#conn.ref();
  }

  readonly #onAbort = (): void => {
    this.abort(this.#target.signal?.reason);
  };

  readonly #readTurn = (): Promise<Uint8Array | null> => this.#readOnce();

  async #readOnce(): Promise<Uint8Array | null> {
    try {
      if (this.#failure !== null) throw this.#failure;
      if (this.#readEnded) return null;
      let slab = this.#slab;
      const tail = slab === null ? 0 : slab.byteLength - this.#slabOffset;
      let wantTail = 0;
      if (this.#wroteSinceRead) {
        this.#wroteSinceRead = false;
        wantTail = Math.min(this.#replyViewed, SLAB_SIZE);
        this.#replyViewed = 0;
      }
      if (slab === null || tail < MIN_READ || tail < wantTail) {
        // Sized to the reply before, see SLAB_SIZE.
        const size =
          wantTail === 0 || 2 * wantTail <= SLAB_SIZE
            ? SLAB_SIZE
            : Math.min(SLAB_SIZE, wantTail + MIN_READ);
        slab = this.#slab = new Uint8Array(size);
        this.#slabOffset = 0;
      }
      const start = this.#slabOffset;
      let count: number | null;
      try {
        count = await this.#conn.read(slab.subarray(start));
      } catch (error) {
        throw this.#ioError(error);
      }
      if (this.#failure !== null) throw this.#failure;
      if (count === null) {
        this.#readEnded = true;
        this.#slab = null;
        this.#finishIfDone();
        return null;
      }
      if (count <= COPY_AT_MOST) return slab.slice(start, start + count);
      // Handed out: this region is the caller's now and is never read into again.
      this.#slabOffset = start + count;
      this.#replyViewed += count;
      return slab.subarray(start, start + count);
    } finally {
      this.#readsQueued--;
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    try {
      // conn.write may take only part of the bytes; it resolves once the OS has them.
      for (let offset = 0; offset < bytes.byteLength; ) {
        if (this.#failure !== null) throw this.#failure;
        try {
          offset += await this.#conn.write(offset === 0 ? bytes : bytes.subarray(offset));
        } catch (error) {
          throw this.#ioError(error);
        }
      }
    } finally {
      this.#writesQueued--;
    }
  }

  /** The error to report for a failed Deno call: ours if we closed, else the mapped one. */
  #ioError(error: unknown): TransportError {
    if (this.#failure !== null) return this.#failure;
    const mapped = mapDenoError(error, "open", this.#target);
    this.#fail(mapped);
    return mapped;
  }

  #fail(error: TransportError): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#release();
    if (error instanceof ConnectionClosedError || this.#done) this.#closed.resolve();
    else this.#closed.reject(error);
  }

  /** Both directions ended cleanly: release the socket. */
  #finishIfDone(): void {
    if (!this.#readEnded || !this.#writeEnded || this.#done || this.#failure !== null) return;
    this.#done = true;
    this.#release();
    this.#closed.resolve();
  }

  #release(): void {
    this.#slab = null;
    this.#target.signal?.removeEventListener("abort", this.#onAbort);
    closeQuietly(this.#conn);
  }
}

function describe(opened: OpenedConn, target: ResolvedConnectOptions): ConnectionInfo {
  // A tunnel's far end was reached by the proxy: no address of ours to tell.
  const tunnelled = target.tunnel !== null;
  const local = tunnelled ? null : netAddr(opened.conn.localAddr);
  const remote = tunnelled ? null : netAddr(opened.conn.remoteAddr);
  return {
    kind: target.kind,
    alpnProtocol: opened.alpnProtocol,
    // Deno's own TLS does not report the version; the node:tls path does.
    tlsVersion: opened.tlsVersion ?? null,
    remoteAddress: remote?.hostname ?? null,
    remotePort: tunnelled ? target.port : (remote?.port ?? null),
    localAddress: local?.hostname ?? null,
    localPort: local?.port ?? null,
    path: target.path,
  };
}

function netAddr(addr: DenoNetAddr | DenoUnixAddr): DenoNetAddr | null {
  return addr.transport === "tcp" || addr.transport === "udp" ? addr : null;
}

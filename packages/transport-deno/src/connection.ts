// The contract's Connection over a Deno.Conn. Deno's API is already pull-based
// (conn.read into a buffer), so backpressure comes for free: nothing is read
// from the socket until the caller asks.
import {
  AbortedError,
  type Connection,
  ConnectionClosedError,
  type ConnectionInfo,
  InvalidArgumentError,
  type TransportError,
} from "@reqivo/transport";
import { createClosedPromise, ReadSlab, type ResolvedConnectOptions } from "@reqivo/transport/kit";
import { closeQuietly } from "./connect-scope.ts";
import type { DenoConn, DenoNetAddr, DenoUnixAddr } from "./deno-types.ts";
import { mapDenoError } from "./map-error.ts";
import type { OpenedConn } from "./open.ts";

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
  /** Where reads land: one slab serves several reads, large ones handed out as views. */
  readonly #slab = new ReadSlab();

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

  /**
   * Reads straight into `target` (Deno's own `conn.read(buffer)`): the count,
   * or `null` at the end of the peer's stream. In call order with `read()`.
   */
  readInto(target: Uint8Array): Promise<number | null> {
    if (target.byteLength === 0) {
      return Promise.reject(new InvalidArgumentError("readInto needs a non-empty buffer"));
    }
    this.#readsQueued++;
    const turn = () => this.#readIntoOnce(target);
    const next =
      this.#readsQueued === 1 ? this.#readIntoOnce(target) : this.#readTail.then(turn, turn);
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
    this.#slab.wrote();
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
      const count = await this.#readRaw(this.#slab.region());
      return count === null ? null : this.#slab.take(count);
    } finally {
      this.#readsQueued--;
    }
  }

  async #readIntoOnce(target: Uint8Array): Promise<number | null> {
    try {
      return await this.#readRaw(target);
    } finally {
      this.#readsQueued--;
    }
  }

  /** One `conn.read` into `buffer`: the count, or `null` at the end of the peer's stream. */
  async #readRaw(buffer: Uint8Array): Promise<number | null> {
    if (this.#failure !== null) throw this.#failure;
    if (this.#readEnded) return null;
    let count: number | null;
    try {
      count = await this.#conn.read(buffer);
    } catch (error) {
      throw this.#ioError(error);
    }
    if (this.#failure !== null) throw this.#failure;
    if (count === null) {
      this.#readEnded = true;
      this.#slab.release();
      this.#finishIfDone();
    }
    return count;
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
    this.#slab.release();
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

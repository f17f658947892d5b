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
import type { DenoConn, DenoNetAddr, DenoUnixAddr } from "./deno-types.ts";
import { mapDenoError } from "./map-error.ts";
import { closeQuietly, type OpenedConn } from "./open.ts";

/** Bytes asked of the socket per read; a 64 KiB read is what the OS hands over in one go. */
const READ_SIZE = 64 * 1024;

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
  /** Reads and writes are each chained so concurrent calls keep their order. */
  #readChain: Promise<unknown> = Promise.resolve();
  #writeChain: Promise<unknown> = Promise.resolve();
  #writeEnd: Promise<void> | null = null;

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
    const next = this.#readChain.then(() => this.#readOnce());
    this.#readChain = next.catch(() => {});
    return next;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#writeEnd !== null) {
      return Promise.reject(new ConnectionClosedError("write after closeWrite()"));
    }
    if (bytes.byteLength === 0) return Promise.resolve();
    const next = this.#writeChain.then(() => this.#writeAll(bytes));
    this.#writeChain = next.catch(() => {});
    return next;
  }

  closeWrite(): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    this.#writeEnd ??= this.#writeChain.then(async () => {
      if (this.#failure !== null) throw this.#failure;
      try {
        await this.#conn.closeWrite();
      } catch (error) {
        throw this.#ioError(error);
      }
      this.#writeEnded = true;
      this.#finishIfDone();
    });
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

  async #readOnce(): Promise<Uint8Array | null> {
    if (this.#failure !== null) throw this.#failure;
    if (this.#readEnded) return null;
    const buffer = new Uint8Array(READ_SIZE);
    let count: number | null;
    try {
      count = await this.#conn.read(buffer);
    } catch (error) {
      throw this.#ioError(error);
    }
    if (this.#failure !== null) throw this.#failure;
    if (count === null) {
      this.#readEnded = true;
      this.#finishIfDone();
      return null;
    }
    // A small read is copied out so that it does not pin a 64 KiB buffer.
    return count > READ_SIZE / 2 ? buffer.subarray(0, count) : buffer.slice(0, count);
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    // conn.write may take only part of the bytes; it resolves once the OS has them.
    for (let offset = 0; offset < bytes.byteLength; ) {
      if (this.#failure !== null) throw this.#failure;
      try {
        offset += await this.#conn.write(bytes.subarray(offset));
      } catch (error) {
        throw this.#ioError(error);
      }
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
    this.#target.signal?.removeEventListener("abort", this.#onAbort);
    closeQuietly(this.#conn);
  }
}

function describe(opened: OpenedConn, target: ResolvedConnectOptions): ConnectionInfo {
  const local = netAddr(opened.conn.localAddr);
  const remote = netAddr(opened.conn.remoteAddr);
  return {
    kind: target.kind,
    alpnProtocol: opened.alpnProtocol,
    // Deno does not report the negotiated TLS version.
    tlsVersion: null,
    remoteAddress: remote?.hostname ?? null,
    remotePort: remote?.port ?? null,
    localAddress: local?.hostname ?? null,
    localPort: local?.port ?? null,
    path: target.path,
  };
}

function netAddr(addr: DenoNetAddr | DenoUnixAddr): DenoNetAddr | null {
  return addr.transport === "tcp" || addr.transport === "udp" ? addr : null;
}

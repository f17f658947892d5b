// The contract's Connection over a connected node:net / node:tls socket.
import type * as net from "node:net";
import * as tls from "node:tls";
import {
  AbortedError,
  type Connection,
  ConnectionClosedError,
  type ConnectionInfo,
  type TransportError,
  WRITTEN,
} from "@reqivo/transport";
import {
  createClosedPromise,
  mapErrorByCode,
  ReadQueue,
  type ResolvedConnectOptions,
} from "@reqivo/transport/kit";
import { IS_NODE } from "./runtime.ts";
import { type SlabReader, slabReaderOf } from "./slab-reader.ts";

/** NodeConnection's #flushHeld, for flushHolding (set by the class's static block). */
let flushHeldOf: (connection: NodeConnection) => void;

/**
 * A connected socket behind the pull-read, promise-write contract; what
 * `createTransport().connect()` resolves to.
 *
 * @example
 * ```ts
 * import { createTransport, type NodeConnection } from "@reqivo/transport-node";
 * const conn = (await createTransport().connect({ host: "127.0.0.1", port: 8080 })) as NodeConnection;
 * conn.close();
 * ```
 */
export class NodeConnection implements Connection {
  readonly info: ConnectionInfo;
  readonly #socket: net.Socket;
  readonly #target: ResolvedConnectOptions;
  readonly #queue: ReadQueue;
  readonly #closed = createClosedPromise();
  /** Why the connection ended; later operations reject with it. */
  #failure: TransportError | null = null;
  #writeEnd: Promise<void> | null = null;
  /** Set once the socket carries a TLS connection on top (a tunnel); see {@link detachSocket}. */
  #handedOver = false;
  /**
   * Settle functions of the writes not yet handed to the OS, oldest first, as
   * resolve/reject pairs in one flat array (no object, Set entry or callback
   * closure per write): Node runs a socket's write callbacks exactly once and
   * in call order, so one shared callback settles the oldest. Failed at once
   * on close, abort or reset.
   */
  readonly #pendingWrites: Array<(() => void) | ((error: TransportError) => void)> = [];
  /**
   * Writes held for the check phase of this turn of the event loop, as
   * bytes, resolve, reject triples in one flat array; see {@link holdUntilCheck}.
   */
  readonly #held: Array<Uint8Array | (() => void) | ((error: TransportError) => void) | null> = [];
  /**
   * Entries of {@link #held} in use. The list is emptied by this count, not
   * by `splice(0)`, which made a new array and dropped the list's storage,
   * so that the next held write grew it again: GET 16 B, 100 in flight,
   * ~9,523 → ~9,270 bytes allocated per request (apps/bench `npx tsx
   * --expose-gc src/client.bench.ts --allocations=20000 --only=reqivo
   * --scenario=get-tiny`; results/2026-12-07-h1-costs.md).
   */
  #heldCount = 0;
  /** Bytes of the held writes that resolved at once (copies; see HELD_AT_ONCE). */
  #heldBytes = 0;
  /** Reads land in a slab (plain sockets on Node, see slab-reader.ts); else 'data' events. */
  readonly #reader: SlabReader | undefined;
  /** A small write went out at once since the last read (see {@link #holds}). */
  #wroteSinceRead = false;

  constructor(socket: net.Socket, target: ResolvedConnectOptions, readHighWaterMark: number) {
    this.#socket = socket;
    this.#target = target;
    this.info = describe(socket, target);
    this.#queue = new ReadQueue({
      highWaterMark: readHighWaterMark,
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    });
    openConnections++;
    this.#reader = slabReaderOf(socket);
    if (this.#reader === undefined) socket.on("data", this.#onData);
    else this.#reader.attach(this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("error", (error) => this.#fail(mapErrorByCode(error, "open", target), false));
    socket.once("close", () => this.#onClose());
    target.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  readonly #onData = (chunk: Uint8Array): void => {
    this.#wroteSinceRead = false;
    this.#queue.push(chunk);
  };
  readonly #onEnd = (): void => this.#queue.end();

  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  read(): Promise<Uint8Array | null> {
    return this.#queue.read();
  }

  readNow(
    onChunk: (chunk: Uint8Array | null) => void,
    onError: (error: unknown) => void,
  ): Uint8Array | null | undefined {
    return this.#queue.readNow(onChunk, onError);
  }

  /**
   * The first read after each write of a plain socket (a reply's start)
   * comes as a view of the read slab from now on, not a copy, whatever its
   * size (see the contract; later reads of a stream are taken as before). GET 16 B over 50 keep-alive connections
   * (client copying the body piece it hands out): 58,999 → 56,312 user-space
   * instructions per request (apps/bench/results/2026-12-07-h1-dispatch.md).
   */
  shareReads(): void {
    if (this.#reader !== undefined) this.#reader.shared = true;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#writeEnd !== null) {
      return Promise.reject(new ConnectionClosedError("write after closeWrite()"));
    }
    if (bytes.byteLength === 0) return Promise.resolve();
    this.#reader?.wrote();
    // Small writes wait for the check phase (see holdUntilCheck); a write
    // behind held ones waits with them, so the bytes keep their order.
    if (this.#heldCount > 0 || (IS_NODE && bytes.byteLength <= HOLD_AT_MOST && this.#holds())) {
      // Nothing queued in the socket and little held: the runtime accepts
      // the bytes now (a copy, so the caller may reuse its buffer) and the
      // write is done; see HELD_AT_ONCE. Otherwise it settles when the socket
      // took it, so a slow peer still holds the next write back.
      if (
        this.#heldBytes + bytes.byteLength <= HELD_AT_ONCE &&
        this.#socket.writableLength === 0 &&
        this.#pendingWrites.length === 0
      ) {
        this.#heldBytes += bytes.byteLength;
        this.#hold(heldCopy(bytes), IGNORE, IGNORE);
        return WRITTEN;
      }
      return new Promise<void>((resolve, reject) => this.#hold(bytes, resolve, reject));
    }
    const socket = this.#socket;
    // Nothing queued before: the socket tries to hand the bytes to the OS right away.
    const alone = IS_NODE && socket.writableLength === 0;
    const slot = this.#pendingWrites.length;
    this.#pendingWrites.push(IGNORE, IGNORE);
    socket.write(bytes, this.#onWritten);
    if (this.#failure !== null) return Promise.reject(this.#failure);
    // The OS took every byte during the call (nothing left queued, no
    // failure): the write is done, only Node's callback is still to come a
    // tick later. Resolving now spares a promise and its settle functions.
    if (alone && socket.writableLength === 0 && !socket.destroyed) return WRITTEN;
    return new Promise<void>((resolve, reject) => {
      // The callback runs once the bytes are handed to the OS, so the caller
      // may reuse the buffer, and a slow peer holds the next write back.
      this.#pendingWrites[slot] = resolve;
      this.#pendingWrites[slot + 1] = reject;
    });
  }

  /**
   * Whether a small write waits for the check phase. It does while other
   * connections are open: they may have replies ready to read first, which
   * is what holding is for (see {@link holdUntilCheck}). A lone connection
   * has none, so its first small write after each read (a request, an echo)
   * goes out at once; later ones before the next read are still held, so a
   * burst (HTTP/2 frames of several streams) still leaves in one writev.
   * Holding a lone flow's every write cost one setImmediate per message:
   * WebSocket echo of 16 B, user-space instructions per message 28,829
   * held against 24,868 (side by side: `node scripts/ws-per-message.mjs
   * --bundles=…` in apps/bench), heap bytes 4,441 against 3,626
   * (`--tool=counts`); results/2026-12-07-ws-small.md.
   */
  #holds(): boolean {
    if (openConnections > 1 || this.#wroteSinceRead) return true;
    this.#wroteSinceRead = true;
    return false;
  }

  /**
   * Hands the held writes to the socket (several: corked, so they leave in
   * one writev). A write the OS took at once resolves now; the others when
   * Node's callback says so.
   */
  #flushHeld(): void {
    const held = this.#held;
    const count = this.#heldCount;
    this.#heldBytes = 0;
    if (count === 0) return;
    // Nothing below calls back into write() (settling a promise and the
    // socket's callbacks run later), so the list is not added to meanwhile.
    this.#heldCount = 0;
    const socket = this.#socket;
    const several = count > 3;
    if (several) socket.cork();
    for (let i = 0; i < count; i += 3) {
      const resolve = held[i + 1] as () => void;
      const reject = held[i + 2] as (error: TransportError) => void;
      if (this.#failure !== null) {
        reject(this.#failure);
        continue;
      }
      const alone = !several && socket.writableLength === 0;
      const slot = this.#pendingWrites.length;
      this.#pendingWrites.push(resolve, reject);
      socket.write(held[i] as Uint8Array, this.#onWritten);
      if (alone && this.#failure === null && socket.writableLength === 0 && !socket.destroyed) {
        // As in write(): the OS took every byte; Node's callback then settles nothing.
        this.#pendingWrites[slot] = IGNORE;
        this.#pendingWrites[slot + 1] = IGNORE;
        resolve();
      }
    }
    if (several) socket.uncork();
    held.fill(null, 0, count); // the bytes and settle functions are not kept
  }

  /** Holds one write for the check phase (the connection's first held one asks for the flush). */
  #hold(bytes: Uint8Array, resolve: () => void, reject: (error: TransportError) => void): void {
    const at = this.#heldCount;
    const held = this.#held;
    held[at] = bytes;
    held[at + 1] = resolve;
    held[at + 2] = reject;
    this.#heldCount = at + 3;
    if (at === 0) holdUntilCheck(this);
  }

  static {
    flushHeldOf = (connection) => connection.#flushHeld();
  }

  /** The write callback of every write; settles the oldest pending one. */
  readonly #onWritten = (error?: Error | null): void => {
    // Empty once #fail has settled them all; later callbacks have nothing to do.
    if (this.#pendingWrites.length === 0) return;
    const resolve = this.#pendingWrites.shift() as () => void;
    const reject = this.#pendingWrites.shift() as (error: TransportError) => void;
    if (error) reject(this.#failure ?? mapErrorByCode(error, "open", this.#target));
    else resolve();
  };

  closeWrite(): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    // The held writes go first: end() comes after them on the wire.
    if (this.#writeEnd === null) this.#flushHeld();
    this.#writeEnd ??= new Promise<void>((resolve, reject) => {
      this.#socket.end(() => {
        if (this.#failure !== null && !this.#socket.writableFinished) reject(this.#failure);
        else resolve();
      });
    });
    return this.#writeEnd;
  }

  close(): void {
    // Handed over: the connection on top owns the socket; closing this one still tears it down.
    if (this.#handedOver) this.#socket.destroy();
    else {
      // What write() accepted goes to the socket first, as if written at once (a farewell frame).
      if (this.#failure === null) this.#flushHeld();
      this.#fail(new ConnectionClosedError(), true);
    }
  }

  abort(reason?: unknown): void {
    if (this.#handedOver) this.#socket.destroy();
    else {
      if (this.#failure === null) this.#flushHeld();
      this.#fail(new AbortedError({ cause: reason }), true);
    }
  }

  /**
   * Hands the socket to a TLS layer on top (a tunnel), which then reads the
   * socket directly instead of through this connection. Returns `null` when
   * that cannot be done cleanly: the connection failed or half-closed, writes
   * are pending, or bytes were received and not read yet (the caller then
   * goes through `read()` instead). Afterwards reads and
   * writes here reject with `ConnectionClosedError`; `close()`, `abort()` and
   * the signal still destroy the socket, and `closed` settles with it.
   */
  detachSocket(): net.Socket | null {
    if (this.#failure !== null || this.#writeEnd !== null) return null;
    if (this.#pendingWrites.length > 0 || this.#heldCount > 0 || this.#queue.bufferedBytes > 0) {
      return null;
    }
    if (this.#reader === undefined) this.#socket.off("data", this.#onData);
    else this.#reader.release();
    this.#socket.off("end", this.#onEnd);
    this.#handedOver = true;
    this.#failure = new ConnectionClosedError("the connection carries a TLS tunnel now");
    this.#queue.fail(this.#failure);
    return this.#socket;
  }

  /** Lets the process exit while this socket is open (`socket.unref()`); for idle pooled connections. */
  unref(): void {
    this.#socket.unref();
  }

  /** Undoes {@link unref}: the socket keeps the process alive again. */
  ref(): void {
    this.#socket.ref();
  }

  readonly #onAbort = (): void => {
    this.abort(this.#target.signal?.reason);
  };

  /** Ends the connection with `error`; `local` drops unread input (the caller gave up on it). */
  #fail(error: TransportError, local: boolean): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#queue.fail(error, local);
    // Node completes writes cut short by destroy() without an error, so they
    // are failed here rather than left to look delivered.
    const pending = this.#pendingWrites.splice(0);
    for (let i = 1; i < pending.length; i += 2) pending[i]!(error);
    const held = this.#held;
    const count = this.#heldCount;
    this.#heldCount = 0;
    for (let i = 2; i < count; i += 3) (held[i] as (error: TransportError) => void)(error);
    held.fill(null, 0, count);
    this.#reader?.release();
    if (local) this.#socket.destroy();
  }

  #onClose(): void {
    openConnections--;
    this.#target.signal?.removeEventListener("abort", this.#onAbort);
    const failure = this.#failure;
    if (failure === null) {
      // A clean close: both sides ended. Reads keep returning null.
      this.#failure = new ConnectionClosedError();
      if (!this.#queue.finished) this.#queue.fail(this.#failure);
      this.#closed.resolve();
    } else if (failure instanceof ConnectionClosedError) {
      this.#closed.resolve();
    } else {
      this.#closed.reject(failure);
    }
  }
}

/**
 * Writes up to this size are held for the check phase; larger ones (uploads)
 * go to the socket at once, as a held write would only add a turn per chunk.
 */
const HOLD_AT_MOST = 16 * 1024;

/**
 * Held writes resolve at once (their bytes copied) while a connection holds
 * at most this much: a caller awaiting write after write within one turn then
 * gets pending writes beyond it rather than growing the held bytes without
 * bound before the check phase comes. Resolving at once spares a promise,
 * its settle functions and an await per request: GET 16 B keep-alive, the
 * bench of holdUntilCheck against the build that made every held write wait
 * for the flush, 4 rounds in turn: 38.0 / 32.6 / 43.2 / 41.9 CPU µs per
 * request against 44.3 / 37.1 / 43.8 / 45.7 (results/2026-12-07-round-cpu.md,
 * round 3).
 */
const HELD_AT_ONCE = 64 * 1024;

/** NodeConnections whose socket has not closed yet (see NodeConnection's #holds). */
let openConnections = 0;

/** Where held writes are copied to: views of a shared slab, never written again once handed out. */
let copySlab = new Uint8Array(0);
let copyUsed = 0;
const COPY_SLAB_SIZE = 64 * 1024;

/** A copy of `bytes` (at most HELD_AT_ONCE) in the copy slab. */
function heldCopy(bytes: Uint8Array): Uint8Array {
  const length = bytes.byteLength;
  if (copySlab.length - copyUsed < length) {
    // A new slab: the views handed out keep the old one alive until the socket wrote them.
    copySlab = new Uint8Array(Math.max(COPY_SLAB_SIZE, length));
    copyUsed = 0;
  }
  const copy = copySlab.subarray(copyUsed, copyUsed + length);
  copy.set(bytes);
  copyUsed += length;
  return copy;
}

/** The connections with held writes, flushed together in one setImmediate. */
let holding: NodeConnection[] = [];

/**
 * Holds a connection's writes until the check phase of this turn of the
 * event loop (one setImmediate for every connection), instead of making the
 * syscall where write() is called.
 *
 * Why: a keep-alive client's next request is written from the promise
 * reactions of the previous response, i.e. inside the poll phase, between
 * the reads of the other ready sockets. Each such write wakes the server
 * right away, which then runs beside (or preempts) the client while it still
 * reads, and both sides touch the same socket buffers from two cores.
 * Writing after the poll phase, as undici's dispatcher does (its writes
 * leave from setImmediate), lets the client read every ready socket first.
 * Measured (GET 16 B, 50 connections, 100 in flight, same syscalls per
 * request either way: 1 read, 1 write; `node scripts/os-contenders.mjs` in
 * apps/bench, results/2026-12-07-round-cpu.md): CPU per request 42 µs
 * (27 user + 15 system) written at once, 27 µs (19 + 8) held.
 */
function holdUntilCheck(connection: NodeConnection): void {
  if (holding.push(connection) === 1) setImmediate(flushHolding);
}

function flushHolding(): void {
  const connections = holding;
  holding = [];
  for (const connection of connections) {
    // One connection's failure must not leave the others' writes unsent.
    try {
      flushHeldOf(connection);
    } catch (error) {
      connection.abort(error);
    }
  }
}

/** The settle functions of a write that was done when `write()` returned. */
const IGNORE = (): void => undefined;

function describe(socket: net.Socket, target: ResolvedConnectOptions): ConnectionInfo {
  const secure = socket instanceof tls.TLSSocket ? socket : null;
  // Through a tunnel the socket's addresses are the proxy's; the far end's are unknown.
  const tunnelled = target.tunnel !== null;
  return {
    kind: target.kind,
    alpnProtocol: secure?.alpnProtocol || null,
    tlsVersion: secure?.getProtocol() ?? null,
    remoteAddress: tunnelled ? null : (socket.remoteAddress ?? null),
    remotePort: tunnelled ? target.port : (socket.remotePort ?? null),
    localAddress: tunnelled ? null : (socket.localAddress ?? null),
    localPort: tunnelled ? null : (socket.localPort ?? null),
    path: target.path,
    tlsSessionReused: secure?.isSessionReused() ?? null,
  };
}

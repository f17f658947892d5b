// The contract's Connection over Bun's callback sockets. Bun pushes data into
// `data` callbacks and takes writes synchronously (possibly only in part); this
// adapts both to the pull contract: a bounded ReadQueue that pauses the socket,
// and a write queue that waits for `drain`.
import {
  AbortedError,
  type Connection,
  ConnectionClosedError,
  type ConnectionInfo,
  TlsHandshakeError,
  type TransportError,
  WRITTEN,
} from "@reqivo/transport";
import {
  type ConnectPhase,
  createClosedPromise,
  mapErrorByCode,
  ReadQueue,
  type ResolvedConnectOptions,
} from "@reqivo/transport/kit";
import type { BunSocket, BunSocketHandler } from "./bun-types.ts";
import { checkPins } from "./pins.ts";
import type { SessionSlot } from "./sessions.ts";

interface PendingWrite {
  bytes: Uint8Array;
  resolve(): void;
  reject(error: TransportError): void;
}

/**
 * A Bun socket behind the contract; built before the socket exists, so its
 * handlers can be given to `Bun.connect`. What `createTransport().connect()` resolves to.
 *
 * @example
 * ```ts
 * import { createTransport, type BunConnection } from "@reqivo/transport-bun";
 * const conn = (await createTransport().connect({ host: "127.0.0.1", port: 8080 })) as BunConnection;
 * conn.close();
 * ```
 */
export class BunConnection implements Connection {
  info: ConnectionInfo;
  readonly #target: ResolvedConnectOptions;
  readonly #queue: ReadQueue;
  readonly #closed = createClosedPromise();
  readonly #pendingWrites: PendingWrite[] = [];
  #socket: BunSocket | null = null;
  #phase: ConnectPhase = "connect";
  #failure: TransportError | null = null;
  #writeEnd: { promise: Promise<void>; resolve(): void } | null = null;
  #shutDown = false;
  #onReady: { resolve(): void; reject(error: TransportError): void } | null = null;
  /** Where TLS sessions come from and go to; `null` without TLS or with resumption off. */
  readonly #sessions: SessionSlot | null;
  /** Set once verified: the first `data` callback reads the session (see #keepSession). */
  #sessionWanted = false;

  constructor(
    target: ResolvedConnectOptions,
    readHighWaterMark: number,
    sessions: SessionSlot | null,
  ) {
    this.#target = target;
    this.#sessions = sessions;
    this.info = describe(null, target);
    this.#queue = new ReadQueue({
      highWaterMark: readHighWaterMark,
      pause: () => this.#socket?.pause(),
      resume: () => this.#socket?.resume(),
    });
  }

  /** Socket callbacks for `Bun.connect`. */
  readonly handlers: BunSocketHandler = {
    binaryType: "uint8array",
    open: (socket) => {
      this.#socket = socket;
      // Given up before the socket existed (a cancelled attempt): nothing may stay open.
      if (this.#failure !== null) return socket.terminate();
      if (this.#target.tls !== null) {
        this.#phase = "tls";
        this.#offerSession(socket);
      }
    },
    data: (socket, data) => {
      if (this.#sessionWanted) this.#keepSession(socket);
      this.#queue.push(data);
    },
    drain: () => this.#flush(),
    end: () => this.#queue.end(),
    error: (_socket, error) => this.#fail(mapErrorByCode(error, this.#phase, this.#target), false),
    connectError: (_socket, error) =>
      this.#fail(mapErrorByCode(error, "connect", this.#target), false),
    handshake: (socket, success, authorizationError) => {
      const tls = this.#target.tls;
      if (authorizationError !== null && tls?.rejectUnauthorized !== false) {
        this.#fail(mapErrorByCode(authorizationError, "tls", this.#target), true);
      } else if (!success) {
        this.#fail(new TlsHandshakeError("handshake did not succeed"), true);
      } else {
        // Before #ready: no byte goes out to a server whose key is not pinned.
        const pinMismatch =
          tls !== null && tls.pins.length > 0 ? checkPins(socket, tls.pins) : null;
        if (pinMismatch !== null) this.#fail(pinMismatch, true);
        else this.#ready();
      }
    },
    close: (_socket, error) => this.#onClose(error),
  };

  /**
   * Resolves once `socket` can carry bytes: at once for TCP and Unix, after
   * the `handshake` callback for TLS.
   */
  whenReady(socket: BunSocket): Promise<void> {
    this.#socket = socket;
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#target.tls === null || this.#phase === "open") {
      this.#ready();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.#onReady = { resolve, reject };
    });
  }

  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  read(): Promise<Uint8Array | null> {
    return this.#queue.read();
  }

  /**
   * {@link read} without a promise (the contract's optional `readNow`): a
   * chunk that arrives later goes to `onChunk` straight from Bun's `data`
   * callback. Keep-alive GET, one at a time, instructions per request
   * without → with it: 64 KiB 159,462 → 151,991, 16 B 80,946 → 76,414
   * (`scripts/bun-instructions.sh reqivo /64k 10000 20000` in apps/bench;
   * results/2026-12-07-bun-readnow.md).
   */
  readNow(
    onChunk: (chunk: Uint8Array | null) => void,
    onError: (error: unknown) => void,
  ): Uint8Array | null | undefined {
    return this.#queue.readNow(onChunk, onError);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#writeEnd !== null) {
      return Promise.reject(new ConnectionClosedError("write after closeWrite()"));
    }
    if (bytes.byteLength === 0) return Promise.resolve();
    // Fast path: nothing queued and Bun takes all the bytes at once (it copies
    // what it does not send right away), so the write is done with no queue
    // entry and no pending promise: the shared WRITTEN, whose `then` a caller
    // may skip. Otherwise the bytes wait for `drain`.
    const socket = this.#socket;
    if (this.#pendingWrites.length === 0 && socket !== null && this.#phase === "open") {
      const taken = socket.write(bytes);
      if (taken === bytes.byteLength) return WRITTEN;
      // A callback run during the write may have ended the connection.
      if (this.#failure !== null) return Promise.reject(this.#failure);
      // The rest waits for `drain`; taken < 0 means closing, and the close
      // callback fails the queued write, as in #flush.
      return this.#queueWrite(taken > 0 ? bytes.subarray(taken) : bytes, false);
    }
    return this.#queueWrite(bytes, true);
  }

  #queueWrite(bytes: Uint8Array, flush: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pendingWrites.push({ bytes, resolve, reject });
      if (flush && this.#pendingWrites.length === 1) this.#flush();
    });
  }

  closeWrite(): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#writeEnd === null) {
      let resolve: () => void = () => {};
      const promise = new Promise<void>((res) => {
        resolve = res;
      });
      this.#writeEnd = { promise, resolve };
      this.#flush();
    }
    return this.#writeEnd.promise;
  }

  close(): void {
    this.#fail(new ConnectionClosedError(), true);
  }

  abort(reason?: unknown): void {
    this.#fail(new AbortedError({ cause: reason }), true);
  }

  /** Lets the process exit while this socket is open (`socket.unref()`); for idle pooled connections. */
  unref(): void {
    this.#socket?.unref();
  }

  /** Undoes {@link unref}: the socket keeps the process alive again. */
  ref(): void {
    this.#socket?.ref();
  }

  /** Hands queued writes to Bun until it takes less than offered; `drain` calls again. */
  #flush(): void {
    const socket = this.#socket;
    if (socket === null || this.#failure !== null || this.#phase !== "open") return;
    while (this.#pendingWrites.length > 0) {
      const head = this.#pendingWrites[0]!;
      const taken = socket.write(head.bytes);
      if (taken < 0) return; // closing: the close callback fails the queue
      if (taken < head.bytes.byteLength) {
        head.bytes = head.bytes.subarray(taken);
        return;
      }
      this.#pendingWrites.shift();
      head.resolve();
    }
    if (this.#writeEnd !== null && !this.#shutDown) {
      this.#shutDown = true;
      socket.shutdown();
      this.#writeEnd.resolve();
    }
  }

  /** Offers a cached session for this origin, if there is one. */
  #offerSession(socket: BunSocket): void {
    const slot = this.#sessions;
    const session = slot?.sessions.take(slot.key);
    if (slot === null || session === undefined) return;
    try {
      socket.setSession(session);
    } catch {
      // Runs in Bun's callback; a session Bun refuses is dropped, the handshake goes on in full.
      slot.sessions.evict(slot.key);
    }
  }

  /**
   * Caches the connection's session, once. Read at the first data after the
   * handshake, not in the handshake callback: a TLS 1.3 server sends its
   * tickets after the handshake (before its first reply), and the session
   * read earlier holds none.
   */
  #keepSession(socket: BunSocket): void {
    this.#sessionWanted = false;
    const session = socket.getSession();
    if (session !== undefined) this.#sessions!.sessions.add(this.#sessions!.key, session);
  }

  #ready(): void {
    if (this.#phase === "open" || this.#failure !== null) return;
    this.#phase = "open";
    // Only now, verified and pinned: a session is trusted again without either.
    this.#sessionWanted = this.#sessions !== null;
    const socket = this.#socket!;
    this.info = describe(socket, this.#target);
    if (this.#target.path === null) {
      socket.setNoDelay(this.#target.noDelay);
      if (this.#target.keepAliveDelay !== null) {
        socket.setKeepAlive(true, this.#target.keepAliveDelay);
      }
    }
    this.#target.signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#onReady?.resolve();
    this.#flush();
  }

  readonly #onAbort = (): void => {
    this.abort(this.#target.signal?.reason);
  };

  /** Ends the connection with `error`; `local` drops unread input and closes the socket. */
  #fail(error: TransportError, local: boolean): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    // A failed handshake drops the origin's sessions, so a stale one cannot fail the next too;
    // giving up ourselves (abort, timeout, a lost happy-eyeballs race) says nothing about them.
    if (this.#phase === "tls" && !(error instanceof AbortedError)) {
      this.#sessions?.sessions.evict(this.#sessions.key);
    }
    this.#queue.fail(error, local);
    for (const write of this.#pendingWrites.splice(0)) write.reject(error);
    this.#onReady?.reject(error);
    if (local || this.#phase !== "open") this.#socket?.terminate();
  }

  #onClose(error: Error | undefined): void {
    this.#target.signal?.removeEventListener("abort", this.#onAbort);
    if (this.#failure === null) {
      if (error !== undefined) {
        this.#fail(mapErrorByCode(error, this.#phase, this.#target), false);
      } else if (this.#phase !== "open") {
        this.#fail(new TlsHandshakeError("socket closed during the handshake"), false);
      }
    }
    const failure = this.#failure;
    if (failure === null) {
      // A clean close. Bun may report the peer's FIN through `close` alone
      // (without `end`) once our side is shut down: it is end of stream.
      this.#failure = new ConnectionClosedError();
      this.#queue.end();
      for (const write of this.#pendingWrites.splice(0)) write.reject(this.#failure);
      this.#closed.resolve();
    } else if (failure instanceof ConnectionClosedError) {
      this.#closed.resolve();
    } else {
      this.#closed.reject(failure);
    }
  }
}

function describe(socket: BunSocket | null, target: ResolvedConnectOptions): ConnectionInfo {
  const secure = target.tls !== null && socket !== null;
  return {
    kind: target.kind,
    alpnProtocol: secure && socket.alpnProtocol ? socket.alpnProtocol : null,
    tlsVersion: secure ? socket.getTLSVersion() : null,
    tlsSessionReused: secure ? socket.isSessionReused() : null,
    remoteAddress: target.path === null ? (socket?.remoteAddress ?? null) : null,
    remotePort: target.path === null ? (socket?.remotePort ?? null) : null,
    localAddress: target.path === null ? (socket?.localAddress ?? null) : null,
    localPort: target.path === null ? (socket?.localPort ?? null) : null,
    path: target.path,
  };
}

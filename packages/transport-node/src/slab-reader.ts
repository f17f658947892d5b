// Plain TCP and Unix sockets read into a ReadSlab through node:net's `onread`
// (the reader chooses each read's buffer) instead of Node's default of one
// fresh 64 KiB allocation per read. Measured on the GET 64 KiB bench: a
// response then arrives in one read instead of two, so the body reader needs
// no copy to join it, and reads allocate (and zero-fill) less.
//
// Only on Node itself: Bun's and Deno's node:net ignore or differ on
// `onread`, so there the socket keeps emitting 'data' as before. TLS sockets
// keep Node's own reads (their reads are TLS records, decrypted by Node). TLS
// through `onread` into the slab was built and measured (HTTP/2 GET 64 KiB,
// results/2026-12-07-tls-onread.md): each record of at most 16 KiB is then
// copied out of the slab into an allocation of its own, as Node's own read
// makes one, so GC runs and instructions per request stayed the same within
// the noise (callgrind, main thread: 1.85–1.86 M per request against
// 1.82–1.88 M with Node's reads) and CPU per request was higher in 6 of 9
// bench runs (median 272 against 198 µs); not kept.
import { Buffer } from "node:buffer";
import * as net from "node:net";
import { ReadSlab, type ResolvedConnectOptions } from "@reqivo/transport/kit";
import { tuneSocket } from "./open-socket.ts";
import { IS_NODE } from "./runtime.ts";

/** The internal handle method `onread` itself relies on; see {@link SlabReader.wrote}. */
interface UserBufferHandle {
  useUserBuffer?(buffer: Uint8Array): void;
}

/** A plain Uint8Array over memory not zero-filled (never one of Buffer's shared pool slices). */
function allocateUninitialized(size: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
}

const readers = new WeakMap<net.Socket, SlabReader>();

/** V8 keeps a typed array of at most this many bytes on its heap (see SlabReader's #tinyCopy). */
const ON_HEAP_AT_MOST = 64;
/** Slab size of SlabReader's #tinyCopy: a kept tiny chunk pins at most this much. */
const TINY_SLAB_SIZE = 4 * 1024;

/** The reads of one socket: chunks go to the sink once one is attached. */
export class SlabReader {
  readonly #slab = new ReadSlab(allocateUninitialized);
  /** The region the socket reads into next. */
  #offered: Uint8Array | null = null;
  #sink: ((chunk: Uint8Array) => void) | null = null;
  /** Chunks read before a sink was attached (a server that speaks first). */
  #early: Uint8Array[] = [];
  #socket: net.Socket | null = null;
  /** Where reads of at most ON_HEAP_AT_MOST bytes are copied to (see {@link #tinyCopy}). */
  #tiny: Uint8Array = new Uint8Array(0);
  #tinyUsed = 0;
  #released = false;
  /**
   * The first read after a write (a reply) comes as a view whatever its size
   * (`Connection.shareReads`). Later reads with no write in between (a body
   * streaming in) are taken as without sharing: as views they would use up
   * slab space that the client's copy of each small piece then doubles.
   * 1 GiB streamed on Node, peak RSS growth 45–58 MiB with every small read a
   * view, 20–27 without sharing (apps/bench/results/2026-12-07-s9-round.md).
   */
  shared = false;
  /** A write came since the last read: that read is a reply's first. */
  #wroteSinceRead = false;

  readonly options: net.OnReadOpts = {
    buffer: () => {
      // Once released the socket is going away: the last region serves (or nothing).
      if (this.#released) return this.#offered ?? new Uint8Array(0);
      this.#offered = this.#slab.region();
      return this.#offered;
    },
    callback: (count: number) => {
      // Bytes after the end (a late read of a socket being destroyed) have no reader.
      if (this.#released) return false;
      const replyStart = this.#wroteSinceRead;
      this.#wroteSinceRead = false;
      const chunk =
        this.shared && replyStart
          ? this.#slab.takeView(count)
          : count <= ON_HEAP_AT_MOST
            ? this.#tinyCopy(this.#offered!, count)
            : this.#slab.take(count);
      if (this.#sink === null) this.#early.push(chunk);
      else this.#sink(chunk);
      return true;
    },
  };

  /**
   * A copy of the first `count` bytes of `region`, off V8's heap, in this
   * socket's own small slab (so a chunk's `.buffer` shows only this peer's
   * bytes). The read slab's own copy (`slice`) of a read this small lands on
   * V8's heap, and the first view a parser takes of it (a WebSocket payload,
   * an HTTP/2 frame's) then makes V8 move its bytes to a fresh off-heap
   * allocation, freed by the garbage collector later; a view of a slab costs
   * neither. The bytes handed out are never written again. 16 B WebSocket
   * echo, user-space instructions per message 22,277 → 20,956, side by side
   * (`node scripts/ws-per-message.mjs --bundles=…` in apps/bench,
   * results/2026-12-07-ws-16b.md).
   */
  #tinyCopy(region: Uint8Array, count: number): Uint8Array {
    let slab = this.#tiny;
    let start = this.#tinyUsed;
    if (slab.length - start < count) {
      slab = this.#tiny = new Uint8Array(TINY_SLAB_SIZE);
      start = 0;
    }
    for (let i = 0; i < count; i++) slab[start + i] = region[i]!;
    this.#tinyUsed = start + count;
    return slab.subarray(start, start + count);
  }

  bind(socket: net.Socket): void {
    this.#socket = socket;
  }

  /** Starts delivering chunks to `sink`, those read so far first. */
  attach(sink: (chunk: Uint8Array) => void): void {
    for (const chunk of this.#early.splice(0)) sink(chunk);
    this.#sink = sink;
  }

  /**
   * Notes a write (a reply follows). When the reply sizing of the slab wants
   * a fresh region for it, the socket's pending read buffer is swapped: no
   * read is in progress between two turns of the event loop, and the next one
   * fills the new region.
   */
  wrote(): void {
    if (this.#released) return;
    this.#wroteSinceRead = true;
    this.#slab.wrote();
    const handle = (this.#socket as unknown as { _handle?: UserBufferHandle } | null)?._handle;
    // Without a handle (closed) no read comes any more. The slab is not asked
    // for a region here then: the one the socket holds must stay the slab's.
    if (handle?.useUserBuffer === undefined) return;
    const region = this.#slab.region();
    if (region === this.#offered) return;
    handle.useUserBuffer(region);
    this.#offered = region;
  }

  /** The socket ended or was handed over: no more chunks, no slab kept. */
  release(): void {
    this.#released = true;
    this.#sink = null;
    this.#early = [];
    this.#slab.release();
    this.#tiny = new Uint8Array(0);
  }
}

/**
 * Connects a plain TCP or Unix socket (tuned for `target`), reading through a
 * {@link SlabReader} where the runtime supports it.
 */
export function connectPlain(
  options: net.NetConnectOpts,
  target: ResolvedConnectOptions,
): net.Socket {
  if (!IS_NODE) return tuneSocket(net.connect(options), target);
  const reader = new SlabReader();
  const socket = net.connect({ ...options, onread: reader.options });
  reader.bind(socket);
  readers.set(socket, reader);
  return tuneSocket(socket, target);
}

/** The slab reader of a socket from {@link connectPlain}, if it has one. */
export function slabReaderOf(socket: net.Socket): SlabReader | undefined {
  return readers.get(socket);
}

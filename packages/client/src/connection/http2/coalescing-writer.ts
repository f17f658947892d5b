/**
 * One write at a time to a transport, joining whatever is handed over while
 * a write is under way into the next one. An HTTP/2 connection says many
 * small things in a burst (100 requests opened in one turn: 100 HEADERS
 * frames of ~20 octets); written one by one each would cost a TLS record and
 * a system call. Order is kept, and each `write` resolves once its octets
 * went out, so a caller that awaits it (a request body) still feels the
 * transport's backpressure.
 *
 * Measured (apps/bench/results/2026-12-07-http2-round2.md, rounds 1 and 5):
 * `npx tsx src/client-http2-costs.ts` in apps/bench, GET 16 B with 100 in
 * flight on one connection: 1.00 transport writes per request → 0.03 (joined
 * while a write is under way) → 0.01 (the first write also waits for the
 * microtasks queued with it); on 10 connections of 10 streams 0.22 → 0.10.
 */

import { concatBytes } from "../bytes.ts";

/** What {@link CoalescingWriter} writes to: `Connection.write`. */
export type WriteBytes = (bytes: Uint8Array) => Promise<void>;

const DONE: Promise<void> = Promise.resolve();

export class CoalescingWriter {
  readonly #write: WriteBytes;
  readonly #onError: (error: unknown) => void;
  /** Settles when the write under way ends (undefined: none). */
  #inFlight: Promise<void> | undefined;
  /** Octets waiting for the write under way to end, oldest first. */
  #waiting: Uint8Array[] = [];
  #waitingLength = 0;
  /** Settles once the waiting octets went out (or were dropped). */
  #waitingSent: Promise<void> | undefined;
  #releaseWaiting: (() => void) | undefined;
  #stopped = false;

  /** `onError` hears a failed write once; later octets are dropped. */
  constructor(write: WriteBytes, onError: (error: unknown) => void) {
    this.#write = write;
    this.#onError = onError;
  }

  /**
   * Queues `bytes` behind everything handed over before; resolves once they
   * went out, or once the writer stopped (it never rejects: a failure goes
   * to `onError`). Empty `bytes`: resolves when what is queued went out.
   */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#stopped) return this.#inFlight ?? DONE;
    if (bytes.length === 0) return this.#waitingSent ?? this.#inFlight ?? DONE;
    this.#waiting.push(bytes);
    this.#waitingLength += bytes.length;
    if (this.#waitingSent === undefined) {
      this.#waitingSent = new Promise<void>((resolve) => {
        this.#releaseWaiting = resolve;
      });
      // Nothing under way: the write waits for the microtasks queued now, so
      // that requests started in the same turn (they reach this point at the
      // same await depth) leave together.
      if (this.#inFlight === undefined) void DONE.then(this.#sendWaiting);
    }
    return this.#waitingSent;
  }

  /**
   * Stops writing: octets not yet handed to the transport are dropped.
   * Resolves when the write under way (if any) ended, so a last word (a
   * GOAWAY) can follow it on the transport directly.
   */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.#inFlight ?? DONE;
  }

  #start(bytes: Uint8Array): Promise<void> {
    const written = this.#write(bytes).then(undefined, (error: unknown) => this.#fail(error));
    this.#inFlight = written;
    void written.then(this.#written);
    return written;
  }

  #fail(error: unknown): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#onError(error);
  }

  /** The write under way ended: what waited goes out as one write. */
  readonly #written = (): void => {
    this.#inFlight = undefined;
    this.#sendWaiting();
  };

  /** What waited goes out as one write (once nothing is under way). */
  readonly #sendWaiting = (): void => {
    if (this.#inFlight !== undefined) return;
    const waiting = this.#waiting;
    const length = this.#waitingLength;
    const release = this.#releaseWaiting;
    this.#waiting = [];
    this.#waitingLength = 0;
    this.#waitingSent = undefined;
    this.#releaseWaiting = undefined;
    if (release === undefined) return;
    if (this.#stopped) {
      release();
      return;
    }
    void this.#start(concatBytes(waiting, length)).then(release);
  };
}

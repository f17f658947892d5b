/**
 * A request's time limits and cancellation. Whatever ends the request early
 * — a timeout, the caller's signal — records the reason and aborts the
 * connection in use, so that any pending read or write fails; the code
 * awaiting it then rethrows the recorded reason instead of the raw error.
 */

import {
  AbortError,
  BodyTimeoutError,
  DeadlineExceededError,
  HeadersTimeoutError,
} from "../errors.ts";

/** What a request in flight runs on: an HTTP/1.1 connection, or one HTTP/2 stream. */
export interface Abortable {
  /** Ends what the request uses now, with `reason`: pending reads and writes fail. */
  abort(reason: unknown): void;
}

type Phase = "idle" | "headers" | "body";

/** Time limits in milliseconds; each raises its own error. */
export interface TimeoutOptions {
  /** TCP and TLS set-up (ConnectTimeoutError). */
  connect?: number;
  /** From the request being sent to the response head (HeadersTimeoutError). */
  headers?: number;
  /** Longest gap between two pieces of the response body (BodyTimeoutError). */
  body?: number;
  /** The whole request, redirects and body included (DeadlineExceededError). */
  total?: number;
}

export class Lifeline {
  /** Why the request ended early, once it has. */
  reason: unknown;
  readonly #timeouts: TimeoutOptions;
  readonly #signal: AbortSignal | undefined;
  #connection: Abortable | undefined;
  #phase: Phase = "idle";
  #phaseStarted = 0;
  #phaseTimer: ReturnType<typeof setTimeout> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #controller: AbortController | undefined;
  #final = false;
  #bodyEnded = false;
  /** The signal's listener, made only when there is a signal (most requests have none). */
  readonly #onAbort: (() => void) | undefined;

  constructor(timeouts: TimeoutOptions, signal: AbortSignal | undefined) {
    this.#timeouts = timeouts;
    this.#signal = signal;
    if (signal?.aborted) {
      this.reason = new AbortError(signal.reason);
      return;
    }
    if (signal !== undefined) {
      this.#onAbort = () => this.fail(new AbortError(signal.reason));
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    if (timeouts.total !== undefined) {
      const total = timeouts.total;
      this.#deadline = setTimeout(() => this.fail(new DeadlineExceededError(total)), total);
    }
  }

  /** Throws the recorded reason, if any. */
  check(): void {
    if (this.reason !== undefined) throw this.reason;
  }

  /** The recorded reason when there is one, else `error` itself. */
  explain(error: unknown): unknown {
    return this.reason ?? error;
  }

  /** Aborted when the request fails: hand it to connects, which have no connection to abort yet. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.reason !== undefined) this.#controller.abort(this.reason);
    return this.#controller.signal;
  }

  /**
   * Whether anything can end the request while it waits for a pooled
   * connection: the caller's signal, the total deadline, or a phase timer
   * still armed (a stale connection's replay). When nothing can, such a wait
   * needs no {@link signal} to listen to.
   */
  get canEndWhileWaiting(): boolean {
    return (
      this.#signal !== undefined ||
      this.#deadline !== undefined ||
      this.#phaseTimer !== undefined ||
      this.reason !== undefined
    );
  }

  /** The connection (or HTTP/2 stream) to abort if the request fails (a new exchange starts on it). */
  attach(connection: Abortable | undefined): void {
    this.#connection = connection;
    this.#bodyEnded = false;
  }

  /** The body of the current exchange was read to its end or dropped: its connection is no longer ours. */
  bodyEnded(): void {
    this.#bodyEnded = true;
    this.#connection = undefined;
    clearTimeout(this.#phaseTimer);
    this.#phaseTimer = undefined;
    this.#phase = "idle";
    if (this.#final) this.finish();
  }

  /** The current exchange is the one the caller gets: the request ends with its body. */
  markFinal(): void {
    this.#final = true;
    if (this.#bodyEnded) this.finish();
  }

  /** Waiting for the response head (headers timeout). */
  awaitHeaders(): void {
    this.#enter("headers", this.#timeouts.headers);
  }

  /** Reading the body: each call marks progress (body timeout is the gap between calls). */
  bodyProgress(): void {
    if (this.#phase !== "body") {
      this.#enter("body", this.#timeouts.body);
      return;
    }
    // Only a body timer reads the timestamp.
    if (this.#phaseTimer !== undefined) this.#phaseStarted = performance.now();
  }

  /** Ends the request early with `reason` (the first reason wins). */
  fail(reason: unknown): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.#connection?.abort(reason);
    this.#controller?.abort(reason);
    this.finish();
  }

  /** Stops every timer and the signal listener. */
  finish(): void {
    clearTimeout(this.#phaseTimer);
    clearTimeout(this.#deadline);
    this.#phaseTimer = undefined;
    this.#deadline = undefined;
    this.#phase = "idle";
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  // One timer per phase, re-armed lazily: progress only records a timestamp,
  // and the timer checks it when it fires (no setTimeout per body chunk).
  #enter(phase: Phase, limit: number | undefined): void {
    if (this.#phaseTimer !== undefined) {
      clearTimeout(this.#phaseTimer);
      this.#phaseTimer = undefined;
    }
    this.#phase = phase;
    if (limit === undefined || this.reason !== undefined) return;
    this.#phaseStarted = performance.now();
    const check = () => {
      const left = this.#phaseStarted + limit - performance.now();
      if (left > 1) {
        this.#phaseTimer = setTimeout(check, left);
        return;
      }
      this.fail(phase === "headers" ? new HeadersTimeoutError(limit) : new BodyTimeoutError(limit));
    };
    this.#phaseTimer = setTimeout(check, limit);
  }
}

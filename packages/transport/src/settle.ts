import type { AbortSignalLike } from "./contract.ts";
import { AbortedError, ConnectTimeoutError } from "./errors.ts";

/**
 * A promise with its settle functions; see {@link createClosedPromise}.
 *
 * @example
 * ```ts
 * import { type ClosedPromise, createClosedPromise } from "@reqivo/transport/kit";
 * const closed: ClosedPromise = createClosedPromise();
 * closed.resolve();
 * ```
 */
export interface ClosedPromise {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The `closed` promise of a connection: settles once, and its rejection is
 * marked handled so that a caller who never looks at it gets no
 * unhandled-rejection report (as with web streams' `closed`).
 *
 * @example
 * ```ts
 * import { createClosedPromise } from "@reqivo/transport/kit";
 * const closed = createClosedPromise();
 * closed.reject(new Error("reset")); // no unhandled rejection
 * await closed.promise.catch((e) => e.message); // "reset"
 * ```
 */
export function createClosedPromise(): ClosedPromise {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/**
 * The error for an aborted signal: `AbortedError` with the signal's reason as `cause`.
 *
 * @example
 * ```ts
 * import { abortedBy } from "@reqivo/transport/kit";
 * const controller = new AbortController();
 * controller.abort(new Error("stop"));
 * abortedBy(controller.signal).cause; // Error: stop
 * ```
 */
export function abortedBy(signal: AbortSignalLike): AbortedError {
  return new AbortedError({ cause: signal.reason });
}

/**
 * Timer functions of the runtime, passed in because this package uses no runtime global.
 *
 * @example
 * ```ts
 * import type { Timers } from "@reqivo/transport/kit";
 * const timers: Timers = { setTimeout, clearTimeout: (h) => clearTimeout(h as number) };
 * ```
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * What {@link guardConnect} needs to know about one connect attempt.
 *
 * @example
 * ```ts
 * import type { ConnectGuardOptions } from "@reqivo/transport/kit";
 * declare const socket: { close(): void };
 * const options: ConnectGuardOptions<{ close(): void }> = {
 *   signal: null, connectTimeout: 5_000, timers: globalThis,
 *   cancel: () => socket.close(), discard: (late) => late.close(),
 * };
 * ```
 */
export interface ConnectGuardOptions<T> {
  readonly signal: AbortSignalLike | null;
  readonly connectTimeout: number | null;
  readonly timers: Timers;
  /** Stops the attempt in progress (close the half-open socket); `error` is what `connect()` rejects with. */
  cancel(error: Error): void;
  /** Releases a connection that arrived after the attempt was given up. */
  discard(late: T): void;
}

/**
 * Races a connect attempt against its deadline and its abort signal, for
 * runtimes whose connect call takes neither. Whichever loses is cleaned up:
 * a late connection is discarded, a given-up attempt is cancelled.
 *
 * @example
 * ```ts
 * import { guardConnect } from "@reqivo/transport/kit";
 * declare const attempt: Promise<{ close(): void }>; // e.g. Deno.connect({ hostname, port })
 * const conn = await guardConnect(attempt, {
 *   signal: null, connectTimeout: 5_000, timers: globalThis,
 *   cancel() {}, discard: (late) => late.close(),
 * });
 * ```
 */
export function guardConnect<T>(attempt: Promise<T>, options: ConnectGuardOptions<T>): Promise<T> {
  const { signal, connectTimeout, timers } = options;
  if (signal?.aborted) {
    attempt.then(options.discard, () => {});
    return Promise.reject(abortedBy(signal));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const giveUp = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      options.cancel(error);
      reject(error);
    };
    const onAbort = () => giveUp(abortedBy(signal!));
    const timer =
      connectTimeout === null
        ? undefined
        : timers.setTimeout(() => giveUp(new ConnectTimeoutError(connectTimeout)), connectTimeout);
    const cleanup = () => {
      if (timer !== undefined) timers.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    attempt.then(
      (value) => {
        if (settled) return options.discard(value);
        settled = true;
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        cleanup();
        reject(error);
      },
    );
  });
}

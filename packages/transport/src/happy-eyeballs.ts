// Happy eyeballs (RFC 8305) without I/O: the transport supplies how to start
// one connection attempt; this module decides the order and the timing, and
// cleans up the losers. Runtime-neutral, so every transport races the same way.
import type { AbortSignalLike, LookupAddress } from "./contract.ts";
import { ConnectTimeoutError, DnsError, TransportError } from "./errors.ts";
import { abortedBy, type Timers } from "./settle.ts";

/**
 * Orders resolved addresses for connection attempts (RFC 8305 §4): exact
 * duplicates dropped, then families interleaved, starting with the family
 * of the resolver's first answer and keeping the resolver's order within
 * each family.
 *
 * @example
 * ```ts
 * import { orderAddresses } from "@reqivo/transport/kit";
 * orderAddresses([
 *   { address: "::1", family: 6 },
 *   { address: "::2", family: 6 },
 *   { address: "127.0.0.1", family: 4 },
 * ]).map((a) => a.address); // ["::1", "127.0.0.1", "::2"]
 * ```
 */
export function orderAddresses(addresses: readonly LookupAddress[]): LookupAddress[] {
  const seen = new Set<string>();
  const first: LookupAddress[] = [];
  const other: LookupAddress[] = [];
  const firstFamily = addresses[0]?.family;
  for (const entry of addresses) {
    if (seen.has(entry.address)) continue;
    seen.add(entry.address);
    (entry.family === firstFamily ? first : other).push(entry);
  }
  const ordered: LookupAddress[] = [];
  for (let i = 0; i < Math.max(first.length, other.length); i++) {
    if (i < first.length) ordered.push(first[i]!);
    if (i < other.length) ordered.push(other[i]!);
  }
  return ordered;
}

/**
 * One connection attempt started by {@link happyEyeballs}.
 *
 * @example
 * ```ts
 * import type { ConnectionAttempt } from "@reqivo/transport/kit";
 * declare const pending: Promise<{ close(): void }>;
 * const attempt: ConnectionAttempt<{ close(): void }> = { result: pending, cancel() {} };
 * ```
 */
export interface ConnectionAttempt<T> {
  /** Resolves with the connected socket, or rejects with a `TransportError`. */
  readonly result: Promise<T>;
  /**
   * Gives the attempt up (close the half-open socket). Its outcome is
   * ignored from then on, except that a late success goes to `discard`.
   */
  cancel(): void;
}

/**
 * What {@link happyEyeballs} needs.
 *
 * @example
 * ```ts
 * import type { HappyEyeballsOptions } from "@reqivo/transport/kit";
 * declare const options: HappyEyeballsOptions<{ close(): void }>;
 * options.delay; // 250 unless the caller chose otherwise
 * ```
 */
export interface HappyEyeballsOptions<T> {
  /** The host name the addresses came from, for the `DnsError` of an empty list. */
  readonly host: string;
  /** The resolver's answer, in its order; {@link orderAddresses} is applied. */
  readonly addresses: readonly LookupAddress[];
  /** Starts connecting to one address. A synchronous throw counts as a failed attempt. */
  attempt(address: LookupAddress): ConnectionAttempt<T>;
  /** Releases a connection that succeeded after the race was decided. */
  discard(late: T): void;
  /** Milliseconds before the next attempt starts while earlier ones are pending ("Connection Attempt Delay"). */
  readonly delay: number;
  readonly timers: Timers;
  readonly signal?: AbortSignalLike | null;
  /** Milliseconds the whole race may take; absent or `null` for no limit. */
  readonly connectTimeout?: number | null;
  /**
   * The timeout the `ConnectTimeoutError` names, when `connectTimeout` is
   * only what is left of a larger budget (lookup, then this race, then TLS).
   * Default: `connectTimeout`.
   */
  readonly reportedTimeout?: number;
}

/**
 * Races connection attempts to a host's addresses (RFC 8305): the first
 * starts at once, the next one `delay` ms later while earlier ones are still
 * pending, or at once when one fails. The first to connect wins; the others
 * are cancelled, and any that connects later anyway is discarded.
 *
 * Rejects with `DnsError` for an empty address list, `AbortedError` when
 * `signal` aborts, `ConnectTimeoutError` when `connectTimeout` runs out, and
 * when every attempt failed, with the first failure that says more than the
 * generic `NETWORK_ERROR` (a refusal, a reset), else the first failure.
 *
 * @example
 * ```ts
 * import { happyEyeballs } from "@reqivo/transport/kit";
 * declare function dial(address: string): { socket: Promise<{ close(): void }>; stop(): void };
 * const socket = await happyEyeballs({
 *   host: "example.com",
 *   addresses: [{ address: "2001:db8::1", family: 6 }, { address: "192.0.2.1", family: 4 }],
 *   attempt: ({ address }) => {
 *     const dialing = dial(address);
 *     return { result: dialing.socket, cancel: () => dialing.stop() };
 *   },
 *   discard: (late) => late.close(),
 *   delay: 250,
 *   timers: globalThis,
 * });
 * ```
 */
export function happyEyeballs<T>(options: HappyEyeballsOptions<T>): Promise<T> {
  const signal = options.signal ?? null;
  if (signal?.aborted) return Promise.reject(abortedBy(signal));
  const queue = orderAddresses(options.addresses);
  if (queue.length === 0) return Promise.reject(new DnsError(options.host));
  return new Promise<T>((resolve, reject) => new Race(options, queue, resolve, reject).start());
}

/** The state of one {@link happyEyeballs} call. */
class Race<T> {
  readonly #options: HappyEyeballsOptions<T>;
  readonly #queue: readonly LookupAddress[];
  readonly #resolve: (value: T) => void;
  readonly #reject: (error: unknown) => void;
  readonly #pending = new Set<ConnectionAttempt<T>>();
  readonly #errors: unknown[] = [];
  #next = 0;
  #settled = false;
  #delayTimer: unknown = undefined;
  #deadlineTimer: unknown = undefined;

  constructor(
    options: HappyEyeballsOptions<T>,
    queue: readonly LookupAddress[],
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
  ) {
    this.#options = options;
    this.#queue = queue;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(): void {
    const { signal, connectTimeout, timers } = this.#options;
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (connectTimeout !== undefined && connectTimeout !== null) {
      this.#deadlineTimer = timers.setTimeout(this.#onDeadline, connectTimeout);
    }
    this.#startNext();
  }

  readonly #onAbort = (): void => {
    this.#fail(abortedBy(this.#options.signal!));
  };

  readonly #onDeadline = (): void => {
    this.#deadlineTimer = undefined;
    const { reportedTimeout, connectTimeout } = this.#options;
    this.#fail(new ConnectTimeoutError(reportedTimeout ?? connectTimeout!));
  };

  /** Starts the next address, if any; rejects once nothing is left to wait for. */
  readonly #startNext = (): void => {
    if (this.#settled) return;
    this.#clearDelay();
    // A synchronous throw fails an attempt at once, so loop rather than recurse.
    while (this.#next < this.#queue.length) {
      const address = this.#queue[this.#next++]!;
      let attempt: ConnectionAttempt<T>;
      try {
        attempt = this.#options.attempt(address);
      } catch (error) {
        this.#errors.push(error);
        continue;
      }
      this.#watch(attempt);
      if (this.#next < this.#queue.length) {
        this.#delayTimer = this.#options.timers.setTimeout(this.#startNext, this.#options.delay);
      }
      return;
    }
    if (this.#pending.size === 0) this.#fail(mostUseful(this.#errors));
  };

  #watch(attempt: ConnectionAttempt<T>): void {
    this.#pending.add(attempt);
    attempt.result.then(
      (value) => {
        if (this.#settled || !this.#pending.delete(attempt)) {
          discardQuietly(this.#options, value);
          return;
        }
        this.#finish();
        this.#resolve(value);
      },
      (error: unknown) => {
        if (this.#settled || !this.#pending.delete(attempt)) return;
        this.#errors.push(error);
        this.#startNext();
      },
    );
  }

  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#finish();
    this.#reject(error);
  }

  /** Marks the race decided: timers and listener gone, every other attempt cancelled. */
  #finish(): void {
    this.#settled = true;
    this.#clearDelay();
    if (this.#deadlineTimer !== undefined) this.#options.timers.clearTimeout(this.#deadlineTimer);
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    const losers = [...this.#pending];
    this.#pending.clear();
    for (const loser of losers) {
      try {
        loser.cancel();
      } catch {
        // A failing cancel must not keep the others open or mask the outcome.
      }
    }
  }

  #clearDelay(): void {
    if (this.#delayTimer === undefined) return;
    this.#options.timers.clearTimeout(this.#delayTimer);
    this.#delayTimer = undefined;
  }
}

function discardQuietly<T>(options: HappyEyeballsOptions<T>, late: T): void {
  try {
    options.discard(late);
  } catch {
    // Nobody is left to tell; the race was decided already.
  }
}

/** The first failure more specific than `NETWORK_ERROR`, else the first one. */
function mostUseful(errors: readonly unknown[]): unknown {
  const specific = errors.find(
    (error) => error instanceof TransportError && error.code !== "NETWORK_ERROR",
  );
  return specific ?? errors[0];
}

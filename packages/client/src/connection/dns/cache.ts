/**
 * A per-session cache of name lookups. Answers are kept for the resolver's
 * TTL (or a default when it gives none), failures are forgotten at once or
 * after a short `errorTtl`, concurrent lookups of one name share one call,
 * and the cache holds a bounded number of names, least recently used first out.
 */
import {
  type AbortSignalLike,
  DnsError,
  type LookupAddress,
  type LookupFunction,
} from "@reqivo/transport";
import { InvalidRequestError } from "../../errors.ts";

/**
 * Tuning of the session's DNS cache (`SessionOptions.dns.cache`). Times are in
 * milliseconds.
 *
 * @example
 * ```ts
 * import type { DnsCacheOptions } from "@reqivo/client";
 * const cache: DnsCacheOptions = { ttl: 30_000, maxTtl: 300_000, errorTtl: 1_000, maxEntries: 500 };
 * ```
 */
export interface DnsCacheOptions {
  /** How long an answer without a TTL of its own is kept. Default 10 000. */
  ttl?: number;
  /** Upper bound on any answer's time in the cache, the resolver's TTL included. Default: no bound. */
  maxTtl?: number;
  /** How long a failed lookup is remembered (and answered with the same error). Default 0: not at all. */
  errorTtl?: number;
  /** Most names kept; the least recently used goes first. Default 1000. */
  maxEntries?: number;
}

interface Entry {
  readonly expires: number;
  readonly addresses?: readonly LookupAddress[];
  readonly error?: unknown;
}

interface Pending {
  promise: Promise<readonly LookupAddress[]>;
  /** Callers with a signal still waiting. */
  waiters: number;
}

const DEFAULT_TTL = 10_000;
const NOT_STARTED: Promise<readonly LookupAddress[]> = Promise.resolve([]);
const DEFAULT_MAX_ENTRIES = 1000;

/** Checks one cache setting: a number of ms (or entries) `>= min`, or `undefined`. */
export function cacheSetting(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value < min)
    throw new InvalidRequestError(`dns.cache.${name} must be a number >= ${min}`);
  return value;
}

/**
 * Caches the answers of `resolve` (a caller's hook or the runtime's resolver).
 * Every failure comes out as a `DnsError` (the original as `cause`).
 */
export class DnsCache {
  readonly #resolve: LookupFunction;
  readonly #ttl: number;
  readonly #maxTtl: number;
  readonly #errorTtl: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Pending>();
  readonly #now: () => number;

  /** Throws `InvalidRequestError` for a setting out of range. `now` is the clock (tests pass their own). */
  constructor(
    resolve: LookupFunction,
    options: DnsCacheOptions = {},
    now: () => number = Date.now,
  ) {
    this.#resolve = resolve;
    this.#now = now;
    this.#ttl = cacheSetting("ttl", options.ttl, 0) ?? DEFAULT_TTL;
    this.#maxTtl = cacheSetting("maxTtl", options.maxTtl, 0) ?? Number.POSITIVE_INFINITY;
    this.#errorTtl = cacheSetting("errorTtl", options.errorTtl, 0) ?? 0;
    const maxEntries = cacheSetting("maxEntries", options.maxEntries, 1) ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isInteger(maxEntries))
      throw new InvalidRequestError("dns.cache.maxEntries must be an integer");
    this.#maxEntries = maxEntries;
  }

  /** Names currently cached (answers and remembered failures). */
  get size(): number {
    return this.#entries.size;
  }

  /** Forgets every cached answer. */
  clear(): void {
    this.#entries.clear();
  }

  /** The addresses of `hostname`, from the cache while fresh. A {@link LookupFunction}. */
  readonly lookup: LookupFunction = (hostname, options) => {
    const name = hostname.toLowerCase();
    const cached = this.#entries.get(name);
    if (cached !== undefined) {
      if (cached.expires > this.#now()) {
        // Most recently used goes to the back: eviction takes from the front.
        this.#entries.delete(name);
        this.#entries.set(name, cached);
        return cached.addresses !== undefined
          ? Promise.resolve(cached.addresses)
          : Promise.reject(cached.error);
      }
      this.#entries.delete(name);
    }
    let pending = this.#pending.get(name);
    if (pending === undefined) {
      // In the table before the resolver runs: one that fails at once removes it again.
      pending = { promise: NOT_STARTED, waiters: 0 };
      this.#pending.set(name, pending);
      pending.promise = this.#run(hostname, name, pending);
      // Every caller may have given up on it: its failure must not go unhandled.
      pending.promise.catch(() => undefined);
    }
    return this.#wait(name, pending, options?.signal);
  };

  /** One call of the resolver, its outcome stored; settles the callers waiting for it. */
  async #run(hostname: string, name: string, pending: Pending): Promise<readonly LookupAddress[]> {
    try {
      // Not the first caller's signal: other callers may share this lookup.
      const addresses = checkedAnswer(hostname, await this.#resolve(hostname, {}));
      this.#store(name, { expires: this.#now() + this.#answerTtl(addresses), addresses });
      return addresses;
    } catch (cause) {
      const error = cause instanceof DnsError ? cause : new DnsError(hostname, { cause });
      if (this.#errorTtl > 0) this.#store(name, { expires: this.#now() + this.#errorTtl, error });
      throw error;
    } finally {
      if (this.#pending.get(name) === pending) this.#pending.delete(name);
    }
  }

  #answerTtl(addresses: readonly LookupAddress[]): number {
    let ttl: number | undefined;
    for (const { ttl: seconds } of addresses) {
      if (typeof seconds === "number" && seconds >= 0)
        ttl = Math.min(ttl ?? Number.POSITIVE_INFINITY, seconds * 1000);
    }
    return Math.min(ttl ?? this.#ttl, this.#maxTtl);
  }

  #store(name: string, entry: Entry): void {
    if (!(entry.expires > this.#now())) return;
    this.#entries.delete(name);
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(name, entry);
  }

  /** The shared lookup as one caller sees it: its own abort ends only its own wait. */
  #wait(
    name: string,
    pending: Pending,
    signal: AbortSignalLike | undefined,
  ): Promise<readonly LookupAddress[]> {
    if (signal === undefined) return pending.promise;
    if (signal.aborted) return Promise.reject(signal.reason);
    pending.waiters++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        // Nobody waits any more: a later caller starts afresh instead of joining a stuck lookup.
        if (--pending.waiters === 0 && this.#pending.get(name) === pending)
          this.#pending.delete(name);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      pending.promise.then(
        (addresses) => {
          signal.removeEventListener("abort", onAbort);
          resolve(addresses);
        },
        (error: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    });
  }
}

/** What a resolver returned, checked: a non-empty list of IP addresses. */
export function checkedAnswer(hostname: string, answer: unknown): readonly LookupAddress[] {
  if (!Array.isArray(answer)) {
    throw new DnsError(hostname, { cause: new TypeError("lookup must resolve to an array") });
  }
  if (answer.length === 0) throw new DnsError(hostname);
  for (const entry of answer as unknown[]) {
    const { address, family } = (entry ?? {}) as Partial<LookupAddress>;
    if (typeof address !== "string" || (family !== 4 && family !== 6)) {
      throw new DnsError(hostname, {
        cause: new TypeError("each lookup answer needs `address` and `family` (4 or 6)"),
      });
    }
  }
  return answer as readonly LookupAddress[];
}

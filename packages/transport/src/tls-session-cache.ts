// TLS session resumption, the part every transport shares: which connections
// may resume each other's sessions (the cache key), and a bounded store of
// the sessions. How a session is captured and offered is the runtime's (a
// `session` event in node:tls, `getSession()`/`setSession()` on Bun sockets),
// and so is the hash, since this package uses no runtime crypto.
import { InvalidArgumentError } from "./errors.ts";
import type { ResolvedConnectOptions } from "./options.ts";

/** Sessions kept per origin: TLS 1.3 tickets are meant for one use each (RFC 8446 §C.4). */
const SESSIONS_PER_KEY = 4;

/** Origins kept when the transport is not told otherwise, as node:https's Agent. */
const DEFAULT_MAX_KEYS = 100;

/**
 * Options of {@link createTlsSessionCache}.
 *
 * @example
 * ```ts
 * import type { TlsSessionCacheOptions } from "@reqivo/transport/kit";
 * const options: TlsSessionCacheOptions = { maxKeys: 10, digest: (identity) => identity };
 * ```
 */
export interface TlsSessionCacheOptions {
  /**
   * Origins whose sessions are kept (the least recently used is dropped
   * first); `0` turns resumption off. Default 100. A transport passes its
   * user's `tlsSessionCacheSize` here.
   */
  readonly maxKeys?: number;
  /**
   * Hashes a connection's identity (a string holding its CA bundle and client
   * key) into the map key, so that neither is kept in memory as a key: a
   * SHA-256 in the runtime's crypto.
   */
  digest(identity: string): string;
}

/**
 * Creates the session cache, or returns `null` when `maxKeys` is `0`
 * (resumption off). Throws `TypeError` when `maxKeys` is not an integer >= 0.
 *
 * @example
 * ```ts
 * import { createTlsSessionCache } from "@reqivo/transport/kit";
 * const sessions = createTlsSessionCache<Uint8Array>({ maxKeys: 10, digest: (identity) => identity });
 * sessions === null; // false
 * ```
 */
export function createTlsSessionCache<Session>(
  options: TlsSessionCacheOptions,
): TlsSessionCache<Session> | null {
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw new InvalidArgumentError("tlsSessionCacheSize must be an integer >= 0");
  }
  return maxKeys === 0 ? null : new TlsSessionCache<Session>(maxKeys, options.digest);
}

/**
 * A bounded, least-recently-used cache of TLS sessions (whatever the runtime
 * serializes them to), keyed by everything that must match for a session to
 * be offered again: host, port, Unix path, SNI name, trust (CA,
 * `rejectUnauthorized`), client certificate, ALPN and minimum version.
 * Pinned targets (`tls.pins`) get no key and never resume: a resumed
 * handshake may carry no certificate to check the pins against. Made by
 * {@link createTlsSessionCache}.
 *
 * @example
 * ```ts
 * import { createTlsSessionCache, resolveConnectOptions } from "@reqivo/transport/kit";
 * const sessions = createTlsSessionCache<Uint8Array>({ digest: (identity) => identity })!;
 * const key = sessions.keyOf(resolveConnectOptions({ host: "a.test", port: 443, tls: true }))!;
 * sessions.add(key, new Uint8Array([1, 2, 3]));
 * sessions.take(key); // Uint8Array [1, 2, 3]: offer it on the next connection
 * ```
 */
export class TlsSessionCache<Session> {
  readonly #maxKeys: number;
  readonly #digest: (identity: string) => string;
  /** Insertion order is recency order: a used key is moved to the end. */
  readonly #sessions = new Map<string, Session[]>();

  /** Use {@link createTlsSessionCache}, which checks `maxKeys`. */
  constructor(maxKeys: number, digest: (identity: string) => string) {
    this.#maxKeys = maxKeys;
    this.#digest = digest;
  }

  /**
   * The cache key of a TLS target (`target.tls` set), or `null` for a pinned
   * one: it is neither offered a session nor leaves one, so that every pinned
   * connection checks the certificate of a full handshake.
   */
  keyOf(target: ResolvedConnectOptions): string | null {
    const tls = target.tls!;
    if (tls.pins.length > 0) return null;
    return this.#digest(
      JSON.stringify([
        target.host,
        target.port,
        target.path,
        tls.servername,
        tls.ca,
        tls.cert,
        tls.key,
        tls.rejectUnauthorized,
        tls.alpnProtocols,
        tls.minVersion,
      ]),
    );
  }

  /**
   * A session to offer for `key`, or `undefined`. The newest is handed out;
   * it is taken out of the cache while others remain, and kept as the last
   * resort otherwise (as node:https does), so that resumption never stops.
   */
  take(key: string): Session | undefined {
    const list = this.#sessions.get(key);
    if (list === undefined) return undefined;
    this.#sessions.delete(key);
    this.#sessions.set(key, list);
    return list.length > 1 ? list.pop() : list[0];
  }

  /**
   * Remembers a session the server issued for `key`. Only for connections
   * that passed verification and the pin check: a session is trusted again
   * without them.
   */
  add(key: string, session: Session): void {
    const list = this.#sessions.get(key) ?? [];
    this.#sessions.delete(key);
    list.push(session);
    if (list.length > SESSIONS_PER_KEY) list.shift();
    this.#sessions.set(key, list);
    if (this.#sessions.size > this.#maxKeys) {
      const oldest = this.#sessions.keys().next().value as string;
      this.#sessions.delete(oldest);
    }
  }

  /** Forgets `key`'s sessions, after a failed handshake: a stale ticket must not fail the next one too. */
  evict(key: string): void {
    this.#sessions.delete(key);
  }
}
